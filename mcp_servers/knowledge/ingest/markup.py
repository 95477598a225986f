"""Text formats → blocks: Markdown (markdown-it-py), HTML (html.parser), plain text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .models import Block, BlockKind, DocType, ExtractedDocument
from .text import clean, join_lines

_MD = MarkdownIt("commonmark").enable("table")
_TAGS = re.compile(r"<[^>]+>")
_LIST_LINE = re.compile(r"^\s*(?:[-*+•·]|\d+[.)、])\s+")


# --- Markdown ------------------------------------------------------------------------------


def _inline_text(token: Token) -> str:
    """Plain text of an inline token: link and emphasis markup dropped, CJK-aware line joins."""
    lines: list[str] = [""]
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            lines[-1] += child.content
        elif child.type == "image":
            lines[-1] += "".join(c.content for c in child.children or [])
        elif child.type in ("softbreak", "hardbreak"):
            lines.append("")
    return join_lines(lines)


def extract_markdown(text: str) -> ExtractedDocument:
    """Headings → path; list items grouped as '- item' lines; fenced code kept verbatim."""
    tokens = _MD.parse(text)
    blocks: list[Block] = []
    path: list[str] = []
    items: list[str] = []
    rows: list[str] = []
    cells: list[str] = []
    list_depth = 0
    heading_level = 0
    in_cell = False

    def add(kind: BlockKind, body: str) -> None:
        if body.strip():
            blocks.append(Block(body, tuple(path), None, kind))

    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            heading_level = int(token.tag[1])
        elif kind in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
            if list_depth == 0:
                add("list", "\n".join(items))
                items.clear()
        elif kind in ("th_open", "td_open"):
            in_cell = True
        elif kind == "tr_close":
            if cells:
                rows.append(" | ".join(cells))
            cells.clear()
        elif kind == "table_close":
            add("table", "\n".join(rows))
            rows.clear()
        elif kind in ("fence", "code_block"):
            add("code", token.content.rstrip("\n"))
        elif kind == "html_block":
            add("paragraph", clean(_TAGS.sub(" ", token.content)))
        elif kind == "inline":
            body = _inline_text(token)
            if heading_level:
                del path[heading_level - 1 :]
                path.append(body)
                add("heading", body)
                heading_level = 0
            elif in_cell:
                cells.append(body)
                in_cell = False
            elif list_depth:
                if body:
                    items.append("  " * (list_depth - 1) + "- " + body)
            else:
                add("paragraph", body)
    title = next((b.text for b in blocks if b.kind == "heading"), None)
    return ExtractedDocument(DocType.MARKDOWN, title, None, tuple(blocks))


# --- HTML ----------------------------------------------------------------------------------

_SKIP = frozenset({"script", "style", "nav", "noscript", "template", "svg", "iframe"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCK = frozenset((
    "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "dl",
    "dt", "dd", "figure", "figcaption", "caption", "address", "details", "summary", "form",
    "body", "hr",
))  # fmt: skip


class _HtmlBlocks(HTMLParser):
    """A single pass: headings set the path, lists and tables keep their rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities (&amp; &#x4e2d;) decoded in data
        self.blocks: list[Block] = []
        self.path: list[str] = []
        self.pieces: list[str] = []
        self.items: list[str] = []
        self.rows: list[str] | None = None
        self.cells: list[str] | None = None
        self.title_parts: list[str] | None = None
        self.title = ""
        self.skip = 0
        self.heading = 0
        self.pre = 0
        self.list_depth = 0

    def _take(self) -> str:
        raw = "".join(self.pieces)
        self.pieces.clear()
        return join_lines(raw.split("\n"))

    def _flush_list(self) -> None:
        if self.items:
            self.blocks.append(Block("\n".join(self.items), tuple(self.path), None, "list"))
            self.items.clear()

    def _flush(self) -> None:
        if self.cells is not None or self.heading:
            return  # a <p> inside a cell or heading: keep collecting
        text = self._take()
        if not text:
            return
        if self.list_depth:
            self.items.append("  " * (self.list_depth - 1) + "- " + text)
        else:
            self._flush_list()
            self.blocks.append(Block(text, tuple(self.path), None, "paragraph"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif self.skip:
            return
        elif tag == "title":
            self.title_parts = []
        elif tag in _HEADINGS:
            self._flush()
            self._flush_list()
            self.heading = int(tag[1])
        elif tag in ("ul", "ol", "li"):
            self._flush()
            self.list_depth += tag != "li"
        elif tag == "table":
            self._flush()
            self._flush_list()
            self.rows = []
        elif tag == "tr":
            self.cells = []
        elif tag == "pre":
            self._flush()
            self.pre += 1
        elif tag == "br":
            self.pieces.append("\n")
        elif tag in _BLOCK or tag in ("td", "th"):
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif self.skip:
            return
        elif tag == "title" and self.title_parts is not None:
            self.title = clean("".join(self.title_parts))
            self.title_parts = None
        elif tag in _HEADINGS and self.heading:
            level, self.heading = self.heading, 0
            text = self._take()
            if text:
                del self.path[level - 1 :]
                self.path.append(text)
                self.blocks.append(Block(text, tuple(self.path), None, "heading"))
        elif tag in ("ul", "ol", "li"):
            self._flush()
            if tag != "li":
                self.list_depth = max(0, self.list_depth - 1)
                if not self.list_depth:
                    self._flush_list()
        elif tag in ("td", "th") and self.cells is not None:
            text = self._take()
            if text:
                self.cells.append(text)
        elif tag == "tr" and self.cells is not None:
            if self.cells and self.rows is not None:
                self.rows.append(" | ".join(self.cells))
            self.cells = None
        elif tag == "table":
            if self.rows:
                self.blocks.append(Block("\n".join(self.rows), tuple(self.path), None, "table"))
            self.rows = None
        elif tag == "pre" and self.pre:
            self.pre -= 1
            code = "".join(self.pieces).strip("\n")
            self.pieces.clear()
            if code.strip():
                self.blocks.append(Block(code, tuple(self.path), None, "code"))
        elif tag in _BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.title_parts is not None:
            self.title_parts.append(data)
        else:
            self.pieces.append(data)


def extract_html(text: str) -> ExtractedDocument:
    """h1-h6 → path; script, style and nav dropped; entities decoded."""
    parser = _HtmlBlocks()
    parser.feed(text)
    parser.close()
    parser._flush()
    parser._flush_list()
    blocks = tuple(parser.blocks)
    first = next((b.text for b in blocks if b.kind == "heading"), None)
    return ExtractedDocument(DocType.HTML, parser.title or first, None, blocks)


# --- Plain text ----------------------------------------------------------------------------


def extract_plain(text: str) -> ExtractedDocument:
    """Paragraphs at blank lines, wrapped lines rejoined; a paragraph of bullet lines is a list."""
    blocks: list[Block] = []
    for paragraph in re.split(r"\n[ \t\u3000]*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line for line in paragraph.split("\n") if line.strip()]
        if not lines:
            continue
        if all(_LIST_LINE.match(line) for line in lines):
            body = "\n".join("- " + clean(_LIST_LINE.sub("", line)) for line in lines)
            blocks.append(Block(body, (), None, "list"))
        else:
            blocks.append(Block(join_lines(lines), (), None, "paragraph"))
    title = None
    if blocks and "\n" not in blocks[0].text and len(blocks[0].text) <= 60:
        title = blocks[0].text
    return ExtractedDocument(DocType.TEXT, title, None, tuple(blocks))
