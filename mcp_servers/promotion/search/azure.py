"""Azure AI Search backend (azure-search-documents 12, async client over aiohttp).

Azure fuses its BM25 text ranking and HNSW vector ranking with RRF itself, so this backend
sends one hybrid request (`search` + `vectorQueries`) per query; the query vector comes from
the same embedder the index was built with and is composed as the local engine's (typed words
and context apart, dense_query.py). The index schema, a synonym map (the same thesaurus as the
local backend), and the documents are created by `ensure_index`, which skips the upload when
every document already carries the current content hash.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from azure.core.credentials import AzureKeyCredential
from azure.search.documents.aio import SearchClient
from azure.search.documents.indexes.aio import SearchIndexClient
from azure.search.documents.indexes.models import (
    HnswAlgorithmConfiguration,
    HnswParameters,
    SearchableField,
    SearchField,
    SearchFieldDataType,
    SearchIndex,
    SemanticConfiguration,
    SemanticField,
    SemanticPrioritizedFields,
    SemanticSearch,
    SimpleField,
    SynonymMap,
    VectorSearch,
    VectorSearchProfile,
)
from azure.search.documents.models import VectorizedQuery

from core.embeddings import Embedder
from mcp_servers.backoffice.records import Plan

from .constraints import SOFT_WEIGHT, ParsedQuery, cheapest_floor, with_parsed
from .dense_query import QueryVectors
from .facets import facets_from_document, facets_of
from .models import (
    IndexAction,
    IndexReport,
    SearchFilters,
    SearchHit,
    content_hash,
    passage_text,
    plan_text,
)
from .odata import filters_to_odata, odata_date, quote
from .parser import parse_query
from .query import SYNONYMS

if TYPE_CHECKING:
    from core.settings import Settings

VECTOR_FIELD = "content_vector"
# What a search result carries back: enough to re-rank by soft constraints client-side.
RESULT_FIELDS = (
    "plan_id", "monthly_fee", "data_gb", "contract_months", "with_device", "plan_type",
    "speed_after_mbps", "voice_minutes", "throttled", "voice_unlimited", "has_gift",
    "device_discount", "perks", "audiences", "networks", "brands",
)  # fmt: skip
VECTOR_PROFILE = "promotion-vector-profile"
HNSW_CONFIG = "promotion-hnsw"
SYNONYM_MAP = "promotion-synonyms"
ANALYZER = "zh-Hant.microsoft"  # Microsoft's Traditional Chinese word breaker
SCHEMA_VERSION = "azure-v6"  # v2: facet fields the constraints filter on; v3: perk price_drop;
# v4: a perk a sheet names as absent (不拉光纖) is not offered; v5: audience "general";
# v6: audience "upgrade_4g" (the 4G-to-5G renewals)
SOFT_FETCH = 50  # with soft constraints, fetch this many and re-rank like the local engine
UPLOAD_BATCH = 100  # 3072-d vectors are ~60 KB of JSON each; Azure caps a batch at 16 MB


def build_synonym_map() -> SynonymMap:
    """The local thesaurus in Solr format, so both backends treat 吃到飽 and 不限量 alike."""
    return SynonymMap(name=SYNONYM_MAP, synonyms=[", ".join(group) for group in SYNONYMS])


def hnsw_vector(
    field: str, profile: str, config: str, dimensions: int
) -> tuple[SearchField, VectorSearch]:
    """One cosine HNSW vector field and its profile (the promotion and knowledge indexes)."""
    vector = SearchField(
        name=field,
        type="Collection(Edm.Single)",
        searchable=True,
        vector_search_dimensions=dimensions,
        vector_search_profile_name=profile,
    )
    search = VectorSearch(
        algorithms=[
            HnswAlgorithmConfiguration(name=config, parameters=HnswParameters(metric="cosine"))
        ],
        profiles=[VectorSearchProfile(name=profile, algorithm_configuration_name=config)],
    )
    return vector, search


def build_index_schema(
    name: str, dimensions: int, *, semantic_config: str | None = None, synonyms: bool = True
) -> SearchIndex:
    """Searchable text fields, filterable metadata, one HNSW cosine vector field."""
    maps = [SYNONYM_MAP] if synonyms else None

    def text(field: str, *, collection: bool = False) -> SearchField:
        return SearchableField(
            name=field, collection=collection, analyzer_name=ANALYZER, synonym_map_names=maps
        )

    vector_field, vector_search = hnsw_vector(VECTOR_FIELD, VECTOR_PROFILE, HNSW_CONFIG, dimensions)
    fields = [
        SimpleField(name="plan_id", type=SearchFieldDataType.STRING, key=True, filterable=True),
        text("name"),
        text("description"),
        text("tags", collection=True),
        text("target_customers"),
        text("gifts", collection=True),
        SimpleField(
            name="plan_type", type=SearchFieldDataType.STRING, filterable=True, facetable=True
        ),
        SimpleField(name="with_device", type=SearchFieldDataType.BOOLEAN, filterable=True),
        SimpleField(name="contract_months", type=SearchFieldDataType.INT32, filterable=True),
        SimpleField(
            name="monthly_fee", type=SearchFieldDataType.INT32, filterable=True, sortable=True
        ),
        SimpleField(name="data_gb", type=SearchFieldDataType.DOUBLE, filterable=True),
        SimpleField(name="required_identity", type=SearchFieldDataType.STRING, filterable=True),
        SimpleField(name="valid_from", type=SearchFieldDataType.DATE_TIME_OFFSET, filterable=True),
        SimpleField(name="valid_to", type=SearchFieldDataType.DATE_TIME_OFFSET, filterable=True),
        SimpleField(name="speed_after_mbps", type=SearchFieldDataType.DOUBLE, filterable=True),
        SimpleField(name="voice_minutes", type=SearchFieldDataType.DOUBLE, filterable=True),
        SimpleField(name="throttled", type=SearchFieldDataType.BOOLEAN, filterable=True),
        SimpleField(name="voice_unlimited", type=SearchFieldDataType.BOOLEAN, filterable=True),
        SimpleField(name="has_gift", type=SearchFieldDataType.BOOLEAN, filterable=True),
        SimpleField(name="device_discount", type=SearchFieldDataType.INT32, filterable=True),
        *(
            SimpleField(
                name=name,
                type="Collection(Edm.String)",
                filterable=True,
            )
            for name in ("perks", "audiences", "networks", "brands")
        ),
        SimpleField(name="index_version", type=SearchFieldDataType.STRING, filterable=True),
        vector_field,
    ]
    semantic = None
    if semantic_config:
        prioritized = SemanticPrioritizedFields(
            title_field=SemanticField(field_name="name"),
            content_fields=[
                SemanticField(field_name="description"),
                SemanticField(field_name="gifts"),
            ],
            keywords_fields=[
                SemanticField(field_name="tags"),
                SemanticField(field_name="target_customers"),
            ],
        )
        semantic = SemanticSearch(
            default_configuration_name=semantic_config,
            configurations=[
                SemanticConfiguration(name=semantic_config, prioritized_fields=prioritized)
            ],
        )
    return SearchIndex(
        name=name, fields=fields, vector_search=vector_search, semantic_search=semantic
    )


def plan_to_document(plan: Plan, vector: Sequence[float], version: str) -> dict[str, Any]:
    return {
        "plan_id": plan.plan_id,
        "name": plan.name,
        "description": plan.description,
        "tags": list(plan.tags),
        "target_customers": plan.target_customers,
        "gifts": list(plan.gifts),
        "plan_type": plan.plan_type,
        "with_device": plan.with_device,
        "contract_months": plan.contract_months,
        "monthly_fee": plan.monthly_fee,
        "data_gb": plan.data_gb,
        "required_identity": plan.rules.required_identity,
        "valid_from": odata_date(plan.valid_from),
        "valid_to": odata_date(plan.valid_to),
        "index_version": version,
        **facets_of(plan).document_fields(),
        VECTOR_FIELD: [float(x) for x in vector],
    }


class AzureSearchRetriever:
    """`PromotionRetriever` on Azure AI Search; hybrid ranking is done by the service."""

    backend = "azure"

    def __init__(
        self,
        endpoint: str,
        key: str,
        index_name: str,
        embedder: Embedder,
        *,
        semantic_config: str | None = None,
        vector_k: int = 20,
        synonyms: bool = True,
        client_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.index_name = index_name
        self.embedder = embedder
        # the local engine's query vector (typed words apart from the context's), same cache
        self.query_vectors = QueryVectors(embedder)
        self.semantic_config = semantic_config
        self.vector_k = vector_k
        self.synonyms = synonyms
        self._credential = AzureKeyCredential(key)
        self._client_kwargs = client_kwargs or {}
        self._client: SearchClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder) -> AzureSearchRetriever:
        if not settings.azure_search_endpoint or not settings.azure_search_key:
            raise ValueError(
                "SEARCH_BACKEND=azure needs AZURE_SEARCH_ENDPOINT and AZURE_SEARCH_KEY"
            )
        return cls(
            settings.azure_search_endpoint,
            settings.azure_search_key,
            settings.azure_search_index,
            embedder,
            semantic_config=settings.azure_search_semantic_config,
        )

    def _new_client(self) -> SearchClient:
        return SearchClient(self.endpoint, self.index_name, self._credential, **self._client_kwargs)

    async def _search_client(self) -> SearchClient:
        """One long-lived client per event loop (its aiohttp session is bound to the loop)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            self._client = self._new_client()
            self._client_loop = loop
        return self._client

    async def ensure_index(self, plans: Sequence[Plan]) -> IndexReport:
        """Create/update schema and synonyms; upload only when the content hash changed."""
        started = time.perf_counter()
        # Every field is uploaded, so any change (a fee, a date) means a new upload.
        ids = [p.plan_id for p in plans]
        version = content_hash(
            [f"{plan_text(p)}\x1f{passage_text(p)}\x1f{p.model_dump_json()}" for p in plans],
            ids,
            SCHEMA_VERSION,
            self.embedder.name,
        )
        dims = await asyncio.to_thread(lambda: self.embedder.dim)
        schema = build_index_schema(
            self.index_name, dims, semantic_config=self.semantic_config, synonyms=self.synonyms
        )
        async with SearchIndexClient(
            self.endpoint, self._credential, **self._client_kwargs
        ) as admin:
            if self.synonyms:
                await admin.create_or_update_synonym_map(build_synonym_map())
            await admin.create_or_update_index(schema)
        async with self._new_client() as client:
            current = await client.search(
                search_text="*",
                filter=f"index_version eq {quote(version)}",
                include_total_count=True,
                top=0,
            )
            if await current.get_count() == len(plans):
                return self._report("unchanged", plans, 0, version, started)
            passages = [passage_text(p) for p in plans]
            vectors = await asyncio.to_thread(self.embedder.embed_passages, passages)
            docs = [plan_to_document(p, v, version) for p, v in zip(plans, vectors, strict=True)]
            for start in range(0, len(docs), UPLOAD_BATCH):
                await client.merge_or_upload_documents(docs[start : start + UPLOAD_BATCH])
            stale_results = await client.search(
                search_text="*",
                filter=f"index_version ne {quote(version)}",
                select=["plan_id"],
                top=1000,
            )
            stale = [{"plan_id": doc["plan_id"]} async for doc in stale_results]
            if stale:
                await client.delete_documents(stale)
        return self._report("uploaded", plans, len(docs), version, started)

    def _report(
        self,
        action: IndexAction,
        plans: Sequence[Plan],
        embedded: int,
        version: str,
        started: float,
    ) -> IndexReport:
        return IndexReport(
            backend="azure",
            action=action,
            documents=len(plans),
            embedded=embedded,
            content_hash=version,
            seconds=round(time.perf_counter() - started, 4),
        )

    async def search(
        self, query: str, *, filters: SearchFilters | None = None, top_k: int = 5
    ) -> list[SearchHit]:
        """Hard constraints go into `$filter`; soft ones re-rank the fetched hits client-side
        with the same `Constraint.satisfaction` the local engine uses."""
        if top_k <= 0 or not query.strip():
            return []
        parsed = parse_query(query)
        explicit = filters or SearchFilters()
        docs = await self._hybrid(parsed, with_parsed(explicit, parsed), top_k)
        relaxed = not docs and bool(parsed.hard)
        if relaxed:  # nothing meets the hard constraints: rank by them instead, and say so
            docs = await self._hybrid(parsed, explicit, top_k)
        boosts = parsed.constraints if relaxed else parsed.soft
        scored: list[tuple[float, dict[str, Any], tuple[str, ...]]] = []
        every = [facets_from_document(doc) for doc in docs]
        unasked = [sum(float(c.satisfaction(f)) for c in parsed.defaults) for f in every]
        opened = [bool(parsed.counts_for_floor(f)) for f in every]
        floor = cheapest_floor([float(f.monthly_fee) for f in every], opened)
        for doc, facets, default in zip(docs, every, unasked, strict=True):
            reranker = doc.get("@search.reranker_score")
            score = float(reranker if reranker is not None else doc.get("@search.score") or 0.0)
            sat = {c.label: float(c.satisfaction(facets, floor)) for c in boosts}
            score += SOFT_WEIGHT * (sum(sat.values()) + default)
            scored.append((score, doc, tuple(label for label, v in sat.items() if v < 0.5)))
        scored.sort(key=lambda item: -item[0])  # stable: the service's order on ties
        return [
            SearchHit(
                plan_id=str(doc["plan_id"]),
                score=score,
                matched=("azure",),
                unmet=unmet,
                relaxed=relaxed,
            )
            for score, doc, unmet in scored[:top_k]
        ]

    async def _hybrid(
        self, parsed: ParsedQuery, filters: SearchFilters, top_k: int
    ) -> list[dict[str, Any]]:
        vector = await asyncio.to_thread(self.query_vectors.of, parsed)
        fetch = max(SOFT_FETCH, top_k) if parsed.constraints or parsed.defaults else top_k
        vector_query = VectorizedQuery(
            vector=[float(x) for x in vector],
            k_nearest_neighbors=max(self.vector_k, fetch),
            fields=VECTOR_FIELD,
        )
        extra: dict[str, Any] = {}
        if self.semantic_config:
            extra = {"query_type": "semantic", "semantic_configuration_name": self.semantic_config}
        client = await self._search_client()
        results = await client.search(
            search_text=parsed.residual or None,
            vector_queries=[vector_query],
            filter=filters_to_odata(filters),
            top=fetch,
            select=list(RESULT_FIELDS),
            **extra,
        )
        return [dict(doc) async for doc in results]

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
