"""Bodies of the user-administration routes: agents (`/api/agents`) and store staff (`/api/users`).

The two families differ only here: agents have `max_sessions`, store staff a `store_id`.
Passwords are only ever read (create, reset), never answered; `AccountOut` has no hash.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from api.auth.schemas import UserOut, epoch_seconds
from core.db.models import User

AgentRole = Literal["agent", "admin"]
StaffRole = Literal["sales", "manager"]
Presence = Literal["online", "offline", "busy"]

AgentUsername = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{2,31}$"),
    Field(description="login name: a letter, then 2-31 letters, digits, `_`, `.` or `-`",
          examples=["agent004"]),
]  # fmt: skip
EmployeeCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z][0-9]{3,15}$"),
    Field(description="login name: the employee code", examples=["E1003"]),
]
StoreId = Annotated[str, StringConstraints(pattern=r"^S[0-9]{3}$"), Field(examples=["S001"])]
DisplayName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    Field(description="display name", examples=["客服小鹿"]),
]
Email = Annotated[
    str,
    StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    Field(examples=["deer@example.com"]),
]
Password = Annotated[
    str,
    Field(
        min_length=1,
        max_length=128,
        description="≥ 8 characters with letters and digits (400 INVALID_PASSWORD otherwise)",
        examples=["Welcome2026"],
    ),
]
MaxSessions = Annotated[int, Field(ge=0, le=100, examples=[5])]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _null_refused(schema: dict[str, Any]) -> None:
    """The published schema says what `_Update._not_null` refuses: `null`, except `email`."""
    for name, field in schema.get("properties", {}).items():
        if name != "email" and "anyOf" in field:
            field["anyOf"] = [m for m in field["anyOf"] if m.get("type") != "null"]


class _Update(_Body):
    """Omitted fields stay as they are; `null` is refused except for `email` (clears it)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_null_refused)

    @field_validator("*", mode="after")
    @classmethod
    def _not_null(cls, value: Any, info: Any) -> Any:
        if value is None and info.field_name != "email":
            raise ValueError("may be omitted but not null")
        return value


class AgentCreate(_Body):
    username: AgentUsername
    password: Password
    name: DisplayName
    role: AgentRole = "agent"
    email: Email | None = None
    max_sessions: MaxSessions = 5


class StaffCreate(_Body):
    username: EmployeeCode
    password: Password
    name: DisplayName
    role: StaffRole = "sales"
    store_id: StoreId
    email: Email | None = None


class AgentUpdate(_Update):
    name: DisplayName | None = None
    email: Email | None = None
    role: AgentRole | None = None
    max_sessions: int | None = Field(None, ge=0, le=100, examples=[5])
    is_active: bool | None = None


class StaffUpdate(_Update):
    name: DisplayName | None = None
    email: Email | None = None
    role: StaffRole | None = None
    store_id: StoreId | None = None
    is_active: bool | None = None


class PasswordReset(_Body):
    new_password: Password


class AccountOut(UserOut):
    """`UserOut` plus what an admin needs: e-mail, active flag, lockout. Never the hash."""

    email: str | None = Field(examples=["deer@example.com"])
    is_active: bool = Field(examples=[True])
    failed_login_count: int = Field(examples=[0])
    locked_until: float | None = Field(examples=[None])
    updated_at: float | None = Field(examples=[1763973937.2])

    @classmethod
    def of(cls, user: User) -> AccountOut:
        return cls(
            **UserOut.of(user).model_dump(),
            email=user.email,
            is_active=user.is_active,
            failed_login_count=user.failed_login_count,
            locked_until=epoch_seconds(user.locked_until),
            updated_at=epoch_seconds(user.updated_at),
        )


class AccountResponse(BaseModel):
    success: bool = True
    data: AccountOut


class AccountPageOut(BaseModel):
    items: list[AccountOut]
    total: int = Field(examples=[4])
    page: int = Field(examples=[1])
    page_size: int = Field(examples=[20])
    total_pages: int = Field(examples=[1])


class AccountListResponse(BaseModel):
    success: bool = True
    data: AccountPageOut
