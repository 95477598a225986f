"""`/api/tags` and the session-tag routes (seed 003 v3.0 routes 5-9). HTTP only.

Any agent or admin (seed: require_agent) reads, creates custom tags and tags sessions; store
staff get 403. Deleting a custom tag (not one of the seed's routes) is for admins.
"""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.params import Parameter

from api.auth.controllers import BEARER
from api.auth.guards import admin_only, customer_service
from api.auth.services import Principal
from api.chat.schemas import SESSION_NAME_PATTERN
from api.errors import error_responses
from api.tags.dependencies import TAG_DEPENDENCIES
from api.tags.schemas import (
    Done,
    SessionTagAdd,
    SessionTags,
    SessionTagsResponse,
    TagCreate,
    TaggedSessionsResponse,
    TagListResponse,
    TagOut,
    TagResponse,
)
from api.tags.services import TagService

TAG_ID = Parameter(pattern=r"^[A-Za-z0-9_-]{1,40}$", max_length=40)
NAME = Parameter(pattern=SESSION_NAME_PATTERN, max_length=64)


class TagsController(Controller):
    path = "/api/tags"
    tags = ("tags",)  # type: ignore[assignment]
    dependencies = TAG_DEPENDENCIES  # type: ignore[assignment]
    guards = [customer_service]  # noqa: RUF012

    @get(
        "/",
        security=BEARER,
        summary="All tags: system (not deletable) and custom, with usage counts",
        description="Cached 5 minutes per instance; any write shows at once on every instance.",
        responses=error_responses(401, 403),
    )
    async def list_tags(self, tags_service: TagService, principal: Principal) -> TagListResponse:
        listed = await tags_service.listing(principal.tenant)
        return TagListResponse.model_validate({"data": listed})

    @post(
        "/",
        status_code=200,
        security=BEARER,
        summary="Create a custom tag",
        description="400 INVALID_TAG_NAME (1-20 characters), INVALID_COLOR (hex), "
        "INVALID_ICON, TAG_EXISTS (any letter case).",
        responses=error_responses(400, 401, 403, 422),
    )
    async def create_tag(
        self, data: TagCreate, tags_service: TagService, principal: Principal
    ) -> TagResponse:
        return TagResponse(data=TagOut.of(await tags_service.create(principal, data)))

    @delete(
        "/{tag_id:str}",
        status_code=200,
        guards=[admin_only],
        security=BEARER,
        summary="Delete a custom tag (admin): it leaves every session; 400 SYSTEM_TAG",
        responses=error_responses(400, 401, 403, 404),
    )
    async def delete_tag(
        self, tags_service: TagService, principal: Principal, tag_id: str = TAG_ID
    ) -> Done:
        await tags_service.delete(principal.tenant, tag_id)
        return Done(message="標籤已刪除")


class SessionTagsController(Controller):
    path = "/api/sessions"
    tags = ("tags",)  # type: ignore[assignment]
    dependencies = TAG_DEPENDENCIES  # type: ignore[assignment]
    guards = [customer_service]  # noqa: RUF012

    @get(
        "/by-tag/{tag_id:str}",
        security=BEARER,
        summary="Sessions carrying a tag, most recently tagged first (paged)",
        responses=error_responses(400, 401, 403, 404),
    )
    async def sessions_by_tag(
        self,
        tags_service: TagService,
        principal: Principal,
        tag_id: str = TAG_ID,
        page: int = Parameter(default=1, ge=1, le=100_000),
        page_size: int = Parameter(default=20, ge=1, le=100),
    ) -> TaggedSessionsResponse:
        found = await tags_service.sessions_by_tag(principal.tenant, tag_id, page, page_size)
        return TaggedSessionsResponse.model_validate({"data": found})

    @get(
        "/{session_name:str}/tags",
        security=BEARER,
        summary="A session's tags, in the order they were added",
        responses=error_responses(400, 401, 403),
    )
    async def session_tags(
        self, tags_service: TagService, principal: Principal, session_name: str = NAME
    ) -> SessionTagsResponse:
        tags = await tags_service.session_tags(principal.tenant, session_name)
        return SessionTagsResponse(data=SessionTags(session_name=session_name, tags=tags))

    @post(
        "/{session_name:str}/tags",
        status_code=200,
        security=BEARER,
        summary="Tag a session (at most 10 tags: 409 TOO_MANY_TAGS on the 11th)",
        description="400 TAG_ALREADY_ADDED; 404 SESSION_NOT_FOUND, TAG_NOT_FOUND.",
        responses=error_responses(400, 401, 403, 404, 409, 422),
    )
    async def add_tag(
        self,
        data: SessionTagAdd,
        tags_service: TagService,
        principal: Principal,
        session_name: str = NAME,
    ) -> SessionTagsResponse:
        added = await tags_service.add(principal, session_name, data.tag_id)
        return SessionTagsResponse.model_validate({"data": added})

    @delete(
        "/{session_name:str}/tags/{tag_id:str}",
        status_code=200,
        security=BEARER,
        summary="Take a tag off a session (404 TAG_NOT_ON_SESSION)",
        responses=error_responses(400, 401, 403, 404),
    )
    async def remove_tag(
        self,
        tags_service: TagService,
        principal: Principal,
        session_name: str = NAME,
        tag_id: str = TAG_ID,
    ) -> Done:
        await tags_service.remove(principal.tenant, session_name, tag_id)
        return Done(message="標籤已移除")
