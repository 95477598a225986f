"""Type by content: renamed files are typed by their bytes, contradictions and junk refused."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable

import pytest

from mcp_servers.knowledge.ingest import DocType, IngestError, ingest_bytes, sniff

from .documents import EN_SENTENCES, ZH_SENTENCES, Section, docx_bytes, pdf_bytes

PDF = pdf_bytes([Section("Renewal", list(EN_SENTENCES))])
DOCX = docx_bytes([Section("Renewal", list(EN_SENTENCES))])
MARKDOWN = "# Renewal\n\n" + " ".join(EN_SENTENCES) + "\n\n- one\n- two\n"
PLAIN = "Renewal notes\n\n" + " ".join(EN_SENTENCES) + "\n"
HTML = "<!DOCTYPE html><html><body><h1>Renewal</h1><p>" + EN_SENTENCES[0] + "</p></body></html>"
ZH = "續約須知\n\n" + "".join(ZH_SENTENCES) + "\n"
ZH_SIMPLIFIED = "续约须知\n\n客户可在合约到期前六十天内办理续约。若门号有欠费，需先缴清才能续约！\n"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + bytes(random.Random(1).randbytes(400))
JUNK = bytes(random.Random(7).randbytes(4096))

ACCEPTED: list[tuple[str, bytes, str | None, DocType, str | None]] = [
    ("pdf named .txt, nothing declared", PDF, None, DocType.PDF, None),
    ("pdf with octet-stream", PDF, "application/octet-stream", DocType.PDF, None),
    ("pdf declared by short name", PDF, "pdf", DocType.PDF, None),
    ("docx named .pdf", DOCX, None, DocType.DOCX, None),
    ("docx declared by its MIME", DOCX, DocType.DOCX.mime, DocType.DOCX, None),
    ("markdown sent as text/plain", MARKDOWN.encode(), "text/plain", DocType.MARKDOWN, "utf-8"),
    ("plain text sent as markdown", PLAIN.encode(), "text/markdown", DocType.TEXT, "utf-8"),
    (
        "html with charset parameter",
        HTML.encode(),
        "text/html; charset=utf-8",
        DocType.HTML,
        "utf-8",
    ),
    ("html fragment", b"<h1>Title</h1><p>Body text.</p>", None, DocType.HTML, "utf-8"),
    ("big5 text", ZH.encode("cp950"), None, DocType.TEXT, "cp950"),
    ("gb18030 text", ZH_SIMPLIFIED.encode("gb18030"), None, DocType.TEXT, "gb18030"),
    ("utf-16 with BOM", ZH.encode("utf-16"), None, DocType.TEXT, "utf-16"),
    ("utf-8 with BOM", b"\xef\xbb\xbf" + ZH.encode(), None, DocType.TEXT, "utf-8"),
    ("plain text with a dash list", b"Notes\n\n- first\n- second\n", None, DocType.TEXT, "utf-8"),
    (
        "readme opening with an html banner",
        b'<p align="center"><img src="logo.png"></p>\n\n# Switchboard\n\nText.\n',
        None,
        DocType.MARKDOWN,
        "utf-8",
    ),
    (
        "html fragment opening with text",
        b"Hello <b>there</b>, see <a href='/x'>this</a>.",
        "text/html",
        DocType.HTML,
        "utf-8",
    ),
    ("setext heading", b"Title\n=====\n\nBody text here.\n", None, DocType.MARKDOWN, "utf-8"),
]


@pytest.mark.parametrize(
    ("data", "declared", "kind", "encoding"),
    [case[1:] for case in ACCEPTED],
    ids=[case[0] for case in ACCEPTED],
)
def test_content_decides_the_type(
    data: bytes, declared: str | None, kind: DocType, encoding: str | None
) -> None:
    sniffed = sniff(data, declared)
    assert (sniffed.type, sniffed.encoding) == (kind, encoding)


def test_legacy_chinese_encodings_decode_to_the_original_text() -> None:
    assert sniff(ZH.encode("cp950")).text == ZH
    assert sniff(ZH_SIMPLIFIED.encode("gb18030")).text == ZH_SIMPLIFIED


REFUSED: list[tuple[str, Callable[[], bytes], str | None, str, str]] = [
    ("docx declared as pdf", lambda: DOCX, "application/pdf", "TYPE_MISMATCH", "docx"),
    ("pdf declared as text", lambda: PDF, "text/plain", "TYPE_MISMATCH", "pdf"),
    ("text declared as html", lambda: PLAIN.encode(), "text/html", "TYPE_MISMATCH", "text"),
    ("pdf declared as an image", lambda: PDF, "image/png", "TYPE_MISMATCH", "image/png"),
    ("a png image", lambda: PNG, None, "UNSUPPORTED_TYPE", "image/png"),
    ("random bytes", lambda: JUNK, None, "UNSUPPORTED_TYPE", "binary"),
    ("a zip that is not docx", lambda: _zip({"a.txt": b"hello"}), None, "UNSUPPORTED_TYPE", "ZIP"),
    ("an xlsx", lambda: _zip({"xl/workbook.xml": b"<x/>"}), None, "UNSUPPORTED_TYPE", "Excel"),
    (
        "legacy .doc",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + JUNK,
        None,
        "UNSUPPORTED_TYPE",
        ".docx",
    ),
    ("a damaged zip", lambda: b"PK\x03\x04" + JUNK, None, "CORRUPT_DOCUMENT", "ZIP"),
    ("no bytes", lambda: b"", None, "EMPTY_DOCUMENT", "empty"),
    ("only whitespace", lambda: b" \n\t\n", "text/plain", "EMPTY_DOCUMENT", "empty"),
]


@pytest.mark.parametrize(
    ("make", "declared", "code", "says"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_refusals_say_why(
    make: Callable[[], bytes], declared: str | None, code: str, says: str
) -> None:
    with pytest.raises(IngestError) as caught:
        ingest_bytes(make(), "upload.bin", declared)
    envelope = caught.value.to_envelope()
    assert envelope["success"] is False
    assert envelope["code"] == code
    assert says.lower() in envelope["error"].lower()


def test_size_limit_is_checked_before_anything_else() -> None:
    with pytest.raises(IngestError) as caught:
        ingest_bytes(PDF, "big.pdf", "application/pdf", max_bytes=len(PDF) - 1)
    assert caught.value.code == "TOO_LARGE"
    assert caught.value.status == 413
    assert caught.value.details == {"size": len(PDF), "limit": len(PDF) - 1}
    assert ingest_bytes(PDF, "big.pdf", max_bytes=len(PDF)).type is DocType.PDF


def test_a_zip_that_unpacks_far_beyond_the_limit_is_too_large() -> None:
    bomb = _zip({"word/document.xml": b" " * 2_000_000})
    assert len(bomb) < 10_000
    with pytest.raises(IngestError) as caught:
        ingest_bytes(bomb, "bomb.docx", max_bytes=100_000)
    assert caught.value.code == "TOO_LARGE"
    assert "unpacks" in caught.value.message


def test_the_file_name_never_decides_the_type() -> None:
    assert ingest_bytes(PDF, "notes.txt").type is DocType.PDF
    assert ingest_bytes(MARKDOWN.encode(), "report.pdf").type is DocType.MARKDOWN
