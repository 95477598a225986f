"""Each format end to end: headings become paths, pages are kept, sentences stay whole."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from mcp_servers.knowledge.ingest import (
    ChunkOptions,
    DocType,
    IngestedDocument,
    IngestError,
    ingest_bytes,
    split_sentences,
)

from .documents import EN_SENTENCES, ZH_SENTENCES, Section, docx_bytes, normalise, pdf_bytes

SMALL = ChunkOptions(target=240, max_weight=400, overlap=80)


def _sentences_of(doc: IngestedDocument) -> set[str]:
    """Sentences of every chunk (blocks are joined by newlines inside a chunk)."""
    lines = [line for chunk in doc.chunks for line in chunk.text.split("\n")]
    return {normalise(s) for line in lines for s in split_sentences(line)}


def _chunk_with(doc: IngestedDocument, sentence: str):
    return next(c for c in doc.chunks if normalise(sentence) in normalise(c.text))


def _sections(mixed: bool) -> list[Section]:
    zh = list(ZH_SENTENCES) if mixed else []
    return [
        Section("Renewal guide", [" ".join(EN_SENTENCES[:4]), *zh[:4]], level=1),
        Section("Eligibility", [" ".join(EN_SENTENCES[4:]), *zh[4:]], level=2, new_page=True),
        Section("Fees", [" ".join(EN_SENTENCES), "".join(zh)], level=1, new_page=True),
    ]


@pytest.mark.parametrize("outline", [True, False], ids=["bookmarks", "font sizes"])
def test_pdf_keeps_headings_pages_and_whole_sentences(outline: bool) -> None:
    data = pdf_bytes(_sections(mixed=False), outline=outline)
    doc = ingest_bytes(data, "guide.pdf", "application/pdf", options=SMALL)
    assert (doc.type, doc.pages, doc.title) == (DocType.PDF, 3, "Renewal guide")
    headings = [b.heading_path for b in doc.blocks if b.kind == "heading"]
    assert headings == [("Renewal guide",), ("Renewal guide", "Eligibility"), ("Fees",)]
    eligible = _chunk_with(doc, EN_SENTENCES[6])
    assert eligible.heading_path == ("Renewal guide", "Eligibility")
    assert eligible.citation == "Renewal guide > Eligibility, page 2"
    assert _chunk_with(doc, EN_SENTENCES[0]).page_start == 1
    assert len(doc.chunks) > 3  # small target: several chunks, none with a broken sentence
    assert _sentences_of(doc) == {normalise(s) for s in EN_SENTENCES}


def test_cjk_pdf_chunks_end_on_chinese_sentence_marks(cjk_font: Path) -> None:
    data = pdf_bytes(_sections(mixed=True), font=cjk_font, title="續約手冊")
    doc = ingest_bytes(data, "zh.pdf", options=SMALL)
    assert doc.title == "續約手冊"  # the PDF's own title wins over the first heading
    known = {normalise(s) for s in (*EN_SENTENCES, *ZH_SENTENCES)}
    assert _sentences_of(doc) == known
    zh_chunks = [c for c in doc.chunks if "。" in c.text]
    assert zh_chunks and all(c.text.rstrip()[-1] in "。！？；….!?" for c in doc.chunks)
    assert _chunk_with(doc, ZH_SENTENCES[5]).citation == "Renewal guide > Eligibility, page 2"


def test_a_sentence_running_onto_the_next_page_stays_whole() -> None:
    filler = [" ".join(EN_SENTENCES)] * 9  # enough to overflow page 1
    doc = ingest_bytes(pdf_bytes([Section("Long", filler)]), "long.pdf", options=SMALL)
    assert doc.pages is not None and doc.pages >= 2
    assert _sentences_of(doc) == {normalise(s) for s in EN_SENTENCES}
    assert any(c.page_start != c.page_end for c in doc.chunks)


@pytest.mark.parametrize("outline", [True, False], ids=["bookmarks", "font sizes"])
def test_running_headers_and_page_numbers_are_dropped_chapter_headings_kept(outline: bool) -> None:
    chapters = [Section(f"Chapter {i}", [EN_SENTENCES[i]], new_page=True) for i in range(1, 6)]
    doc = ingest_bytes(pdf_bytes(chapters, outline=outline, furniture=True), "manual.pdf")
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert headings == [f"Chapter {i}" for i in range(1, 6)]
    text = "\n".join(c.text for c in doc.chunks)
    assert "internal" not in text
    assert "Page" not in text
    assert [c.citation for c in doc.chunks] == [f"Chapter {i}, page {i}" for i in range(1, 6)]


def test_truncated_pdf_is_corrupt_with_the_reason() -> None:
    data = pdf_bytes(_sections(mixed=False))
    with pytest.raises(IngestError) as caught:
        ingest_bytes(data[: len(data) // 2], "cut.pdf", "application/pdf")
    assert caught.value.code == "CORRUPT_DOCUMENT"
    assert "truncated" in caught.value.message
    assert caught.value.details["reason"]


def test_password_protected_pdf_is_refused() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(_sections(mixed=False)))))
    writer.encrypt("secret", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(IngestError) as caught:
        ingest_bytes(buffer.getvalue(), "locked.pdf")
    assert caught.value.code == "ENCRYPTED_DOCUMENT"
    assert "password" in caught.value.message


def test_pdf_with_only_an_owner_password_is_read() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(_sections(mixed=False)))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    doc = ingest_bytes(buffer.getvalue(), "no-print.pdf")
    assert _chunk_with(doc, EN_SENTENCES[6]).citation == "Renewal guide > Eligibility, page 2"


def test_pdf_without_text_layer_is_empty() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 100, style="F")  # a "scan": drawing only
    with pytest.raises(IngestError) as caught:
        ingest_bytes(bytes(pdf.output()), "scan.pdf")
    assert caught.value.code == "EMPTY_DOCUMENT"
    assert "OCR" in caught.value.message


def test_docx_headings_lists_and_tables() -> None:
    data = docx_bytes(
        _sections(mixed=True),
        title="續約手冊",
        bullets=["攜碼續約", "單門號續約"],
        table=[["方案", "月租"], ["學生", "399"]],
    )
    doc = ingest_bytes(data, "guide.docx", options=SMALL)
    assert (doc.type, doc.title, doc.pages) == (DocType.DOCX, "續約手冊", None)
    kinds = {b.kind: b for b in doc.blocks}
    assert kinds["list"].text == "- 攜碼續約\n- 單門號續約"
    assert kinds["table"].text == "方案 | 月租\n學生 | 399"
    assert kinds["table"].heading_path == ("Renewal guide",)
    assert _chunk_with(doc, EN_SENTENCES[6]).heading_path == ("Renewal guide", "Eligibility")
    assert _chunk_with(doc, "學生 | 399").citation == "Renewal guide"
    sentences = {normalise(s) for s in (*EN_SENTENCES, *ZH_SENTENCES)}
    assert sentences <= _sentences_of(doc)


def test_corrupt_docx_is_refused_with_the_reason() -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document><unclosed")
    with pytest.raises(IngestError) as caught:
        ingest_bytes(buffer.getvalue(), "broken.docx")
    assert caught.value.code == "CORRUPT_DOCUMENT"
    assert caught.value.details["reason"]


MARKDOWN = f"""# 續約手冊

{"".join(ZH_SENTENCES[:4])}

## Eligibility *rules*

{EN_SENTENCES[0]}
{EN_SENTENCES[1]}

1. 攜碼續約
2. 單門號續約
   - 需本人到場

```python
def fee(months):  # code stays verbatim. Even this line.
    return 1399 * months
```

| 方案 | 月租 |
|---|---|
| 學生 | 399 |

### Links

See [the store list](https://example.com/stores) for hours.
"""


def test_markdown_structure_survives() -> None:
    doc = ingest_bytes(MARKDOWN.encode(), "guide.md", "text/markdown")
    assert (doc.type, doc.title) == (DocType.MARKDOWN, "續約手冊")
    paths = [b.heading_path for b in doc.blocks if b.kind == "heading"]
    assert paths == [
        ("續約手冊",),
        ("續約手冊", "Eligibility rules"),
        ("續約手冊", "Eligibility rules", "Links"),
    ]
    by_kind = {b.kind: b.text for b in doc.blocks}
    assert by_kind["list"] == "- 攜碼續約\n- 單門號續約\n  - 需本人到場"
    assert by_kind["code"].startswith("def fee(months):  # code stays verbatim. Even this line.\n")
    assert by_kind["table"] == "方案 | 月租\n學生 | 399"
    assert "See the store list for hours." in _chunk_with(doc, "store list").text
    assert f"{EN_SENTENCES[0]} {EN_SENTENCES[1]}" in doc.chunks[1].text  # soft break joined


HTML = """<!DOCTYPE html><html><head><title>Fees &amp; rules</title>
<style>h1 { color: red }</style><script>var secret = "do not index";</script></head>
<body><nav><a href="/">Home</a> | <a href="/plans">Plans menu</a></nav>
<h1>資費說明</h1><p>月租 &lt;1,399&gt; 元&nbsp;含 5G。&#20013;華電信門市可辦理。</p>
<h2>Eligibility</h2><div><p>Customers may renew
within 60 days before it ends.</p></div>
<ul><li>攜碼續約</li><li>單門號續約</li></ul>
<h3>Table</h3><table><tr><th>方案</th><th>月租</th></tr><tr><td>學生</td><td>399</td></tr></table>
<h2>Other</h2><p>Last words.</p><script>alert(1)</script></body></html>"""


def test_html_drops_chrome_and_decodes_entities() -> None:
    doc = ingest_bytes(HTML.encode(), "fees.html", "text/html")
    assert (doc.type, doc.title) == (DocType.HTML, "Fees & rules")
    text = "\n".join(c.embed_text for c in doc.chunks)
    for absent in ("do not index", "Plans menu", "alert", "color"):
        assert absent not in text
    assert "月租 <1,399> 元 含 5G。中華電信門市可辦理。" in text
    assert _chunk_with(doc, "within 60 days").heading_path == ("資費說明", "Eligibility")
    assert _chunk_with(doc, "學生 | 399").heading_path == ("資費說明", "Eligibility", "Table")
    assert _chunk_with(doc, "Last words.").heading_path == ("資費說明", "Other")


def test_plain_big5_text_end_to_end() -> None:
    body = "續約須知\n\n" + "\n".join(ZH_SENTENCES) + "\n\n- 攜碼續約\n- 單門號續約\n"
    doc = ingest_bytes(body.encode("cp950"), "notes.txt", "text/plain", options=SMALL)
    assert (doc.type, doc.encoding, doc.title) == (DocType.TEXT, "cp950", "續約須知")
    assert {normalise(s) for s in ZH_SENTENCES} <= _sentences_of(doc)
    assert doc.chunks[0].text.startswith("續約須知")
