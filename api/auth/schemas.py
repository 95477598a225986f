"""Bodies of the auth routes: what a client sends and what it gets back (never a hash).

Staff routes answer in the service envelope `{"success": true, "data": {...}}`; the agent
routes keep seed 003's shapes (`token`, `refresh_token`, `agent`) so its workbench works as is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.auth.tokens import TokenPair
from core.db.models import User

_EXAMPLE_TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXBlIjoiYWNjZXNzIn0.c2lnbmF0dXJl"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StaffLogin(_Body):
    employee_code: str = Field(min_length=1, max_length=32, examples=["E1001"])
    password: str = Field(min_length=1, max_length=128, examples=["Demo1234"])


class AgentLogin(_Body):
    username: str = Field(min_length=1, max_length=32, examples=["agent001"])
    password: str = Field(min_length=1, max_length=128, examples=["Demo1234"])


class RefreshRequest(_Body):
    refresh_token: str = Field(min_length=1, max_length=4096, examples=[_EXAMPLE_TOKEN])


class ChangePassword(_Body):
    old_password: str = Field(min_length=1, max_length=128, examples=["Demo1234"])
    new_password: str = Field(min_length=1, max_length=128, examples=["NewPass5678"])


class ProfileUpdate(_Body):
    """Only `name` and `avatar_url` can be changed; anything else is refused by name."""

    name: str | None = Field(None, min_length=1, max_length=50, examples=["客服小張"])
    avatar_url: str | None = Field(
        None,
        max_length=500,
        pattern=r"^(/|https?://)[^\s<>\"']*$",
        examples=["/avatars/zhang.png"],
    )


class StatusUpdate(_Body):
    """An agent's availability: `busy` and `offline` agents are not counted as free."""

    status: Literal["online", "busy", "offline"] = Field(examples=["busy"])


class UserOut(BaseModel):
    """The public face of a users row; times are UTC seconds as seed 003 asks."""

    id: int = Field(examples=[2])
    username: str = Field(examples=["E1001"])
    name: str = Field(examples=["王小明"])
    role: str = Field(examples=["sales"])
    store_id: str | None = Field(examples=["S001"])
    tenant_id: str | None = Field(None, examples=["default"])  # null: a platform admin
    status: str = Field(examples=["online"])
    max_sessions: int = Field(examples=[5])
    avatar_url: str | None = Field(examples=[None])
    created_at: float | None = Field(examples=[1763973603.8])
    last_login: float | None = Field(examples=[1763973937.2])

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            name=user.display_name,
            role=user.role,
            store_id=user.store_id,
            tenant_id=user.tenant_id,
            status=user.status,
            max_sessions=user.max_sessions,
            avatar_url=user.avatar_url,
            created_at=epoch_seconds(user.created_at),
            last_login=epoch_seconds(user.last_login_at),
        )


def epoch_seconds(moment: datetime | None) -> float | None:
    """Seed 003 sends times as Unix seconds (floats)."""
    return moment.timestamp() if moment is not None else None


class Tokens(BaseModel):
    access_token: str = Field(examples=[_EXAMPLE_TOKEN])
    refresh_token: str = Field(examples=[_EXAMPLE_TOKEN])
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(examples=[7200], description="access token lifetime, seconds")
    refresh_expires_in: int = Field(examples=[604800])

    @classmethod
    def of(cls, tokens: TokenPair) -> Tokens:
        return cls(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_in=tokens.expires_in,
            refresh_expires_in=tokens.refresh_expires_in,
        )


class LoginData(Tokens):
    user: UserOut


class LoginResponse(BaseModel):
    success: bool = True
    data: LoginData


class AccessToken(BaseModel):
    access_token: str = Field(examples=[_EXAMPLE_TOKEN])
    token_type: str = "bearer"
    expires_in: int = Field(examples=[7200])


class RefreshResponse(BaseModel):
    """Both spellings: `data.access_token` (service envelope) and `token` (seed 003)."""

    success: bool = True
    token: str = Field(examples=[_EXAMPLE_TOKEN])
    expires_in: int = Field(examples=[7200])
    data: AccessToken

    @classmethod
    def of(cls, token: str, expires_in: int) -> RefreshResponse:
        data = AccessToken(access_token=token, expires_in=expires_in)
        return cls(token=token, expires_in=expires_in, data=data)


class MeResponse(BaseModel):
    success: bool = True
    data: UserOut


class MessageResponse(BaseModel):
    success: bool = True
    message: str = Field(examples=["登出成功"])


class PasswordChanged(BaseModel):
    """Every older token is dead after a change, so the caller gets a fresh pair."""

    success: bool = True
    message: str = Field(examples=["密碼已變更"])
    data: Tokens

    @classmethod
    def of(cls, tokens: TokenPair) -> PasswordChanged:
        return cls(message="密碼已變更", data=Tokens.of(tokens))


class AgentLoginResponse(BaseModel):
    """Seed 003 v2.3: tokens at the top level and the agent without its password hash."""

    success: bool = True
    token: str = Field(examples=[_EXAMPLE_TOKEN])
    refresh_token: str = Field(examples=[_EXAMPLE_TOKEN])
    expires_in: int = Field(examples=[7200])
    agent: UserOut


class AgentProfileResponse(BaseModel):
    success: bool = True
    agent: UserOut


def login_payload(user: User, tokens: TokenPair) -> LoginData:
    return LoginData(**Tokens.of(tokens).model_dump(), user=UserOut.of(user))
