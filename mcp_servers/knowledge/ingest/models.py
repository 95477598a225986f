"""Typed shapes of an ingested document: ordered blocks, then chunks that cite their place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class DocType(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    MARKDOWN = "markdown"
    HTML = "html"
    TEXT = "text"

    @property
    def mime(self) -> str:
        return MIME_TYPES[self]


MIME_TYPES: dict[DocType, str] = {
    DocType.PDF: "application/pdf",
    DocType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocType.MARKDOWN: "text/markdown",
    DocType.HTML: "text/html",
    DocType.TEXT: "text/plain",
}

BlockKind = Literal["heading", "paragraph", "list", "table", "code"]


@dataclass(frozen=True, slots=True)
class Block:
    """One structural unit in reading order. A heading block's path ends with its own title."""

    text: str
    heading_path: tuple[str, ...] = ()
    page: int | None = None  # 1-based; None for formats without pages
    kind: BlockKind = "paragraph"


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    type: DocType
    title: str | None
    pages: int | None
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrievable passage: never a half sentence, always one heading path."""

    id: str  # "<document hash prefix>-<ordinal>": stable while the bytes do not change
    ordinal: int
    text: str
    heading_path: tuple[str, ...]
    page_start: int | None
    page_end: int | None
    content_hash: str  # SHA-256 of `embed_text`: unchanged chunks need no new embedding
    weight: float  # size in weighted characters (see chunk.text_weight)

    @property
    def embed_text(self) -> str:
        """What the index embeds: the heading path gives a short passage its context."""
        if not self.heading_path:
            return self.text
        return " > ".join(self.heading_path) + "\n" + self.text

    @property
    def citation(self) -> str:
        """'Section > Subsection, page 3' (or 'pages 3-4'), for answers that cite their source."""
        parts = [" > ".join(self.heading_path)] if self.heading_path else []
        if self.page_start is not None:
            if self.page_end is None or self.page_end == self.page_start:
                parts.append(f"page {self.page_start}")
            else:
                parts.append(f"pages {self.page_start}-{self.page_end}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class IngestedDocument:
    hash: str  # SHA-256 of the uploaded bytes: the same file uploaded twice has the same hash
    filename: str
    type: DocType
    encoding: str | None  # text formats only: utf-8, big5 (cp950), gb18030, utf-16
    title: str
    pages: int | None
    size: int
    blocks: tuple[Block, ...]
    chunks: tuple[Chunk, ...]


@dataclass(frozen=True, slots=True)
class Progress:
    """Reported while a document is processed, so a job can show 'page 12 of 100'."""

    stage: Literal["extract", "chunk"]
    done: int
    total: int
    unit: Literal["pages", "blocks"]
