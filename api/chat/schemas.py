"""Bodies of the customer routes (seed 003: `session_name` names the chat everywhere)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SESSION_NAME_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
SESSION_EXAMPLE = "session_3f2a9c1b7d4e8a60"
# StringConstraints (not Field(pattern=...)): Litestar copies only these into the OpenAPI schema.
SessionName = Annotated[
    str,
    StringConstraints(pattern=SESSION_NAME_PATTERN, max_length=64),
    Field(examples=[SESSION_EXAMPLE]),
]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z-]{2,16}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")]
_TOKEN_EXAMPLE = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXBlIjoiY3VzdG9tZXIifQ.c2lnbmF0dXJl"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserProfileIn(BaseModel):
    """Seed 003 v2.5 `user_profile`; unknown keys are ignored, every field is optional."""

    model_config = ConfigDict(extra="ignore")

    nickname: str | None = Field(None, max_length=64, examples=["訪客A"])
    vip: bool | None = None
    gdpr_consent: bool | None = None
    marketing_subscribed: bool | None = None
    country: Country | None = Field(None, examples=["TW"])
    city: str | None = Field(None, max_length=64, examples=["Taipei"])
    language: LanguageCode | None = Field(None, examples=["zh-TW"])
    currency: Currency | None = Field(None, examples=["TWD"])

    def given(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class NewConversation(_Body):
    user_profile: UserProfileIn | None = None


class Conversation(BaseModel):
    session_name: str = Field(examples=[SESSION_EXAMPLE])
    conversation_id: str | None = Field(examples=["conv_9b1d2e3f4a5b6c7d"])
    status: str = Field(examples=["bot_active"])
    user_profile: dict[str, Any]
    token: str = Field(
        description="customer session token: `Authorization: Bearer <token>` "
        "on this session's routes only",
        examples=[_TOKEN_EXAMPLE],
    )
    token_type: str = Field("customer", examples=["customer"])
    expires_in: int = Field(examples=[86400])


class ConversationResponse(BaseModel):
    success: bool = True
    data: Conversation


class ChatRequest(_Body):
    session_name: SessionName
    message: str = Field(min_length=1, max_length=4000, examples=["請問有哪些吃到飽優惠？"])


class ChatTurn(BaseModel):
    session_name: str = Field(examples=[SESSION_EXAMPLE])
    status: str = Field(description="the session's status after the turn", examples=["bot_active"])
    answer: str = Field(
        description="the AI's reply (joined `message` events); empty when the "
        "message went to a human",
        examples=["您好，目前吃到飽方案有…"],
    )
    events: list[dict[str, Any]] = Field(
        description="the turn's events (seed 003 formats), consecutive AI tokens merged"
    )


class ChatResponse(BaseModel):
    success: bool = True
    data: ChatTurn
