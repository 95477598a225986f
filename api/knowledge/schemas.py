"""Wire shapes of `/api/knowledge` (the knowledge MCP server's records, seed envelope around)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Tag = Annotated[str, Field(min_length=1, max_length=40)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FaqCreate(_Body):
    question: str = Field(min_length=1, max_length=500, examples=["出國漫遊怎麼開通？"])
    answer: str = Field(min_length=1, max_length=20_000)
    category: str = Field("general", min_length=1, max_length=40, examples=["roaming"])
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    language: str = Field("zh-TW", min_length=2, max_length=16)
    published: bool = True


class FaqUpdate(_Body):
    """Only the fields given change; any change is a new version."""

    question: str | None = Field(None, min_length=1, max_length=500)
    answer: str | None = Field(None, min_length=1, max_length=20_000)
    category: str | None = Field(None, min_length=1, max_length=40)
    tags: list[Tag] | None = Field(None, max_length=20)
    language: str | None = Field(None, min_length=2, max_length=16)
    published: bool | None = None


class FaqOut(BaseModel):
    faq_id: str
    question: str
    answer: str
    category: str
    tags: list[str]
    language: str
    published: bool
    version: int
    created_at: str
    updated_at: str


class FaqVersionOut(BaseModel):
    version: int
    question: str
    answer: str
    category: str
    tags: list[str]
    language: str
    published: bool
    edited_by: str | None
    created_at: str


class FaqPage(BaseModel):
    total: int
    items: list[FaqOut]


class DocumentOut(BaseModel):
    document_id: str
    title: str
    filename: str
    media_type: str
    sha256: str
    size_bytes: int
    status: Literal["queued", "processing", "ready", "failed"]
    reason: str | None = Field(description='when failed: "<CODE>: <why>"')
    progress: float = Field(description="0-1 of the current job")
    pages: int | None
    chunk_count: int
    version: int = Field(description="the version search serves; 0 until the first is ready")
    duplicate: bool = Field(False, description="the same bytes were uploaded before")
    created_at: str
    updated_at: str


class DocumentPage(BaseModel):
    total: int
    items: list[DocumentOut]


class HitOut(BaseModel):
    source: Literal["faq", "document"]
    faq_id: str | None = None
    document_id: str | None = None
    title: str
    citation: str = Field(examples=["FAQ faq_1a2b", "Roaming guide > Charges, pages 3-4"])
    document_version: int | None = None  # the FAQ's or document's version the text is from
    chunk: int | None = None  # 1-based chunk of the document version (documents only)
    heading_path: list[str]
    text: str
    score: float


class SearchOut(BaseModel):
    query: str
    hits: list[HitOut]
    answerable: bool = Field(description="false: nothing relevant; say so instead of guessing")


class SuggestionOut(BaseModel):
    source: Literal["faq", "document"]
    faq_id: str | None = None
    document_id: str | None = None
    title: str
    citation: str
    snippet: str
    score: float


class Suggestions(BaseModel):
    session_name: str
    suggestions: list[SuggestionOut]


class FaqResponse(BaseModel):
    success: bool = True
    data: FaqOut


class FaqPageResponse(BaseModel):
    success: bool = True
    data: FaqPage


class FaqVersionsResponse(BaseModel):
    success: bool = True
    data: list[FaqVersionOut]


class DocumentResponse(BaseModel):
    success: bool = True
    data: DocumentOut


class DocumentPageResponse(BaseModel):
    success: bool = True
    data: DocumentPage


class SearchResponse(BaseModel):
    success: bool = True
    data: SearchOut


class SuggestionsResponse(BaseModel):
    success: bool = True
    data: Suggestions


class Done(BaseModel):
    success: bool = True
    message: str
