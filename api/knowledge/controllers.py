"""`/api/knowledge`: FAQ CRUD with versions, document upload/status/delete, search and
suggestions. HTTP only: the knowledge MCP server does the work.

Admins manage (write) the knowledge base; agents and admins read, search and get suggestions
(there is no supervisor role yet). Store staff get 403.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, delete, get, patch, post, put
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.handlers import BaseRouteHandler
from litestar.openapi import ResponseSpec
from litestar.params import Body, Parameter
from pydantic import BaseModel, ConfigDict

from api.auth.controllers import BEARER
from api.auth.guards import admin_only, customer_service
from api.auth.services import Principal
from api.chat.schemas import SESSION_NAME_PATTERN
from api.errors import ErrorBody, error_responses
from api.knowledge.dependencies import KNOWLEDGE_DEPENDENCIES
from api.knowledge.schemas import (
    DocumentPageResponse,
    DocumentResponse,
    Done,
    FaqCreate,
    FaqPageResponse,
    FaqResponse,
    FaqUpdate,
    FaqVersionsResponse,
    SearchResponse,
    SuggestionsResponse,
)
from api.knowledge.services import KnowledgeService
from core.errors import TooLarge

ID = Parameter(pattern=r"^[A-Za-z0-9_-]{1,64}$", max_length=64)
NAME = Parameter(pattern=SESSION_NAME_PATTERN, max_length=64)
LIMIT = Parameter(default=50, ge=1, le=200)
OFFSET = Parameter(default=0, ge=0, le=1_000_000)
# The route's own body ceiling (the largest KNOWLEDGE_MAX_UPLOAD_BYTES plus the multipart frame):
# a chunked upload with no Content-Length is cut there; the setting is checked before parsing.
UPLOAD_CEILING = 201 * 1024 * 1024
MULTIPART_SLACK = 64 * 1024  # boundary, part headers and the form's other fields
_415 = ResponseSpec(data_container=ErrorBody, generate_examples=False,
                    description="Not a PDF, DOCX, Markdown, HTML or text file (by content), "
                    "or its declared type contradicts the content")  # fmt: skip


async def upload_fits(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """413 TOO_LARGE from the Content-Length alone, before any byte of the body is read."""
    limit: int = connection.app.state.runtime.settings.knowledge_max_upload_bytes
    declared = connection.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MULTIPART_SLACK:
        raise TooLarge(f"upload of {declared} bytes is over the limit of {limit} bytes",
                       reason="too large", limit=limit)  # fmt: skip


class UploadForm(BaseModel):
    """multipart/form-data: one `file` (closed: an unknown form field is refused)."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    file: UploadFile


class KnowledgeController(Controller):
    path = "/api/knowledge"
    tags = ("knowledge",)  # type: ignore[assignment]
    dependencies = KNOWLEDGE_DEPENDENCIES  # type: ignore[assignment]
    guards = [customer_service]  # noqa: RUF012

    # FAQs ---------------------------------------------------------------------------------

    @get("/faqs", security=BEARER, summary="FAQs, newest first (filter by category, published)",
         responses=error_responses(400, 401, 403, 422, 503))  # fmt: skip
    async def list_faqs(
        self,
        knowledge: KnowledgeService,
        category: str | None = Parameter(default=None, min_length=1, max_length=40),
        published: bool | None = None,
        limit: int = LIMIT,
        offset: int = OFFSET,
    ) -> FaqPageResponse:
        page = await knowledge.list_faqs(category, published, limit, offset)
        return FaqPageResponse(data=page)

    @post("/faqs", status_code=201, guards=[admin_only], security=BEARER,
          summary="Create an FAQ (admin): version 1, searchable at once when published",
          responses=error_responses(400, 401, 403, 422, 503))  # fmt: skip
    async def create_faq(
        self, data: FaqCreate, knowledge: KnowledgeService, principal: Principal
    ) -> FaqResponse:
        return FaqResponse(data=await knowledge.create_faq(principal, data))

    @get("/faqs/{faq_id:str}", security=BEARER, summary="One FAQ",
         responses=error_responses(400, 401, 403, 404, 503))  # fmt: skip
    async def get_faq(self, knowledge: KnowledgeService, faq_id: str = ID) -> FaqResponse:
        faq, _ = await knowledge.get_faq(faq_id)
        return FaqResponse(data=faq)

    @get("/faqs/{faq_id:str}/versions", security=BEARER,
         summary="An FAQ's version history, newest first (who edited, when)",
         responses=error_responses(400, 401, 403, 404, 503))  # fmt: skip
    async def faq_versions(
        self, knowledge: KnowledgeService, faq_id: str = ID
    ) -> FaqVersionsResponse:
        _, history = await knowledge.get_faq(faq_id)
        return FaqVersionsResponse(data=history)

    @patch("/faqs/{faq_id:str}", guards=[admin_only], security=BEARER,
           summary="Change an FAQ (admin): only the fields given; a new version",
           responses=error_responses(400, 401, 403, 404, 422, 503))  # fmt: skip
    async def update_faq(
        self, data: FaqUpdate, knowledge: KnowledgeService, principal: Principal,
        faq_id: str = ID,
    ) -> FaqResponse:  # fmt: skip
        return FaqResponse(data=await knowledge.update_faq(principal, faq_id, data))

    @delete("/faqs/{faq_id:str}", status_code=200, guards=[admin_only], security=BEARER,
            summary="Delete an FAQ (admin), its history and its index entry",
            responses=error_responses(400, 401, 403, 404, 503))  # fmt: skip
    async def delete_faq(self, knowledge: KnowledgeService, faq_id: str = ID) -> Done:
        await knowledge.delete_faq(faq_id)
        return Done(message="FAQ 已刪除")

    # Documents ----------------------------------------------------------------------------

    @post("/documents", status_code=202, guards=[admin_only, upload_fits], security=BEARER,
          request_max_body_size=UPLOAD_CEILING,
          summary="Upload a document (admin): PDF, DOCX, Markdown, HTML or text, typed by content",
          description="multipart/form-data with one `file`. Answers the queued document at once "
          "(poll GET /api/knowledge/documents/{id} for status and progress); the same bytes "
          "again answer the existing document with `duplicate: true`. 413 TOO_LARGE over "
          "KNOWLEDGE_MAX_UPLOAD_BYTES; 415 UNSUPPORTED_TYPE / TYPE_MISMATCH.",
          responses={**error_responses(400, 401, 403, 413, 422, 503), 415: _415})  # fmt: skip
    async def upload(
        self,
        knowledge: KnowledgeService,
        data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> DocumentResponse:
        upload = data.file
        content = await upload.read()
        found = await knowledge.upload(upload.filename, content, upload.content_type or None)
        return DocumentResponse(data=found)

    @put("/documents/{document_id:str}", status_code=202, guards=[admin_only, upload_fits],
         security=BEARER, request_max_body_size=UPLOAD_CEILING,
         summary="Upload a new version of a document (admin)",
         description="multipart/form-data with one `file`: queued as the document's next "
         "version. Search keeps citing the current version until the new one is ready, then "
         "serves only the new chunks (one swap, never a mix); a failed version leaves the "
         "current one serving. Same limits and types as POST /documents; 404 NOT_FOUND for "
         "an unknown id; the current bytes again answer with `duplicate: true`.",
         responses={**error_responses(400, 401, 403, 404, 413, 422, 503), 415: _415})  # fmt: skip
    async def reupload(
        self,
        knowledge: KnowledgeService,
        data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
        document_id: str = ID,
    ) -> DocumentResponse:
        upload = data.file
        content = await upload.read()
        found = await knowledge.upload(
            upload.filename, content, upload.content_type or None, document_id=document_id
        )
        return DocumentResponse(data=found)

    @get("/documents", security=BEARER, summary="Documents with their ingestion status",
         responses=error_responses(400, 401, 403, 422, 503))  # fmt: skip
    async def list_documents(
        self,
        knowledge: KnowledgeService,
        status: Literal["queued", "processing", "ready", "failed"] | None = None,
        limit: int = LIMIT,
        offset: int = OFFSET,
    ) -> DocumentPageResponse:
        return DocumentPageResponse(data=await knowledge.list_documents(status, limit, offset))

    @get("/documents/{document_id:str}", security=BEARER,
         summary="A document's status (queued/processing/ready/failed), progress and reason",
         responses=error_responses(400, 401, 403, 404, 503))  # fmt: skip
    async def document(
        self, knowledge: KnowledgeService, document_id: str = ID
    ) -> DocumentResponse:
        return DocumentResponse(data=await knowledge.document(document_id))

    @delete("/documents/{document_id:str}", status_code=200, guards=[admin_only], security=BEARER,
            summary="Delete a document (admin): its chunks leave search at once",
            responses=error_responses(400, 401, 403, 404, 503))  # fmt: skip
    async def delete_document(self, knowledge: KnowledgeService, document_id: str = ID) -> Done:
        await knowledge.delete_document(document_id)
        return Done(message="文件已刪除")

    # Search and suggestions ---------------------------------------------------------------

    @get("/search", security=BEARER,
         summary="Hybrid search over FAQs and documents, each hit with its citation",
         description="`answerable: false` means nothing relevant was found: say so.",
         responses=error_responses(400, 401, 403, 422, 503))  # fmt: skip
    async def search(
        self,
        knowledge: KnowledgeService,
        q: str = Parameter(min_length=1, max_length=1000),
        top_k: int = Parameter(default=5, ge=1, le=20),
        language: str | None = Parameter(default=None, min_length=2, max_length=16),
    ) -> SearchResponse:
        return SearchResponse(data=await knowledge.search(q, top_k, language))

    @get("/suggestions", security=BEARER,
         summary="FAQs and documents related to a chat, from its latest customer turns",
         responses=error_responses(400, 401, 403, 404, 422, 503))  # fmt: skip
    async def suggestions(
        self,
        knowledge: KnowledgeService,
        session_name: str = NAME,
        limit: int = Parameter(default=3, ge=1, le=10),
    ) -> SuggestionsResponse:
        return SuggestionsResponse(data=await knowledge.suggestions(session_name, limit))
