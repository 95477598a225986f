"""Background ingestion: one worker task drains queued documents, one at a time.

A job: bytes → `ingest_bytes` (in a thread: pypdf is CPU-bound) → embed chunks in batches
(reusing embeddings of unchanged passages) → write them as version v+1 → `flip`. Progress goes
to the row as it moves (extract 0-30%, chunk 30-40%, embed 40-100%). On start, documents a dead
server left `processing` are queued again; a failure stores the IngestError's reason and drops
the version's chunks, so nothing is ever half-indexed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

import numpy as np

from core.embeddings import Embedder
from core.logging import get_logger
from core.national_id import mask_in_text
from mcp_servers.knowledge.ingest import IngestError, Progress, ingest_bytes

from .index import vector_from_bytes
from .store import ChunkRow, KnowledgeStore

log = get_logger(__name__)
EMBED_BATCH = 16
_STAGES = {"extract": (0.0, 0.3), "chunk": (0.3, 0.4)}


class IngestWorker:
    def __init__(
        self,
        store: KnowledgeStore,
        embedder: Embedder,
        *,
        max_bytes: int,
        on_change: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.max_bytes = max_bytes
        self.on_change = on_change  # a version became current: refresh the tenant's index
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        for document_id in await self.store.requeue_interrupted():
            self.queue.put_nowait(document_id)
        self._task = asyncio.create_task(self._run(), name="knowledge-ingest")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def submit(self, document_id: str) -> None:
        self.queue.put_nowait(document_id)

    async def _run(self) -> None:
        while True:
            document_id = await self.queue.get()
            try:
                await self.process(document_id)
            except Exception:  # a job must never kill the worker
                log.exception("knowledge_job_crashed", document_id=document_id)

    async def process(self, document_id: str) -> None:
        claimed = await self.store.claim(document_id)
        if claimed is None:
            return
        doc, data = claimed
        version, sha = doc.version + 1, doc.sha256
        started = time.perf_counter()
        try:
            await self._ingest(doc.tenant_id, document_id, sha, version, doc.filename,
                               doc.media_type, data)  # fmt: skip
        except IngestError as exc:
            reason = str(exc.details.get("reason") or exc.message)
            log.info("knowledge_job_failed", document_id=document_id, code=exc.code, reason=reason)
            await self.store.fail(document_id, sha, version, f"{exc.code}: {reason}")
        except Exception as exc:
            log.exception("knowledge_job_error", document_id=document_id)
            reason = f"INTERNAL_ERROR: {type(exc).__name__}"
            await self.store.fail(document_id, sha, version, reason)
        else:
            log.info("knowledge_job_done", document_id=document_id, version=version,
                     seconds=round(time.perf_counter() - started, 2))  # fmt: skip
            if self.on_change is not None:
                try:
                    await self.on_change(doc.tenant_id)
                except Exception:  # the next search refreshes it anyway
                    log.exception("knowledge_refresh_failed", tenant=doc.tenant_id)

    async def _ingest(
        self, tenant_id: str, document_id: str, sha: str, version: int, filename: str,
        media_type: str, data: bytes,
    ) -> None:  # fmt: skip
        loop = asyncio.get_running_loop()
        last = [0.0, 0.0]  # progress, monotonic time of the last write

        def on_progress(p: Progress) -> None:  # worker thread
            low, high = _STAGES.get(p.stage, (0.0, 0.4))
            value = low + (high - low) * (p.done / p.total if p.total else 1.0)
            now = time.monotonic()
            if value > last[0] and now - last[1] > 0.25:
                last[:] = [value, now]
                asyncio.run_coroutine_threadsafe(self.store.report(document_id, sha, value), loop)

        doc = await asyncio.to_thread(
            ingest_bytes, data, filename, media_type, max_bytes=self.max_bytes,
            on_progress=on_progress,
        )  # fmt: skip
        await self.store.report(document_id, sha, 0.4)
        known = await self.store.known_embeddings(tenant_id, document_id)
        await self.store.drop_version(document_id, version)  # an interrupted attempt's rows
        chunks = list(doc.chunks)
        for start in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[start : start + EMBED_BATCH]
            todo = [c for c in batch if c.content_hash not in known]
            vectors = (
                await asyncio.to_thread(self.embedder.embed_passages, [c.embed_text for c in todo])
                if todo
                else np.zeros((0, 1), dtype=np.float32)
            )
            fresh = {c.content_hash: v for c, v in zip(todo, vectors, strict=True)}
            rows = [
                ChunkRow(
                    ordinal=c.ordinal, heading_path=c.heading_path,
                    text=mask_in_text(c.text),  # a national ID in a document is never served
                    citation=c.citation, content_hash=c.content_hash,
                    embedding=fresh[c.content_hash]
                    if c.content_hash in fresh
                    else vector_from_bytes(known[c.content_hash]),
                )
                for c in batch
            ]  # fmt: skip
            await self.store.write_chunks(tenant_id, document_id, version, rows)
            done = min(start + EMBED_BATCH, len(chunks))
            await self.store.report(document_id, sha, 0.4 + 0.6 * done / len(chunks) * 0.99)
        title = doc.title or filename
        if not await self.store.flip(
            document_id, sha, version, title=title, pages=doc.pages, chunk_count=len(chunks)
        ):
            # deleted or re-uploaded meanwhile: this version must never become visible
            await self.store.drop_version(document_id, version)
            log.info("knowledge_job_superseded", document_id=document_id)
