"""How the knowledge handlers get their service: one per process, built on first use."""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import Provide

from api.auth.dependencies import AUTH_DEPENDENCIES
from api.knowledge.services import KnowledgeService
from api.runtime import Runtime


def provide_knowledge(state: State) -> KnowledgeService:
    service: KnowledgeService | None = state.get("knowledge_service")
    if service is None:
        runtime: Runtime = state.runtime
        settings = runtime.settings
        service = KnowledgeService(
            runtime.graphs.toolbox,
            runtime.graphs.supervision,
            settings.knowledge_tenant,
            settings.knowledge_max_upload_bytes,
        )
        state.knowledge_service = service
    return service


KNOWLEDGE_DEPENDENCIES: dict[str, Provide] = {
    "principal": AUTH_DEPENDENCIES["principal"],
    "knowledge": Provide(provide_knowledge, sync_to_thread=False),
}
