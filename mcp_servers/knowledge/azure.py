"""The knowledge index on Azure AI Search (KNOWLEDGE_BACKEND=azure): one index for every tenant,
each chunk carrying a filterable `tenant_id`, every query filtered by it.

Why one shared index and not one per tenant (docs/knowledge.md, "Azure AI Search"): a search
service holds 50 indexes on S1 and 200 on S2/S3, so index-per-tenant caps the number of tenants
by the pricing tier, and every tenant's index pays its own schema, synonym and HNSW overhead
however few chunks it has (our tenants are small: tens of FAQs, a few manuals). A shared index
with a tenant filter is Azure's documented pattern for many small tenants. What it costs is
that isolation rests on a filter; so the filter is built in one place (`tenant_filter`, from a
validated tenant id) and never optional, and a hit is only served when its key is one of the
tenant's *current* chunks as the store lists them (`AzureTenantIndex.keys`): even a filter bug
or a stale document left in Azure cannot put another tenant's (or a replaced version's) text in
an answer, because the text itself comes from our database, not from Azure.

The store stays the source of truth: `sync` makes the tenant's Azure documents equal to its
current chunks (upload the missing, delete the rest). Ranking is the local engine's: a text
query and a vector query (Azure BM25 with the Traditional Chinese analyzer, HNSW cosine), sent
together and fused here by the local engine's `fuse` (RRF k=60, top 20 a side, cross-language
chunks at their vector rank); the vector side's scores give the top hit's cosine the "I do not
know" margin needs (Azure's cosine score is 1 / (2 - cos)). Azure's vector side returns the top
20 by raw cosine, which `fuse` re-ranks over each language's baseline: a cross-language chunk
just outside that raw top 20 is not seen (the local index ranks all chunks).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ResourceNotFoundError
from azure.search.documents.aio import SearchClient
from azure.search.documents.indexes.aio import SearchIndexClient
from azure.search.documents.indexes.models import (
    SearchableField,
    SearchFieldDataType,
    SearchIndex,
    SimpleField,
)
from azure.search.documents.models import VectorizedQuery

from mcp_servers.promotion.search.azure import hnsw_vector
from mcp_servers.promotion.search.odata import quote

from .index import (
    SIDE_DEPTH,
    Baseline,
    IndexedChunk,
    Ranked,
    as_baseline,
    corpus_form,
    fuse,
    language_base,
    require_tenant,
)

if TYPE_CHECKING:
    from core.settings import Settings

VECTOR_FIELD = "content_vector"
VECTOR_PROFILE = "knowledge-vector-profile"
HNSW_CONFIG = "knowledge-hnsw"
ANALYZER = "zh-Hant.microsoft"
UPLOAD_BATCH = 100  # 3072-d vectors are ~60 KB of JSON each; Azure caps a batch at 16 MB
MAX_KEYS = 100_000  # a tenant's chunks listed for `sync` ($skip's limit in Azure)


def chunk_key(tenant_id: str, chunk_id: int) -> str:
    """Document key: the tenant (base64url, keys admit letters, digits, - _ =) and the chunk id,
    so two tenants' chunks can never share a key."""
    tenant = base64.urlsafe_b64encode(require_tenant(tenant_id).encode()).decode().rstrip("=")
    return f"{tenant}-{chunk_id}"


def tenant_filter(tenant_id: str, language: str | None = None) -> str:
    """The `$filter` of every request: the tenant always, the language's base when asked."""
    expression = f"tenant_id eq {quote(require_tenant(tenant_id))}"
    if language:
        expression += f" and language_base eq {quote(language_base(language))}"
    return expression


def cosine_from_score(score: float) -> float:
    """Azure's @search.score of a cosine vector query is 1 / (1 + (1 - cos))."""
    return 2.0 - 1.0 / score if score > 0 else -1.0


def build_schema(name: str, dimensions: int) -> SearchIndex:
    vector_field, vector_search = hnsw_vector(VECTOR_FIELD, VECTOR_PROFILE, HNSW_CONFIG, dimensions)
    fields = [
        SimpleField(name="id", type=SearchFieldDataType.STRING, key=True, filterable=True),
        SimpleField(name="tenant_id", type=SearchFieldDataType.STRING, filterable=True),
        SimpleField(name="language_base", type=SearchFieldDataType.STRING, filterable=True),
        SimpleField(name="source", type=SearchFieldDataType.STRING, filterable=True),
        SearchableField(name="title", analyzer_name=ANALYZER),
        SearchableField(name="heading", analyzer_name=ANALYZER),
        SearchableField(name="text", analyzer_name=ANALYZER),
        vector_field,
    ]
    return SearchIndex(name=name, fields=fields, vector_search=vector_search)


def chunk_document(tenant_id: str, chunk: IndexedChunk, vector: np.ndarray) -> dict[str, Any]:
    return {
        "id": chunk_key(tenant_id, chunk.chunk_id),
        "tenant_id": tenant_id,
        "language_base": language_base(chunk.language),
        "source": chunk.source_key,
        "title": chunk.title,
        "heading": " > ".join(chunk.heading_path),
        "text": chunk.text,
        VECTOR_FIELD: [float(x) for x in np.asarray(vector, dtype=np.float32)],
    }


class AzureKnowledge:
    """The shared Azure index: schema, per-tenant sync and the two side queries."""

    def __init__(
        self,
        endpoint: str,
        key: str,
        index_name: str,
        *,
        client_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.index_name = index_name
        self._credential = AzureKeyCredential(key)
        self._client_kwargs = client_kwargs or {}
        self._client: SearchClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._schema_dims: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> AzureKnowledge:
        if not settings.azure_search_endpoint or not settings.azure_search_key:
            raise ValueError(
                "KNOWLEDGE_BACKEND=azure needs AZURE_SEARCH_ENDPOINT and AZURE_SEARCH_KEY"
            )
        return cls(
            settings.azure_search_endpoint,
            settings.azure_search_key,
            settings.azure_search_knowledge_index,
        )

    async def _search_client(self) -> SearchClient:
        """One long-lived client per event loop (its aiohttp session is bound to the loop)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            self._client = SearchClient(
                self.endpoint, self.index_name, self._credential, **self._client_kwargs
            )
            self._client_loop = loop
        return self._client

    async def ensure_schema(self, dimensions: int) -> None:
        """Create or update the index once per process (and per embedding size)."""
        if self._schema_dims == dimensions:
            return
        async with SearchIndexClient(
            self.endpoint, self._credential, **self._client_kwargs
        ) as admin:
            await admin.create_or_update_index(build_schema(self.index_name, dimensions))
        self._schema_dims = dimensions

    async def tenant_keys(self, tenant_id: str) -> set[str]:
        client = await self._search_client()
        results = await client.search(
            search_text="*", filter=tenant_filter(tenant_id), select=["id"], top=MAX_KEYS
        )
        return {str(doc["id"]) async for doc in results}

    async def sync(
        self, tenant_id: str, chunks: Sequence[IndexedChunk], vectors: np.ndarray
    ) -> tuple[int, int]:
        """Make the tenant's Azure documents its current chunks: upload the missing ones first,
        then delete the rest (search serves only current keys meanwhile). (uploaded, deleted)."""
        if len(chunks):
            await self.ensure_schema(int(vectors.shape[1]))
        try:
            present = await self.tenant_keys(tenant_id)
        except ResourceNotFoundError:  # no index yet (nothing uploaded by any process)
            return 0, 0
        wanted = {chunk_key(tenant_id, c.chunk_id): i for i, c in enumerate(chunks)}
        client = await self._search_client()
        missing = [chunk_document(tenant_id, chunks[i], vectors[i])
                   for key, i in wanted.items() if key not in present]  # fmt: skip
        for start in range(0, len(missing), UPLOAD_BATCH):
            await client.merge_or_upload_documents(missing[start : start + UPLOAD_BATCH])
        stale = [{"id": key} for key in sorted(present - wanted.keys())]
        for start in range(0, len(stale), UPLOAD_BATCH):
            await client.delete_documents(stale[start : start + UPLOAD_BATCH])
        return len(missing), len(stale)

    async def sides(
        self, tenant_id: str, query: str, vector: np.ndarray, language: str | None
    ) -> tuple[list[str], list[tuple[str, float]]]:
        """The text side's keys and the vector side's (key, cosine), best first, in parallel."""
        client = await self._search_client()
        where = tenant_filter(tenant_id, language)

        async def text() -> list[str]:
            results = await client.search(
                search_text=query, filter=where, select=["id"], top=SIDE_DEPTH
            )
            return [str(doc["id"]) async for doc in results]

        async def dense() -> list[tuple[str, float]]:
            wanted = VectorizedQuery(
                vector=[float(x) for x in vector], k_nearest_neighbors=SIDE_DEPTH,
                fields=VECTOR_FIELD,
            )  # fmt: skip
            results = await client.search(
                search_text=None, vector_queries=[wanted], filter=where, select=["id"],
                top=SIDE_DEPTH,
            )  # fmt: skip
            return [(str(doc["id"]), cosine_from_score(float(doc["@search.score"])))
                    async for doc in results]  # fmt: skip

        lexical, vectors = await asyncio.gather(text(), dense())
        return lexical, vectors

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


class AzureTenantIndex:
    """One tenant's current chunks, searched on Azure; like `TenantIndex`, rebuilt on change."""

    def __init__(self, tenant_id: str, chunks: Sequence[IndexedChunk], azure: AzureKnowledge):
        self.tenant_id = require_tenant(tenant_id)
        self.chunks = list(chunks)
        self.azure = azure
        self.keys = {chunk_key(self.tenant_id, c.chunk_id): c for c in self.chunks}

    def __len__(self) -> int:
        return len(self.chunks)

    async def search(
        self,
        query: str,
        query_vector: np.ndarray,
        *,
        baseline: Baseline | float,
        top_k: int = 5,
        language: str | None = None,
    ) -> Ranked:
        if not self.chunks:
            return Ranked([], 0.0)
        # Azure's analyzer is Traditional Chinese: a zh-CN question is sent in that script
        text = corpus_form(query)
        lexical, dense = await self.azure.sides(self.tenant_id, text, query_vector, language)
        lexical = [k for k in lexical if k in self.keys]  # current chunks of this tenant only
        dense = [(k, cos) for k, cos in dense if k in self.keys]
        return fuse(self.keys, lexical, dense, query=query, baseline=as_baseline(baseline),
                    top_k=top_k)  # fmt: skip
