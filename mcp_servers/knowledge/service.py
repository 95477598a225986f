"""The knowledge server's state: store, embedder, per-tenant index cache, ingestion worker.

The cache keeps one `TenantIndex` per tenant with the signature of the chunks it was built from
(count, max id, newest FAQ edit, newest document: `KnowledgeStore.signature`); each search
re-reads the signature (one aggregate query) and rebuilds when it moved, so a second server
process on the same database never serves a stale index for long.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from dataclasses import dataclass, field

import numpy as np

from core.embeddings import Embedder, build_embedder
from core.errors import InvalidInput
from core.settings import Settings

from .index import NULL_PASSAGES, Ranked, TenantIndex, null_baseline, require_tenant
from .ingest import DEFAULT_MAX_BYTES, fingerprint, sniff
from .jobs import IngestWorker
from .store import KnowledgeStore, Signature, faq_passage


@dataclass
class _Cached:
    signature: Signature
    index: TenantIndex


@dataclass
class KnowledgeService:
    store: KnowledgeStore
    embedder: Embedder
    max_bytes: int = DEFAULT_MAX_BYTES
    worker: IngestWorker = field(init=False)
    _indexes: dict[str, _Cached] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _null: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.worker = IngestWorker(self.store, self.embedder, max_bytes=self.max_bytes)

    async def embed_faq(self, question: str, answer: str) -> np.ndarray:
        vectors = await asyncio.to_thread(
            self.embedder.embed_passages, [faq_passage(question, answer)]
        )
        return vectors[0]

    async def index(self, tenant_id: str) -> TenantIndex:
        tenant_id = require_tenant(tenant_id)
        lock = self._locks.setdefault(tenant_id, asyncio.Lock())
        async with lock:
            cached = self._indexes.get(tenant_id)
            if cached is not None and cached.signature == await self.store.signature(tenant_id):
                return cached.index
            signature, chunks, vectors = await self.store.current_chunks(tenant_id)
            index = await asyncio.to_thread(TenantIndex, tenant_id, chunks, vectors)
            self._indexes[tenant_id] = _Cached(signature, index)
            return index

    async def search(
        self, tenant_id: str, query: str, *, top_k: int, language: str | None = None
    ) -> Ranked:
        index = await self.index(tenant_id)
        if not len(index):
            return Ranked([], 0.0)
        if self._null is None:
            self._null = await asyncio.to_thread(self.embedder.embed_passages, NULL_PASSAGES)
        vector = (await asyncio.to_thread(self.embedder.embed_queries, [query]))[0]
        baseline = null_baseline(vector, self._null)
        return await asyncio.to_thread(
            index.search, query, vector, baseline=baseline, top_k=top_k, language=language
        )

    def decode_upload(
        self, content_base64: str, declared_type: str | None
    ) -> tuple[bytes, str, str]:
        """Bytes, SHA-256 and media type; type and size are checked now (a refusal needs no
        job), a file that is only unreadable fails in its job with the reason."""
        try:
            data = base64.b64decode(content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("content_base64 不是有效的 base64 / is not valid base64") from None
        sniffed = sniff(data, declared_type or None, max_bytes=self.max_bytes)
        return data, fingerprint(data), sniffed.type.mime


def open_service(settings: Settings, store: KnowledgeStore) -> KnowledgeService:
    """The service with the embedder and upload limit (KNOWLEDGE_MAX_UPLOAD_BYTES) of settings:
    the API refuses larger uploads first; the server's own check guards other callers."""
    return KnowledgeService(
        store=store,
        embedder=build_embedder(settings),
        max_bytes=settings.knowledge_max_upload_bytes,
    )
