"""How the knowledge handlers get their service: one per request, bound to the caller's tenant
(from the token, never from the client's input); the toolbox and supervision service it wraps
are the process's own."""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import Provide

from api.auth.dependencies import AUTH_DEPENDENCIES
from api.auth.services import Principal
from api.knowledge.services import KnowledgeService
from api.runtime import Runtime


def provide_knowledge(state: State, principal: Principal) -> KnowledgeService:
    """403 for a platform admin (no tenant, so no knowledge base)."""
    runtime: Runtime = state.runtime
    return KnowledgeService(
        runtime.graphs.toolbox,
        runtime.graphs.supervision,
        principal.tenant,
        runtime.settings.knowledge_max_upload_bytes,
    )


KNOWLEDGE_DEPENDENCIES: dict[str, Provide] = {
    "principal": AUTH_DEPENDENCIES["principal"],
    "knowledge": Provide(provide_knowledge, sync_to_thread=False),
}
