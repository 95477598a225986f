"""Why an upload was refused, as typed errors the API turns into the seed's envelope.

Each carries a stable `code` and the `reason` in `details`, so a job can store "failed: page 3:
stream has ended unexpectedly" and the uploader sees what to fix. The classes live in
`core.errors` (registered in `ERRORS_BY_CODE`, so they cross the MCP boundary with their status);
this module re-exports them for the ingestion code.
"""

from __future__ import annotations

from core.errors import (
    INGEST_ERRORS_BY_CODE,
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    IngestError,
    TooLarge,
    TypeMismatch,
    UnsupportedType,
)

__all__ = [
    "INGEST_ERRORS_BY_CODE",
    "CorruptDocument",
    "EmptyDocument",
    "EncryptedDocument",
    "IngestError",
    "TooLarge",
    "TypeMismatch",
    "UnsupportedType",
]
