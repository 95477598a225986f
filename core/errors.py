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


class Overloaded(SwitchboardError):
    """This worker has as many requests in flight as it may (MAX_IN_FLIGHT): retry shortly."""

    code = "OVERLOADED"
    status = 503


class IngestError(SwitchboardError):
    """Base of every document-ingestion refusal (422: the bytes arrived, their content is
    unusable). Defined here, not in the knowledge server, so the codes cross the MCP boundary
    with their status; `mcp_servers.knowledge.ingest.errors` re-exports them."""

    code = "INGEST_FAILED"
    status = 422


class UnsupportedType(IngestError):
    """The content is none of PDF, DOCX, Markdown, HTML or text (images, archives, binaries)."""

    code = "UNSUPPORTED_TYPE"
    status = 415


class TypeMismatch(IngestError):
    """The declared type contradicts the bytes (a DOCX sent as application/pdf)."""

    code = "TYPE_MISMATCH"
    status = 415


class TooLarge(IngestError):
    code = "TOO_LARGE"
    status = 413


class CorruptDocument(IngestError):
    """The type is right but the file cannot be read (truncated PDF, broken ZIP or XML)."""

    code = "CORRUPT_DOCUMENT"


class EncryptedDocument(CorruptDocument):
    """A password-protected PDF: readable only with a password we are never given."""

    code = "ENCRYPTED_DOCUMENT"


class EmptyDocument(IngestError):
    """Readable, but no text to index (an empty file, a scanned PDF without a text layer)."""

    code = "EMPTY_DOCUMENT"


INGEST_ERRORS_BY_CODE: dict[str, type[IngestError]] = {
    cls.code: cls
    for cls in (
        IngestError,
        UnsupportedType,
        TypeMismatch,
        TooLarge,
        CorruptDocument,
        EncryptedDocument,
        EmptyDocument,
    )
}


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
} | INGEST_ERRORS_BY_CODE


def error_from_code(code: str, message: str) -> SwitchboardError:
    """Rebuild a typed error from a code that crossed a process boundary (MCP, Redis)."""
    return ERRORS_BY_CODE.get(code, SwitchboardError)(message, code=code)
