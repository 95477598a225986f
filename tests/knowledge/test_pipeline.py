"""ingest_bytes as a job sees it: progress, duplicate detection by hash, empty documents."""

from __future__ import annotations

import pytest

from mcp_servers.knowledge.ingest import (
    DocType,
    IngestError,
    Progress,
    fingerprint,
    ingest_bytes,
)

from .documents import EN_SENTENCES, Section, docx_bytes, pdf_bytes

PAGES = [Section(f"Chapter {i}", [" ".join(EN_SENTENCES)], new_page=True) for i in range(1, 6)]


def test_progress_reports_pages_then_blocks() -> None:
    seen: list[Progress] = []
    doc = ingest_bytes(pdf_bytes(PAGES), "book.pdf", on_progress=seen.append)
    pages = [(p.done, p.total) for p in seen if p.stage == "extract"]
    assert pages == [(i, 5) for i in range(1, 6)]
    assert {p.unit for p in seen if p.stage == "extract"} == {"pages"}
    blocks = [p for p in seen if p.stage == "chunk"]
    assert blocks[-1].done == blocks[-1].total == len(doc.blocks)
    assert [p.done for p in blocks] == sorted(p.done for p in blocks)  # never goes backwards


def test_the_same_bytes_are_recognised_as_a_duplicate() -> None:
    data = docx_bytes([Section("Renewal", list(EN_SENTENCES))])
    first = ingest_bytes(data, "a.docx")
    second = ingest_bytes(data, "renamed copy.docx")
    assert first.hash == second.hash == fingerprint(data)
    assert [c.id for c in first.chunks] == [c.id for c in second.chunks]
    edited = data[:-1] + bytes([data[-1] ^ 1])
    assert fingerprint(edited) != first.hash


def test_document_fields() -> None:
    data = b"Plain notes without a title line that would be far too long to be used as a title.\n"
    doc = ingest_bytes(data, "folder/meeting notes.txt", "text/plain")
    assert (doc.type, doc.filename, doc.size, doc.pages) == (
        DocType.TEXT,
        "folder/meeting notes.txt",
        len(data),
        None,
    )
    assert doc.title == "meeting notes"  # no title in the text: the file name's stem


@pytest.mark.parametrize(
    ("data", "declared"),
    [
        (b"# Only a heading\n\n## And another\n", "text/markdown"),
        (b"<html><body><script>x()</script><nav>menu</nav></body></html>", "text/html"),
        (docx_bytes([Section("Heading only")]), None),
    ],
    ids=["markdown headings", "html chrome", "docx heading"],
)
def test_documents_without_indexable_text_are_empty(data: bytes, declared: str | None) -> None:
    with pytest.raises(IngestError) as caught:
        ingest_bytes(data, "x", declared)
    assert caught.value.code == "EMPTY_DOCUMENT"
    assert caught.value.status == 422
