"""Bytes of a sniffed type → ordered blocks with heading paths and page numbers.

PDF and DOCX live here; the text formats (Markdown, HTML, plain text) in `markup.py`.
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from .errors import CorruptDocument, EmptyDocument, EncryptedDocument
from .markup import extract_html, extract_markdown, extract_plain
from .models import Block, DocType, ExtractedDocument, Progress
from .sniff import Sniffed
from .text import clean, join_lines, join_pieces

ProgressFn = Callable[[Progress], None]

_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-–—]?\s*\d+\s*[-–—]?(?:\s*(?:/|of)\s*\d+)?$|^第\s*\d+\s*頁(?:\s*/\s*共\s*\d+\s*頁)?$",
    re.I,
)
_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.I)


def extract(
    sniffed: Sniffed, data: bytes, on_progress: ProgressFn | None = None
) -> ExtractedDocument:
    """Dispatch on the sniffed type; every failure to read is a CorruptDocument with a reason."""
    if sniffed.type is DocType.PDF:
        return extract_pdf(data, on_progress)
    if sniffed.type is DocType.DOCX:
        return extract_docx(data)
    text = sniffed.text if sniffed.text is not None else data.decode("utf-8", "replace")
    if sniffed.type is DocType.MARKDOWN:
        return extract_markdown(text)
    if sniffed.type is DocType.HTML:
        return extract_html(text)
    return extract_plain(text)


# --- PDF -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Line:
    text: str
    size: float
    page: int  # 1-based


def _open_pdf(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except Exception as exc:
        hint = "" if b"%%EOF" in data[-2048:] else " (no %%EOF marker: the file looks truncated)"
        raise CorruptDocument(
            f"The PDF cannot be read: {exc}{hint}", reason=f"{exc}{hint}"
        ) from exc
    if encrypted:
        try:
            opened = reader.decrypt("")  # owner-password-only PDFs open with an empty password
        except (DependencyError, NotImplementedError, FileNotDecryptedError) as exc:
            raise EncryptedDocument(
                f"The PDF is encrypted and cannot be opened: {exc}", reason=str(exc)
            ) from exc
        if not opened:
            raise EncryptedDocument(
                "The PDF is password-protected: upload a copy without a password",
                reason="password required",
            )
    return reader


def _page_lines(page: Any, number: int) -> list[_Line]:
    """Lines of one page with the largest effective font size seen on each."""
    lines: list[_Line] = []
    parts: list[str] = []
    size = 0.0

    def flush() -> None:
        nonlocal size
        text = clean("".join(parts))
        if text:
            lines.append(_Line(text, round(size * 2) / 2, number))
        parts.clear()
        size = 0.0

    def visit(text: str, cm: Any, tm: Any, _font: Any, font_size: float) -> None:
        nonlocal size
        scale = (math.hypot(tm[2], tm[3]) or 1.0) * (math.hypot(cm[2], cm[3]) or 1.0)
        for i, piece in enumerate(text.split("\n")):
            if i:
                flush()
            if piece.strip("\x00 "):
                parts.append(piece)
                size = max(size, float(font_size or 0) * scale)

    page.extract_text(visitor_text=visit)
    flush()
    return lines


def _outline(reader: PdfReader) -> dict[int, list[tuple[int, str]]]:
    """Bookmarks by 1-based page: (level, title), in order. Authoritative when present."""
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            page = reader.get_destination_page_number(item)
            title = clean(str(getattr(item, "title", "") or ""))
            if title and page is not None and page >= 0:
                found[page + 1].append((level, title))

    try:
        walk(list(reader.outline), 1)
    except Exception:
        return {}
    return found


def _body_size(pages: list[list[_Line]]) -> float:
    """The font size carrying the most characters: the body text's."""
    weights: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def _drop_furniture(pages: list[list[_Line]], keep: set[str], body: float) -> list[list[_Line]]:
    """Drop page numbers and running headers/footers from the first and last two lines of a page.

    A header is a line (digits ignored) repeated on most pages in body size or smaller, so a
    "Chapter 3" heading opening every page in large type is kept.
    """
    edges: Counter[str] = Counter()
    for lines in pages:
        edges.update({re.sub(r"\d+", "#", line.text) for line in lines[:2] + lines[-2:]})
    repeated = {key for key, n in edges.items() if len(pages) >= 4 and n >= 0.6 * len(pages)}
    out = []
    for lines in pages:
        kept = []
        for i, line in enumerate(lines):
            edge = i < 2 or i >= len(lines) - 2
            furniture = _PAGE_NUMBER.match(line.text) or (
                line.size <= body and re.sub(r"\d+", "#", line.text) in repeated
            )
            if not (edge and furniture) or line.text in keep:
                kept.append(line)
        out.append(kept)
    return out


def _size_levels(pages: list[list[_Line]], body: float) -> dict[float, int]:
    """No outline: lines clearly larger than the body text are headings, levels by size."""
    sizes = sorted(
        {line.size for lines in pages for line in lines if line.size >= body * 1.15},
        reverse=True,
    )
    return {size: min(i + 1, 3) for i, size in enumerate(sizes)}


def extract_pdf(data: bytes, on_progress: ProgressFn | None = None) -> ExtractedDocument:
    reader = _open_pdf(data)
    try:
        total = len(reader.pages)
        pages: list[list[_Line]] = []
        for index, page in enumerate(reader.pages):
            try:
                pages.append(_page_lines(page, index + 1))
            except Exception as exc:
                raise CorruptDocument(
                    f"Page {index + 1} of the PDF cannot be read: {exc}",
                    reason=f"page {index + 1}: {exc}",
                ) from exc
            if on_progress:
                on_progress(Progress("extract", index + 1, total, "pages"))
        meta_title = clean(str(reader.metadata.title or "")) if reader.metadata else ""
    except CorruptDocument:
        raise
    except Exception as exc:
        raise CorruptDocument(f"The PDF cannot be read: {exc}", reason=str(exc)) from exc
    outline = _outline(reader)
    titles = {title for items in outline.values() for _, title in items}
    body = _body_size(pages)
    pages = _drop_furniture(pages, titles, body)
    if not any(pages):
        raise EmptyDocument(
            "The PDF has no text layer (a scan?): OCR is not supported",
            reason="no extractable text",
        )
    levels = {} if outline else _size_levels(pages, body)
    blocks = _pdf_blocks(pages, outline, levels)
    first_heading = next((b.text for b in blocks if b.kind == "heading"), None)
    return ExtractedDocument(DocType.PDF, meta_title or first_heading, total, tuple(blocks))


def _pdf_blocks(
    pages: list[list[_Line]], outline: dict[int, list[tuple[int, str]]], levels: dict[float, int]
) -> list[Block]:
    blocks: list[Block] = []
    path: list[str] = []
    body: list[str] = []

    def flush(page: int) -> None:
        if body:
            blocks.append(Block(join_lines(body), tuple(path), page, "paragraph"))
            body.clear()

    def heading(level: int, title: str, page: int) -> None:
        flush(page)
        del path[level - 1 :]
        path.append(title)
        blocks.append(Block(title, tuple(path), page, "heading"))

    for number, lines in enumerate(pages, start=1):
        pending = list(outline.get(number, []))
        matched = {i for i, (_, t) in enumerate(pending) if any(_same(t, ln.text) for ln in lines)}
        for i, (level, title) in enumerate(pending):
            if i not in matched:  # a bookmark whose title is not printed: it starts the page
                heading(level, title, number)
        previous_level = 0
        for line in lines:
            hit = next((p for p in pending if _same(p[1], line.text)), None)
            if hit is not None:
                pending.remove(hit)
                heading(hit[0], hit[1], number)
                previous_level = 0
            elif line.size in levels and len(line.text) <= 120:
                level = levels[line.size]
                if previous_level == level and blocks and blocks[-1].kind == "heading":
                    merged = join_pieces(blocks.pop().text, line.text)  # wrapped heading
                    path.pop()
                    heading(level, merged, number)
                else:
                    heading(level, line.text, number)
                previous_level = level
            else:
                body.append(line.text)
                previous_level = 0
        flush(number)
    return blocks


def _same(title: str, line: str) -> bool:
    return re.sub(r"\s+", "", title) == re.sub(r"\s+", "", line)


# --- DOCX ----------------------------------------------------------------------------------


def _heading_level(paragraph: Paragraph) -> int | None:
    name = paragraph.style.name if paragraph.style is not None else ""
    match = _HEADING_STYLE.match(name or "")
    if match:
        return max(1, int(match.group(1)))
    ppr = paragraph._p.pPr
    outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    if outline is not None:
        value = int(outline.get(qn("w:val"), "9"))
        return value + 1 if value < 9 else None
    return None


def _is_list(paragraph: Paragraph) -> bool:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    ppr = paragraph._p.pPr
    return name.lower().startswith("list") or (ppr is not None and ppr.numPr is not None)


def _table_rows(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = clean(" ".join(p.text for p in cell.paragraphs))
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def extract_docx(data: bytes) -> ExtractedDocument:
    """Heading styles (or outline levels) → heading path; list items grouped; tables as rows."""
    try:
        document = docx.Document(io.BytesIO(data))
        items = list(document.iter_inner_content())
        core_title = clean(document.core_properties.title or "")
    except Exception as exc:
        raise CorruptDocument(
            f"The Word document cannot be read: {exc}", reason=str(exc) or type(exc).__name__
        ) from exc
    blocks: list[Block] = []
    path: list[str] = []
    items_list: list[str] = []
    title = core_title

    def flush_list() -> None:
        if items_list:
            blocks.append(Block("\n".join(items_list), tuple(path), None, "list"))
            items_list.clear()

    for item in items:
        if isinstance(item, Table):
            flush_list()
            rows = _table_rows(item)
            if rows:
                blocks.append(Block(rows, tuple(path), None, "table"))
            continue
        text = clean(item.text)
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        if style.lower() == "title":
            flush_list()
            title = title or text
            continue
        level = _heading_level(item)
        if level is not None:
            flush_list()
            del path[level - 1 :]
            path.append(text)
            blocks.append(Block(text, tuple(path), None, "heading"))
        elif _is_list(item):
            items_list.append("- " + text)
        else:
            flush_list()
            blocks.append(Block(text, tuple(path), None, "paragraph"))
    flush_list()
    first_heading = next((b.text for b in blocks if b.kind == "heading"), None)
    return ExtractedDocument(DocType.DOCX, title or first_heading, None, tuple(blocks))
