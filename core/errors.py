"""One error family for the whole service.

Every layer (MCP tools, graphs, API) raises a `SwitchboardError`; the API turns it into the
seed's envelope `{"success": false, "error": "...", "code": "..."}` with `status`.
"""

from __future__ import annotations

from typing import Any, ClassVar


class SwitchboardError(Exception):
    """Base error: a machine-readable code, a human message and an HTTP status."""

    code: ClassVar[str] = "INTERNAL_ERROR"
    status: ClassVar[int] = 500

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.details = details

    def to_envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {"success": False, "error": self.message, "code": self.code}
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(SwitchboardError):
    code = "INVALID_INPUT"
    status = 400


class Unauthorized(SwitchboardError):
    code = "UNAUTHORIZED"
    status = 401


class Forbidden(SwitchboardError):
    code = "FORBIDDEN"
    status = 403


class NotFound(SwitchboardError):
    code = "NOT_FOUND"
    status = 404


class Conflict(SwitchboardError):
    code = "CONFLICT"
    status = 409


class OutOfStock(Conflict):
    code = "OUT_OF_STOCK"


class WrongStep(Conflict):
    code = "WRONG_STEP"


class ManualInProgress(Conflict):
    code = "MANUAL_IN_PROGRESS"


class AlreadyRenewed(Conflict):
    """The line was renewed in a store moments ago (another session got there first). Known
    here so the toolbox rebuilds it as a 409 on the API's side of the MCP boundary."""

    code = "RECENTLY_RENEWED"


class RunInProgress(Conflict):
    """Another request is already moving this session (one run per session at a time)."""

    code = "RUN_IN_PROGRESS"


class SessionExpired(SwitchboardError):
    """A renewal session left idle past RENEWAL_SESSION_IDLE_SECONDS: start a new one."""

    code = "SESSION_EXPIRED"
    status = 410


class AccountLocked(SwitchboardError):
    """Too many failed logins: the account refuses every login until `locked_until`."""

    code = "ACCOUNT_LOCKED"
    status = 423


class RateLimited(SwitchboardError):
    code = "RATE_LIMITED"
    status = 429


class Unavailable(SwitchboardError):
    """A dependency (Redis, database, MCP server, model) cannot be reached."""

    code = "SERVICE_UNAVAILABLE"
    status = 503


ERRORS_BY_CODE: dict[str, type[SwitchboardError]] = {
    cls.code: cls
    for cls in (
        SwitchboardError,
        InvalidInput,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        OutOfStock,
        AlreadyRenewed,
        WrongStep,
        ManualInProgress,
        RunInProgress,
        SessionExpired,
        AccountLocked,
        RateLimited,
        Unavailable,
    )
}


def error_from_code(code: str, message: str) -> SwitchboardError:
    """Rebuild a typed error from a code that crossed a process boundary (MCP, Redis)."""
    return ERRORS_BY_CODE.get(code, SwitchboardError)(message, code=code)
