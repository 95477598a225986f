"""Document ingestion: uploaded bytes → typed, structured, chunked document (issue 21).

    doc = ingest_bytes(data, "guide.pdf", "application/pdf", on_progress=report)
    doc.hash, doc.type, doc.title, doc.pages        # SHA-256 of the bytes spots duplicates
    for chunk in doc.chunks:                         # embed chunk.embed_text, cite chunk.citation
        ...

Nothing here embeds or indexes: the knowledge server (not built yet) owns the index.
"""

from __future__ import annotations

from .chunk import ChunkOptions, chunk_blocks
from .errors import (
    INGEST_ERRORS_BY_CODE,
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    IngestError,
    TooLarge,
    TypeMismatch,
    UnsupportedType,
)
from .models import Block, Chunk, DocType, ExtractedDocument, IngestedDocument, Progress
from .pipeline import fingerprint, ingest_bytes
from .sentences import split_sentences
from .sniff import DEFAULT_MAX_BYTES, Sniffed, sniff

__all__ = [
    "DEFAULT_MAX_BYTES",
    "INGEST_ERRORS_BY_CODE",
    "Block",
    "Chunk",
    "ChunkOptions",
    "CorruptDocument",
    "DocType",
    "EmptyDocument",
    "EncryptedDocument",
    "ExtractedDocument",
    "IngestError",
    "IngestedDocument",
    "Progress",
    "Sniffed",
    "TooLarge",
    "TypeMismatch",
    "UnsupportedType",
    "chunk_blocks",
    "fingerprint",
    "ingest_bytes",
    "sniff",
    "split_sentences",
]
