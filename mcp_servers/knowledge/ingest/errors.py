"""Why an upload was refused, as typed errors the API turns into the seed's envelope.

Each carries a stable `code` and the `reason` in `details`, so a job can store "failed: page 3:
stream has ended unexpectedly" and the uploader sees what to fix.
"""

from __future__ import annotations

from core.errors import SwitchboardError


class IngestError(SwitchboardError):
    """Base of every ingestion refusal (422: the bytes arrived, their content is unusable)."""

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
