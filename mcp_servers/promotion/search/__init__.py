"""Promotion search: one retriever interface over an embedded hybrid index or Azure AI Search.

Typical use (the promotion MCP server)::

    retriever = await open_retriever(settings, plans)          # loads or builds the index
    shaped = shape_query("學生 吃到飽", customer_context)         # query text + filters
    hits = await retriever.search(shaped.text, filters=shaped.filters, top_k=5)

or in one call: ``await search_with_context(retriever, query, customer_context, top_k=5)``.
"""

from __future__ import annotations

from core.embeddings import E5Embedder, Embedder, LangChainEmbedder, build_embedder

from .backends import build_retriever, open_retriever
from .constraints import Constraint, ParsedQuery
from .models import IndexReport, SearchFilters, SearchHit, passage_text, plan_text
from .parser import parse_query
from .query import CustomerContext, ShapedQuery, expand_for_lexical, shape_query
from .retriever import LocalHybridRetriever, PromotionRetriever


async def search_with_context(
    retriever: PromotionRetriever,
    query: str,
    customer_context: CustomerContext | dict | None = None,
    *,
    filters: SearchFilters | None = None,
    top_k: int = 5,
) -> list[SearchHit]:
    """Shape the query from the customer's context, then search; explicit `filters` win."""
    shaped = shape_query(query, customer_context)
    return await retriever.search(shaped.text, filters=shaped.filters.merged(filters), top_k=top_k)


def understood_constraints(
    query: str, customer_context: CustomerContext | dict | None = None
) -> list[str]:
    """What the search understood from the text (and the context), for staff to see why:
    e.g. '月租 ≤ 999 ←「不超過999」(filter)'. Both backends apply exactly these."""
    return parse_query(shape_query(query, customer_context).text).labels()


__all__ = [
    "Constraint",
    "CustomerContext",
    "E5Embedder",
    "Embedder",
    "IndexReport",
    "LangChainEmbedder",
    "LocalHybridRetriever",
    "ParsedQuery",
    "PromotionRetriever",
    "SearchFilters",
    "SearchHit",
    "ShapedQuery",
    "build_embedder",
    "build_retriever",
    "expand_for_lexical",
    "open_retriever",
    "parse_query",
    "passage_text",
    "plan_text",
    "search_with_context",
    "shape_query",
    "understood_constraints",
]
