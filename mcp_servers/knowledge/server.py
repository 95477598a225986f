"""Knowledge MCP server: FAQ CRUD, document ingestion jobs, hybrid search, suggestions.

Every tool takes `tenant_id` (the API fills it from the token or the widget's site key, never
from the client) and touches that tenant's rows only; another tenant's id answers NOT_FOUND.
The server owns the store (service database) and the per-tenant index; a worker task in the
lifespan ingests queued uploads and resumes the ones a dead server left behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from pydantic import Field

from core.db.engine import create_engine
from core.db.models.knowledge import Faq, FaqVersion, KnowledgeDocument
from core.national_id import mask_in_text
from core.settings import get_settings
from mcp_servers.server import build_server, tools_of

from .index import ANSWERABLE_MARGIN, Hit, group_by_source
from .schemas import (
    DocumentRecord,
    FaqDetails,
    FaqFields,
    FaqHistoryEntry,
    FaqPatch,
    FaqRecord,
    KnowledgeHit,
    Language,
    SearchResult,
    Suggestion,
    TenantId,
)
from .service import KnowledgeService, open_service
from .store import KnowledgeStore

_state: dict[str, KnowledgeService] = {}


@asynccontextmanager
async def lifespan(_server: FastMCP[Any]) -> AsyncIterator[dict[str, Any]]:
    """Open the store, start the ingestion worker (requeueing interrupted jobs), close both."""
    settings = get_settings()
    engine = create_engine(settings)
    service = open_service(settings, KnowledgeStore(engine))
    _state["service"] = service
    await service.worker.start()
    try:
        yield {}
    finally:
        await service.worker.stop()
        if service.azure is not None:
            await service.azure.aclose()
        _state.pop("service", None)
        await engine.dispose()


mcp = build_server(
    "knowledge",
    "知識庫：FAQ 維護、文件上傳與處理進度、混合檢索（附出處）、對話相關文件建議。"
    " Knowledge base: FAQ CRUD, document ingestion jobs, cited hybrid search, suggestions.",
    lifespan=lifespan,
)
tool = tools_of(mcp)
read_tool = tools_of(mcp, read_only=True)


def _svc() -> KnowledgeService:
    return _state["service"]


def _ts(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _faq_record(faq: Faq) -> FaqRecord:
    return FaqRecord(
        faq_id=faq.id, question=faq.question, answer=faq.answer, category=faq.category,
        tags=list(faq.tags), language=faq.language, published=faq.published,
        version=faq.version, created_at=_ts(faq.created_at), updated_at=_ts(faq.updated_at),
    )  # fmt: skip


def _history(row: FaqVersion) -> FaqHistoryEntry:
    return FaqHistoryEntry(
        question=row.question, answer=row.answer, category=row.category, tags=list(row.tags),
        language=row.language, published=row.published, version=row.version,
        edited_by=row.edited_by, created_at=_ts(row.created_at),
    )  # fmt: skip


def _document(doc: KnowledgeDocument, *, duplicate: bool = False) -> DocumentRecord:
    return DocumentRecord(
        document_id=doc.id, title=doc.title, filename=doc.filename, media_type=doc.media_type,
        sha256=doc.sha256, size_bytes=doc.size_bytes, status=doc.status,  # type: ignore[arg-type]
        reason=doc.reason, progress=doc.progress, pages=doc.pages, chunk_count=doc.chunk_count,
        version=doc.version, duplicate=duplicate, created_at=_ts(doc.created_at),
        updated_at=_ts(doc.updated_at),
    )  # fmt: skip


def _hit(hit: Hit) -> KnowledgeHit:
    c = hit.chunk
    citation = c.citation
    if c.document_id and not c.citation.startswith(c.title):  # title = first heading: once
        citation = " > ".join(p for p in (c.title, c.citation) if p)
    return KnowledgeHit(
        source="faq" if c.faq_id else "document", faq_id=c.faq_id, document_id=c.document_id,
        document_version=c.document_version, chunk=c.ordinal + 1 if c.document_id else None,
        title=c.title, heading_path=list(c.heading_path),
        citation=citation, text=mask_in_text(c.text), score=hit.score,
        matched_by=list(hit.matched_by),
    )  # fmt: skip


# FAQs -------------------------------------------------------------------------------------


@tool
async def create_faq(
    tenant_id: TenantId, faq: FaqFields, edited_by: str | None = None
) -> FaqRecord:
    """新增 FAQ（版本 1，已發布者立即可被搜尋）。Create an FAQ (version 1); a published one is
    searchable at once."""
    svc = _svc()
    vector = await svc.embed_faq(faq.question, faq.answer)
    row = await svc.store.save_faq(tenant_id, faq.model_dump(), vector, edited_by=edited_by)
    await svc.refresh(tenant_id)
    return _faq_record(row)


@tool
async def update_faq(
    tenant_id: TenantId, faq_id: str, changes: FaqPatch, edited_by: str | None = None
) -> FaqRecord:
    """修改 FAQ：只改給定欄位，版本加一並留下歷史。Update an FAQ: new version, history kept."""
    svc = _svc()
    current = await svc.store.faq(tenant_id, faq_id)
    fields = changes.model_dump(exclude_none=True)
    question = fields.get("question", current.question)
    answer = fields.get("answer", current.answer)
    vector = await svc.embed_faq(question, answer)
    row = await svc.store.save_faq(
        tenant_id,
        fields,
        vector,
        faq_id=faq_id,
        edited_by=edited_by,
    )
    await svc.refresh(tenant_id)
    return _faq_record(row)


@tool
async def delete_faq(tenant_id: TenantId, faq_id: str) -> dict[str, Any]:
    """刪除 FAQ 與其歷史及索引內容。Delete an FAQ, its history and its index entry."""
    await _svc().store.delete_faq(tenant_id, faq_id)
    await _svc().refresh(tenant_id)
    return {"success": True, "faq_id": faq_id}


@read_tool
async def get_faq(tenant_id: TenantId, faq_id: str) -> FaqDetails:
    """取得 FAQ 與版本歷史（新到舊）。An FAQ with its version history, newest first."""
    store = _svc().store
    row = await store.faq(tenant_id, faq_id)
    history = [_history(h) for h in await store.faq_history(tenant_id, faq_id)]
    return FaqDetails(**_faq_record(row).model_dump(), history=history)


@read_tool
async def list_faqs(
    tenant_id: TenantId,
    category: str | None = None,
    published: bool | None = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
    offset: Annotated[int, Field(ge=0)] = 0,
) -> dict[str, Any]:
    """列出 FAQ（可依分類、發布狀態篩選）。List FAQs, optionally by category or published flag."""
    rows, total = await _svc().store.list_faqs(
        tenant_id, category=category, published=published, limit=limit, offset=offset
    )
    return {"total": total, "items": [_faq_record(r).model_dump() for r in rows]}


# Documents --------------------------------------------------------------------------------


@tool
async def ingest_document(
    tenant_id: TenantId,
    filename: Annotated[str, Field(min_length=1, max_length=255)],
    content_base64: Annotated[str, Field(min_length=1)],
    declared_type: str | None = None,
    document_id: str | None = None,
) -> DocumentRecord:
    """上傳文件（PDF/DOCX/Markdown/HTML/純文字，依內容判斷型別）排入處理；相同內容回傳既有文件。
    Queue an upload for ingestion; the same bytes answer the existing document (duplicate=true).
    With document_id the bytes become that document's next version, swapped in atomically when
    ready. Poll document_status for queued/processing/ready/failed and progress."""
    svc = _svc()
    data, sha, media_type = svc.decode_upload(content_base64, declared_type)
    doc, duplicate = await svc.store.queue_upload(
        tenant_id, filename=filename, media_type=media_type, sha256=sha, content=data,
        document_id=document_id,
    )  # fmt: skip
    if not duplicate:
        svc.worker.submit(doc.id)
    return _document(doc, duplicate=duplicate)


@read_tool
async def document_status(tenant_id: TenantId, document_id: str) -> DocumentRecord:
    """文件處理狀態與進度（失敗時附原因）。Status, progress and, when failed, the reason."""
    return _document(await _svc().store.document(tenant_id, document_id))


@tool
async def delete_document(tenant_id: TenantId, document_id: str) -> dict[str, Any]:
    """刪除文件及其所有段落與索引內容。Delete a document, all its chunks and index entries."""
    await _svc().store.delete_document(tenant_id, document_id)
    await _svc().refresh(tenant_id)
    return {"success": True, "document_id": document_id}


@read_tool
async def list_documents(
    tenant_id: TenantId,
    status: Literal["queued", "processing", "ready", "failed"] | None = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
    offset: Annotated[int, Field(ge=0)] = 0,
) -> dict[str, Any]:
    """列出文件與處理狀態。List documents with their status."""
    rows, total = await _svc().store.list_documents(
        tenant_id, status=status, limit=limit, offset=offset
    )
    return {"total": total, "items": [_document(r).model_dump() for r in rows]}


# Search -----------------------------------------------------------------------------------


@read_tool
async def search_knowledge(
    tenant_id: TenantId,
    query: Annotated[str, Field(min_length=1, max_length=1000)],
    top_k: Annotated[int, Field(ge=1, le=20)] = 5,
    language: Language | None = None,
) -> SearchResult:
    """搜尋知識庫（FAQ 與文件，BM25 + 向量混合），每筆附出處。answerable=false 表示找不到
    相關內容：請回答「不知道」而非編造。Hybrid search over the tenant's FAQs and documents; each
    hit cites its FAQ id or document title + heading path + pages. answerable=false: nothing
    relevant, say you do not know."""
    svc = _svc()
    ranked = await svc.search(tenant_id, query, top_k=top_k, language=language)
    return SearchResult(
        hits=[_hit(h) for h in ranked.hits], answerable=ranked.answerable,
        evidence=ranked.evidence, threshold=ANSWERABLE_MARGIN, chunks=svc.size(tenant_id),
    )  # fmt: skip


@read_tool
async def suggest_documents(
    tenant_id: TenantId,
    conversation: Annotated[str, Field(min_length=1, max_length=20_000)],
    limit: Annotated[int, Field(ge=1, le=10)] = 3,
) -> list[Suggestion]:
    """依對話內容建議相關 FAQ／文件給客服人員（每個來源一筆）。Related FAQs and documents for
    an agent, from the conversation so far (its latest part weighs most: the tail is searched)."""
    text = conversation.strip()[-600:]
    ranked = await _svc().search(tenant_id, text, top_k=20)
    if not ranked.answerable:
        return []
    return [
        Suggestion(
            source=h.source, faq_id=h.faq_id, document_id=h.document_id, title=h.title,
            citation=h.citation, snippet=h.text[:200], score=h.score,
        )
        for h in (_hit(x) for x in group_by_source(ranked.hits, limit))
    ]  # fmt: skip
