"""What the escalation policy reads and returns: a customer turn and the decision about it.

Split out of `policy` so that module reads as the decision alone (which rule fires and why);
these are the seed's shapes (`user_profile`, `SessionState.escalation`) that nodes, the service
and the evals pass around. `policy` re-exports them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from graphs.supervision.rules import Reason, Severity


class UserProfile(BaseModel):
    """The part of the seed's `user_profile` the policy reads; other fields are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    vip: bool = False
    language: str | None = None


class TurnContext(BaseModel):
    """One customer turn and what the policy needs to know around it."""

    model_config = ConfigDict(frozen=True)

    text: str
    at: int = Field(description="UTC seconds of the turn; becomes trigger_at")
    ai_fail_count: int = Field(default=0, ge=0)
    user_profile: UserProfile = UserProfile()
    history: tuple[str, ...] = Field(default=(), description="previous user turns, oldest first")
    sentiment_score: float | None = Field(
        default=None, ge=-1, le=1, description="precomputed (e.g. by an LLM node); wins if set"
    )


class EscalationDecision(BaseModel):
    """Why a turn escalates; `as_escalation()` is the seed's `SessionState.escalation`."""

    model_config = ConfigDict(frozen=True)

    reason: Reason
    details: str
    severity: Severity
    trigger_at: int
    matched: str | None = Field(default=None, description="keyword or phrase as typed")
    rule: str | None = Field(default=None, description="keyword group or VIP sub-rule")
    score: float | None = Field(default=None, description="sentiment score, when it mattered")
    examples: tuple[str, ...] = Field(default=(), description="semantic layer: example ids")
    margin: float | None = Field(default=None, description="semantic layer: cosine margin")

    def as_escalation(self) -> dict[str, str | int]:
        """The four fields of the seed's `escalation` object."""
        return {
            "reason": self.reason,
            "details": self.details,
            "severity": self.severity,
            "trigger_at": self.trigger_at,
        }
