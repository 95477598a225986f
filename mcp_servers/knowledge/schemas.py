"""Wire shapes of the knowledge tools (pydantic, so FastMCP publishes their JSON schema)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

TenantId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
]
Language = Annotated[str, StringConstraints(min_length=2, max_length=16)]


class FaqFields(BaseModel):
    question: Annotated[str, Field(min_length=1, max_length=500)]
    answer: Annotated[str, Field(min_length=1, max_length=20_000)]
    category: Annotated[str, Field(min_length=1, max_length=40)] = "general"
    tags: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=20)] = []
    language: Language = "zh-TW"
    published: bool = True


class FaqPatch(BaseModel):
    """Only the fields given change; every update is a new version."""

    question: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    answer: Annotated[str, Field(min_length=1, max_length=20_000)] | None = None
    category: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    tags: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=20)] | None = None
    language: Language | None = None
    published: bool | None = None


class FaqRecord(FaqFields):
    faq_id: str
    version: int
    created_at: str
    updated_at: str


class FaqHistoryEntry(FaqFields):
    version: int
    edited_by: str | None
    created_at: str


class FaqDetails(FaqRecord):
    history: list[FaqHistoryEntry] = []


class DocumentRecord(BaseModel):
    document_id: str
    title: str
    filename: str
    media_type: str
    sha256: str
    size_bytes: int
    status: Literal["queued", "processing", "ready", "failed"]
    reason: str | None
    progress: float  # 0..1 of the current job
    pages: int | None
    chunk_count: int
    version: int  # the version search serves; 0 until the first job succeeds
    duplicate: bool = False  # an upload answered with an existing document (same bytes)
    created_at: str
    updated_at: str


class KnowledgeHit(BaseModel):
    source: Literal["faq", "document"]
    faq_id: str | None = None
    document_id: str | None = None
    document_version: int  # the FAQ's version for an FAQ
    chunk: int | None = None  # 1-based place of the chunk in its document version (documents)
    title: str  # FAQ question or document title
    heading_path: list[str]
    citation: str  # "FAQ faq_x" or "Title > Section, pages 3-4"
    text: str
    score: float  # fused (RRF) score
    matched_by: list[str]  # bm25 / vector


class SearchResult(BaseModel):
    hits: list[KnowledgeHit]
    answerable: bool  # false: say "I do not know" rather than answer from these hits
    evidence: float  # what `answerable` compared with the threshold
    threshold: float
    chunks: int = 0  # the tenant's searchable chunks (0: an empty knowledge base)


class Suggestion(BaseModel):
    source: Literal["faq", "document"]
    faq_id: str | None = None
    document_id: str | None = None
    title: str
    citation: str
    snippet: str
    score: float
