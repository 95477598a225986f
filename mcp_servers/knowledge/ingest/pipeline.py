"""bytes → IngestedDocument: sniff, extract, chunk, with progress for a background job."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import PurePath

from .chunk import ChunkOptions, chunk_blocks
from .errors import EmptyDocument
from .extract import extract
from .models import IngestedDocument, Progress
from .sniff import DEFAULT_MAX_BYTES, sniff


def fingerprint(data: bytes) -> str:
    """SHA-256 of the uploaded bytes: the key that recognises a duplicate upload."""
    return hashlib.sha256(data).hexdigest()


def ingest_bytes(
    data: bytes,
    filename: str = "",
    declared_type: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    options: ChunkOptions | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> IngestedDocument:
    """Type by content, extract structure, chunk. Raises an `IngestError` with the reason.

    CPU-bound and synchronous: call it from a worker thread (`asyncio.to_thread`) in a server.
    """
    sniffed = sniff(data, declared_type, max_bytes=max_bytes)
    digest = fingerprint(data)
    document = extract(sniffed, data, on_progress)
    chunks = chunk_blocks(document.blocks, digest, options, on_progress)
    if not chunks:
        raise EmptyDocument(
            f"No text to index in this {sniffed.type.value} file", reason="no text after extraction"
        )
    stem = PurePath(filename.replace("\\", "/")).stem if filename else ""
    return IngestedDocument(
        hash=digest,
        filename=filename,
        type=sniffed.type,
        encoding=sniffed.encoding,
        title=document.title or stem or chunks[0].text[:60],
        pages=document.pages,
        size=len(data),
        blocks=document.blocks,
        chunks=chunks,
    )
