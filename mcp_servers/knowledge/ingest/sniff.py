"""Type by content, never by name: magic bytes, ZIP members, then text structure.

The file name is not trusted at all (a renamed file is typed by its bytes). A declared type (the
multipart Content-Type) is only checked: when it contradicts the bytes the upload is refused,
since the uploader clearly meant another file.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import filetype

from .errors import CorruptDocument, EmptyDocument, TooLarge, TypeMismatch, UnsupportedType
from .models import MIME_TYPES, DocType
from .text import decode, looks_binary

DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # the API passes its own setting; this is the library's

# Declared types that say nothing about the content.
_UNDECLARED = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
_DECLARED: dict[str, DocType] = {
    **{mime: kind for kind, mime in MIME_TYPES.items()},
    **{kind.value: kind for kind in DocType},
    "application/x-pdf": DocType.PDF,
    "text/x-markdown": DocType.MARKDOWN,
    "application/xhtml+xml": DocType.HTML,
    "md": DocType.MARKDOWN,
    "markdown": DocType.MARKDOWN,
    "htm": DocType.HTML,
    "txt": DocType.TEXT,
}
# Which detected types each declared type admits. Markdown is plain text with conventions and
# text/plain is what clients send for any text file, so the text family admits each other;
# HTML must contain markup, PDF and DOCX must be exactly themselves.
_ADMITS: dict[DocType, frozenset[DocType]] = {
    DocType.PDF: frozenset({DocType.PDF}),
    DocType.DOCX: frozenset({DocType.DOCX}),
    DocType.HTML: frozenset({DocType.HTML}),
    DocType.MARKDOWN: frozenset({DocType.MARKDOWN, DocType.TEXT, DocType.HTML}),
    DocType.TEXT: frozenset({DocType.TEXT, DocType.MARKDOWN, DocType.HTML}),
}
_OTHER_ZIPS = (
    ("xl/workbook.xml", "an Excel workbook (.xlsx)"),
    ("ppt/presentation.xml", "a PowerPoint deck (.pptx)"),
    ("content.xml", "an OpenDocument file"),
)
_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)
_HTML_TAG = re.compile(
    r"<(?:p|div|h[1-6]|ul|ol|li|table|tr|td|body|head|title|section|article|span|a|br|meta)\b[^>]*>",
    re.I,
)
_MD_SIGNALS = {
    "heading": re.compile(r"^#{1,6}[ \t]+\S", re.M),
    "setext": re.compile(r"^\S.*\n(?:=+|-{3,})[ \t]*$", re.M),
    "fence": re.compile(r"^(?:```|~~~)", re.M),
    "list": re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+\S", re.M),
    "link": re.compile(r"\[[^\]\n]+\]\([^)\s]+\)"),
    "emphasis": re.compile(r"(\*\*|__)\S[^\n]*?\S\1"),
    "quote": re.compile(r"^>[ \t]?\S", re.M),
    "table": re.compile(r"^\|?[ \t]*:?-{3,}:?[ \t]*\|", re.M),
}
_STRONG_MD = {"heading", "setext", "fence", "link", "table"}


@dataclass(frozen=True, slots=True)
class Sniffed:
    type: DocType
    encoding: str | None = None  # text formats
    text: str | None = None  # the decoded text, for text formats


def parse_declared(declared: str | None) -> tuple[DocType | None, str | None, str]:
    """A MIME type (parameters allowed), a DocType value or an extension → (type, charset, raw).

    The type is None both for "no declaration" (octet-stream) and for a type we never ingest
    (image/png); `raw` tells them apart, and `sniff` refuses the latter once the content is known.
    """
    raw = (declared or "").strip()
    mime, _, params = raw.partition(";")
    mime = mime.strip().lower().lstrip(".")
    charset = None
    match = re.search(r"charset=\"?([\w.-]+)", params, re.I)
    if match:
        charset = match.group(1)
    if mime in _UNDECLARED:
        return None, charset, raw
    return _DECLARED.get(mime), charset, raw


def detect(
    data: bytes, charset: str | None = None, *, max_unpacked: int = 10 * DEFAULT_MAX_BYTES
) -> Sniffed:
    """What the bytes are, regardless of any name or declaration."""
    head = data[:1024]
    if b"%PDF-" in head:
        return Sniffed(DocType.PDF)
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, max_unpacked)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise UnsupportedType(
            "Legacy Office file (.doc/.xls): save it as .docx or PDF and upload again",
            reason="ole2 container",
        )
    decoded = decode(data, charset)
    if decoded is None or looks_binary(decoded[0]):
        guess = filetype.guess(data)
        what = f"{guess.mime} content" if guess else "binary or unreadable text"
        raise UnsupportedType(
            f"Unsupported content ({what}): upload PDF, DOCX, Markdown, HTML or text",
            reason=what,
        )
    text, encoding = decoded
    return Sniffed(text_kind(text), encoding, text)


def text_kind(text: str) -> DocType:
    """HTML when the text is a page or starts with markup; Markdown when its structure says so.

    A README that opens with an HTML banner but has Markdown headings or fences stays Markdown.
    """
    sample = text[:50000]
    stripped = sample.lstrip("\ufeff \t\r\n")
    if _HTML_START.match(stripped):
        return DocType.HTML
    found = {name for name, pattern in _MD_SIGNALS.items() if pattern.search(sample)}
    if stripped.startswith("<") and len(_HTML_TAG.findall(sample[:5000])) >= 2:
        return DocType.MARKDOWN if found & {"heading", "fence"} else DocType.HTML
    if found & _STRONG_MD or len(found) >= 2:
        return DocType.MARKDOWN
    return DocType.TEXT


def sniff(
    data: bytes, declared_type: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Sniffed:
    """Check size, type the content, check it against the declared type."""
    if len(data) > max_bytes:
        raise TooLarge(
            f"File is {len(data):,} bytes; the limit is {max_bytes:,}",
            size=len(data),
            limit=max_bytes,
        )
    if not data.strip():
        raise EmptyDocument("The file is empty", reason="no bytes")
    declared, charset, raw = parse_declared(declared_type)
    found = detect(data, charset, max_unpacked=10 * max_bytes)
    if raw and declared is None and raw.split(";")[0].strip().lower() not in _UNDECLARED:
        raise TypeMismatch(
            f"Declared as {raw} but the content is {found.type.value}",
            declared=raw,
            detected=found.type.value,
        )
    if declared is DocType.HTML and found.text is not None and _HTML_TAG.search(found.text):
        found = Sniffed(DocType.HTML, found.encoding, found.text)  # a fragment opening with text
    if declared is not None and found.type not in _ADMITS[declared]:
        raise TypeMismatch(
            f"Declared as {declared.value} but the content is {found.type.value}",
            declared=declared.value,
            detected=found.type.value,
        )
    return found


def _zip_kind(data: bytes, max_unpacked: int) -> Sniffed:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorruptDocument(
            f"The ZIP container is damaged: {exc}", reason=f"bad zip: {exc}"
        ) from exc
    unpacked = sum(member.file_size for member in members)
    if unpacked > max_unpacked:  # a "zip bomb": small upload, huge XML to parse
        raise TooLarge(
            f"The file unpacks to {unpacked:,} bytes; the limit is {max_unpacked:,}",
            size=unpacked,
            limit=max_unpacked,
        )
    names = {member.filename for member in members}
    if "word/document.xml" in names:
        return Sniffed(DocType.DOCX)
    what = next((label for member, label in _OTHER_ZIPS if member in names), "a ZIP archive")
    raise UnsupportedType(
        f"The file is {what}, not a Word document: upload PDF, DOCX, Markdown, HTML or text",
        reason=what,
    )
