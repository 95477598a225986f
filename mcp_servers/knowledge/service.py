"""The knowledge server's state: store, embedder, per-tenant index cache, ingestion worker.

The cache keeps one index per tenant (`TenantIndex` in memory, or `AzureTenantIndex` with
KNOWLEDGE_BACKEND=azure) with the signature of the chunks it was built from (count, max id,
newest FAQ edit, newest document: `KnowledgeStore.signature`); each search re-reads the
signature (one aggregate query) and rebuilds when it moved, so a second server process on the
same database never serves a stale index for long. A write through this server refreshes the
tenant's index at once (`refresh`: the next customer does not pay the rebuild, and Azure drops
deleted chunks now, not at the next search).

Per chat turn (every customer message searches): a tenant without chunks answers before any
embedding; the query's embedding and null baseline are cached by text (they do not depend on the
tenant or its knowledge base); a tenant's results are cached by (query, top_k, language) on the
cached index itself, so they go when the index is rebuilt, i.e. whenever the KB changes.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.embeddings import Embedder, build_embedder
from core.errors import InvalidInput
from core.settings import Settings

from .azure import AzureKnowledge, AzureTenantIndex
from .faqs import Signature, faq_passage
from .index import (
    NULL_PASSAGES,
    Baseline,
    Ranked,
    TenantIndex,
    corpus_form,
    null_baseline,
    require_tenant,
)
from .ingest import DEFAULT_MAX_BYTES, fingerprint, sniff
from .jobs import IngestWorker
from .store import KnowledgeStore

QUERY_VECTORS = 2048  # cached query embeddings (text -> vector, baseline), all tenants
RESULTS_PER_TENANT = 256  # cached results per tenant index


class _Lru(OrderedDict[Any, Any]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def hit(self, key: Any) -> Any:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


@dataclass
class _Cached:
    signature: Signature
    index: TenantIndex | AzureTenantIndex
    results: _Lru = field(default_factory=lambda: _Lru(RESULTS_PER_TENANT))


@dataclass
class KnowledgeService:
    store: KnowledgeStore
    embedder: Embedder
    max_bytes: int = DEFAULT_MAX_BYTES
    azure: AzureKnowledge | None = None  # KNOWLEDGE_BACKEND=azure
    worker: IngestWorker = field(init=False)
    _indexes: dict[str, _Cached] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _null: np.ndarray | None = None
    _vectors: _Lru = field(default_factory=lambda: _Lru(QUERY_VECTORS))

    def __post_init__(self) -> None:
        self.worker = IngestWorker(
            self.store, self.embedder, max_bytes=self.max_bytes, on_change=self.refresh
        )

    async def embed_faq(self, question: str, answer: str) -> np.ndarray:
        vectors = await asyncio.to_thread(
            self.embedder.embed_passages, [faq_passage(question, answer)]
        )
        return vectors[0]

    async def index(self, tenant_id: str) -> TenantIndex | AzureTenantIndex:
        return (await self._cached(tenant_id)).index

    async def _cached(self, tenant_id: str) -> _Cached:
        tenant_id = require_tenant(tenant_id)
        lock = self._locks.setdefault(tenant_id, asyncio.Lock())
        async with lock:
            cached = self._indexes.get(tenant_id)
            if cached is not None and cached.signature == await self.store.signature(tenant_id):
                return cached
            signature, chunks, vectors = await self.store.current_chunks(tenant_id)
            index: TenantIndex | AzureTenantIndex
            if self.azure is not None:
                await self.azure.sync(tenant_id, chunks, vectors)
                index = AzureTenantIndex(tenant_id, chunks, self.azure)
            else:
                index = await asyncio.to_thread(TenantIndex, tenant_id, chunks, vectors)
            self._indexes[tenant_id] = cached = _Cached(signature, index)
            return cached

    def size(self, tenant_id: str) -> int:
        """Chunks of the tenant's index as last built (no query: after a search)."""
        cached = self._indexes.get(tenant_id)
        return len(cached.index) if cached is not None else 0

    async def refresh(self, tenant_id: str) -> None:
        """After a write: rebuild (and with Azure, sync) the tenant's index now."""
        await self._cached(tenant_id)

    async def _query_vector(self, query: str) -> tuple[np.ndarray, Baseline]:
        known: tuple[np.ndarray, Baseline] | None = self._vectors.hit(query)
        if known is not None:
            return known
        if self._null is None:
            self._null = await asyncio.to_thread(self.embedder.embed_passages, NULL_PASSAGES)
        vector = (await asyncio.to_thread(self.embedder.embed_queries, [corpus_form(query)]))[0]
        known = (vector, null_baseline(vector, self._null))
        self._vectors.put(query, known)
        return known

    async def search(
        self, tenant_id: str, query: str, *, top_k: int, language: str | None = None
    ) -> Ranked:
        cached = await self._cached(tenant_id)
        index = cached.index
        if not len(index):  # an empty knowledge base: no embedding, no search
            return Ranked([], 0.0)
        key = (" ".join(query.split()), top_k, language)
        ranked: Ranked | None = cached.results.hit(key)
        if ranked is not None:
            return ranked
        vector, baseline = await self._query_vector(key[0])
        if isinstance(index, AzureTenantIndex):
            ranked = await index.search(
                key[0], vector, baseline=baseline, top_k=top_k, language=language
            )
        else:
            ranked = await asyncio.to_thread(
                index.search, key[0], vector, baseline=baseline, top_k=top_k, language=language
            )
        cached.results.put(key, ranked)
        return ranked

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
    """The service with the embedder, upload limit (KNOWLEDGE_MAX_UPLOAD_BYTES: the API refuses
    larger uploads first; the server's own check guards other callers) and index backend
    (KNOWLEDGE_BACKEND) of settings."""
    azure = None
    if settings.knowledge_backend == "azure":
        azure = AzureKnowledge.from_settings(settings)
    return KnowledgeService(
        store=store,
        embedder=build_embedder(settings),
        max_bytes=settings.knowledge_max_upload_bytes,
        azure=azure,
    )
