"""How the tag handlers get their service: one per process, built on first use (its cache and
locks are shared by every request of the process)."""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import Provide

from api.auth.dependencies import AUTH_DEPENDENCIES
from api.runtime import Runtime
from api.tags.services import TagService


def provide_tags(state: State) -> TagService:
    service: TagService | None = state.get("tag_service")
    if service is None:
        runtime: Runtime = state.runtime
        service = TagService(runtime.sessions, runtime.redis, runtime.settings.redis_key_prefix,
                             runtime.graphs.supervision)  # fmt: skip
        state.tag_service = service
    return service


TAG_DEPENDENCIES: dict[str, Provide] = {
    "principal": AUTH_DEPENDENCIES["principal"],
    "tags_service": Provide(provide_tags, sync_to_thread=False),
}
