"""The backend `settings.search_backend` names (embedded hybrid or Azure AI Search), built and
with its index made current: the one place the promotion server and `make run` get a retriever.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.embeddings import Embedder, build_embedder
from mcp_servers.backoffice.records import Plan

from .retriever import LocalHybridRetriever, PromotionRetriever

if TYPE_CHECKING:
    from core.settings import Settings


def build_retriever(
    settings: Settings,
    plans: Sequence[Plan] | None = None,
    *,
    embedder: Embedder | None = None,
) -> PromotionRetriever:
    """The backend `settings.search_backend` names; with `plans`, its index is made current.

    For the Azure backend with `plans` this runs the async index setup with `asyncio.run`, so
    it must not be called from inside an event loop: use `await open_retriever(...)` there.
    """
    embedder = embedder or build_embedder(settings)
    if settings.search_backend == "azure":
        from .azure import AzureSearchRetriever

        azure = AzureSearchRetriever.from_settings(settings, embedder)
        if plans is not None:
            asyncio.run(azure.ensure_index(plans))
        return azure
    local = LocalHybridRetriever(embedder, index_dir=settings.search_index_dir)
    if plans is not None:
        local.ensure_index_sync(plans)
    return local


async def open_retriever(
    settings: Settings,
    plans: Sequence[Plan],
    *,
    embedder: Embedder | None = None,
) -> PromotionRetriever:
    """Async construction for servers: build the backend, then load or build its index."""
    retriever = await asyncio.to_thread(build_retriever, settings, None, embedder=embedder)
    await retriever.ensure_index(plans)
    return retriever
