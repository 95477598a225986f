"""Knowledge routes → knowledge MCP server tools, for the caller's tenant.

The tenant comes from the caller's token (api/knowledge/dependencies.py), never from the
client's input; the server checks it on every row. Text leaving the API passes `mask_in_text`,
so a national ID typed into an FAQ or a document never reaches a screen unmasked.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from api.auth.services import Principal
from api.knowledge.schemas import (
    DocumentOut,
    DocumentPage,
    FaqCreate,
    FaqOut,
    FaqPage,
    FaqUpdate,
    FaqVersionOut,
    HitOut,
    SearchOut,
    SuggestionOut,
    Suggestions,
)
from core.errors import InvalidInput, TooLarge
from core.national_id import mask_in_text
from graphs.supervision.service import SupervisionService
from tools.mcp import McpToolbox

SUGGEST_TURNS = 6  # the customer's latest turns searched for suggestions (the tail weighs most)
_MASKED = ("question", "answer", "title", "text", "snippet", "reason", "filename")


def masked(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record with its free-text fields passed through `mask_in_text`."""
    return {k: mask_in_text(v) if k in _MASKED and isinstance(v, str) else v
            for k, v in record.items()}  # fmt: skip


def customer_turns(session: Mapping[str, Any], turns: int = SUGGEST_TURNS) -> str:
    """The customer's latest messages, oldest first, one a line (what suggestions search)."""
    history = session.get("history") or []
    said = [str(m.get("content") or "") for m in history if m.get("role") == "user"]
    return "\n".join(t for t in said[-turns:] if t.strip())


class KnowledgeService:
    def __init__(
        self, toolbox: McpToolbox, supervision: SupervisionService, tenant: str, max_bytes: int
    ) -> None:
        self.toolbox = toolbox
        self.supervision = supervision
        self.tenant = tenant
        self.max_bytes = max_bytes

    async def _call(self, tool: str, **arguments: Any) -> Any:
        return await self.toolbox.call(tool, tenant_id=self.tenant, **arguments)

    # FAQs ---------------------------------------------------------------------------------

    async def list_faqs(
        self, category: str | None, published: bool | None, limit: int, offset: int
    ) -> FaqPage:
        found = await self._call("list_faqs", category=category, published=published,
                                 limit=limit, offset=offset)  # fmt: skip
        items = [FaqOut.model_validate(masked(i)) for i in found["items"]]
        return FaqPage(total=found["total"], items=items)

    async def create_faq(self, principal: Principal, body: FaqCreate) -> FaqOut:
        found = await self._call("create_faq", faq=body.model_dump(), edited_by=principal.username)
        return FaqOut.model_validate(masked(found))

    async def get_faq(self, faq_id: str) -> tuple[FaqOut, list[FaqVersionOut]]:
        found = await self._call("get_faq", faq_id=faq_id)
        history = [FaqVersionOut.model_validate(masked(h)) for h in found.pop("history", [])]
        return FaqOut.model_validate(masked(found)), history

    async def update_faq(self, principal: Principal, faq_id: str, body: FaqUpdate) -> FaqOut:
        changes = body.model_dump(exclude_none=True)
        if not changes:
            raise InvalidInput("nothing to change: give at least one field", code="INVALID_INPUT")
        found = await self._call("update_faq", faq_id=faq_id, changes=changes,
                                 edited_by=principal.username)  # fmt: skip
        return FaqOut.model_validate(masked(found))

    async def delete_faq(self, faq_id: str) -> None:
        await self._call("delete_faq", faq_id=faq_id)

    # Documents ----------------------------------------------------------------------------

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise TooLarge(
                f"upload of {size} bytes is over the limit of {self.max_bytes} bytes",
                reason="too large", limit=self.max_bytes,
            )  # fmt: skip

    async def upload(
        self,
        filename: str,
        data: bytes,
        declared_type: str | None,
        document_id: str | None = None,
    ) -> DocumentOut:
        """Queue new bytes; with `document_id`, as that document's next version (its chunks
        are swapped in atomically when ready; 404 NOT_FOUND for an unknown id)."""
        self.check_size(len(data))
        found = await self._call(
            "ingest_document", filename=filename[-255:] or "upload",
            content_base64=base64.b64encode(data).decode("ascii"), declared_type=declared_type,
            document_id=document_id,
        )  # fmt: skip
        return DocumentOut.model_validate(masked(found))

    async def list_documents(self, status: str | None, limit: int, offset: int) -> DocumentPage:
        found = await self._call("list_documents", status=status, limit=limit, offset=offset)
        items = [DocumentOut.model_validate(masked(i)) for i in found["items"]]
        return DocumentPage(total=found["total"], items=items)

    async def document(self, document_id: str) -> DocumentOut:
        found = await self._call("document_status", document_id=document_id)
        return DocumentOut.model_validate(masked(found))

    async def delete_document(self, document_id: str) -> None:
        await self._call("delete_document", document_id=document_id)

    # Search and suggestions ---------------------------------------------------------------

    async def search(self, query: str, top_k: int, language: str | None) -> SearchOut:
        if not query.strip():
            raise InvalidInput("q: give words to search for", code="VALIDATION_ERROR", field="q")
        found = await self._call("search_knowledge", query=query, top_k=top_k, language=language)
        hits = [HitOut.model_validate(masked(h)) for h in found["hits"]]
        return SearchOut(query=mask_in_text(query), hits=hits, answerable=found["answerable"])

    async def suggestions(self, session_name: str, limit: int) -> Suggestions:
        found = await self.supervision.get_session(session_name)  # 404 SESSION_NOT_FOUND
        conversation = customer_turns(found["session"])
        items: list[SuggestionOut] = []
        if conversation:
            raw = await self._call("suggest_documents", conversation=conversation, limit=limit)
            items = [SuggestionOut.model_validate(masked(s)) for s in raw]
        return Suggestions(session_name=session_name, suggestions=items)
