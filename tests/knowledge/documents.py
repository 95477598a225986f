"""Test documents generated on the fly (no binary fixtures): PDF by fpdf2, DOCX by python-docx."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from fpdf import FPDF

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
HEADING_SIZES = {1: 20, 2: 15, 3: 13}

EN_SENTENCES = (
    "Customers may renew their contract within 60 days before it ends.",
    "Dr. Chen confirmed that the fee of NT$1,399.50 applies from the next bill.",
    "A line with unpaid bills must settle them first, e.g. at a store or online.",
    "The 5G plan includes 3.5 GB of roaming data per month.",
    "Ask the customer which device they use today!",
    "Is the customer eligible for the student discount?",
    "Mr. Lin from the Taipei store reviews every renewal on Fridays.",
    "No. 5 on the list is the family plan with four lines.",
)
ZH_SENTENCES = (
    "客戶可在合約到期前六十天內辦理續約。",
    "若門號有欠費，需先繳清才能續約！",
    "學生方案每月只要三百九十九元，還送雙倍網路流量。",
    "請問客戶目前使用哪一款手機？",
    "資費 1,399 元的方案包含 5G 不限速上網；",
    "長輩方案適合只打電話、很少上網的客戶。",
    "續約後的新合約自申辦當日起算，為期三十個月。",
    "門市人員會在週五複核所有續約申請……",
)


def normalise(text: str) -> str:
    """Compare text across extractors: PDF line wraps may add or drop a space."""
    return re.sub(r"\s+", "", text)


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    level: int = 1
    new_page: bool = False


class _ManualPDF(FPDF):
    """Prints a running header and a 'Page N' footer in small type on every page."""

    def header(self) -> None:
        self.set_font("helvetica", size=8)
        self.cell(0, 5, text="Switchboard renewal manual - internal", new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.cell(0, 5, text=f"Page {self.page_no()}", align="C")


def pdf_bytes(
    sections: list[Section],
    *,
    font: Path | None = None,
    outline: bool = True,
    title: str | None = None,
    furniture: bool = False,
) -> bytes:
    """A PDF whose headings are larger text and, with `outline`, bookmarks too."""
    pdf = _ManualPDF() if furniture else FPDF()
    family = "helvetica"
    if font is not None:
        pdf.add_font("cjk", fname=str(font), collection_font_number=0)
        family = "cjk"
    if title:
        pdf.set_title(title)
    pdf.add_page()
    for index, section in enumerate(sections):
        if section.new_page and index:
            pdf.add_page()
        pdf.set_font(family, size=HEADING_SIZES[section.level])
        if outline:
            pdf.start_section(section.title, level=section.level - 1)
        pdf.multi_cell(0, 10, text=section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=11)
        for paragraph in section.paragraphs:
            pdf.multi_cell(0, 6, text=paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def docx_bytes(
    sections: list[Section],
    *,
    title: str | None = None,
    bullets: list[str] | None = None,
    table: list[list[str]] | None = None,
) -> bytes:
    """A Word document with Heading styles; bullets and a table go after the first section."""
    document = Document()
    if title:
        document.add_paragraph(title, style="Title")
    for index, section in enumerate(sections):
        document.add_heading(section.title, level=section.level)
        for paragraph in section.paragraphs:
            document.add_paragraph(paragraph)
        if index == 0:
            for bullet in bullets or []:
                document.add_paragraph(bullet, style="List Bullet")
            if table:
                grid = document.add_table(rows=len(table), cols=len(table[0]))
                for r, row in enumerate(table):
                    for c, value in enumerate(row):
                        grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# The server tests' documents -------------------------------------------------------------

ROAMING = "Roaming Guide"


def roaming_sections(extra: str = "") -> list[Section]:
    return [
        Section("Activating roaming", [
            "Roaming is switched on in the app under Settings > Travel before departure.",
            "The daily roaming pass costs NT$199 and includes 1 GB of data in Japan and Korea.",
            *EN_SENTENCES[:3],
        ]),
        Section("Roaming charges abroad", [
            "Calls received abroad are charged at NT$25 per minute." + extra,
            *EN_SENTENCES[3:],
        ], new_page=True),
    ]  # fmt: skip


MARKDOWN = """# 預付卡手冊

## 儲值方式

預付卡可在便利商店或官網儲值，金額從一百元起。儲值後立即生效，簡訊會通知餘額。

## 有效期限

每次儲值延長有效期限一百八十天。逾期未儲值的門號會在三十天後停話。
"""

HTML = """<!doctype html><html><head><title>Store hours</title></head><body>
<nav>menu</nav><h1>Store hours</h1><h2>Weekdays</h2>
<p>Flagship stores open from 10:00 to 21:30 on weekdays. Smaller stores close at 21:00.</p>
<h2>Holidays</h2><p>On national holidays every store opens from 11:00 to 20:00.</p>
</body></html>"""

TEXT = (
    "SIM card replacement\n\nA lost SIM card can be blocked by calling 123 at any time. "
    "A replacement eSIM is issued in the app within ten minutes after identity checks.\n"
)


def formats() -> list[tuple[str, bytes, str, str]]:
    """(filename, bytes, media type, a query one of its chunks answers)."""
    return [
        ("roaming.pdf", pdf_bytes(roaming_sections(), title=ROAMING), "application/pdf",
         "daily roaming pass Japan"),
        ("contract.docx", docx_bytes([Section("Early termination", [
            "Ending a contract early costs the unused share of the device subsidy.",
            *ZH_SENTENCES[:2]])], title="Contract terms"),
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "early termination device subsidy"),
        ("prepaid.md", MARKDOWN.encode(), "text/markdown", "預付卡 儲值 有效期限"),
        ("hours.html", HTML.encode(), "text/html", "store hours national holidays"),
        ("sim.txt", TEXT.encode(), "text/plain", "lost SIM card replacement eSIM"),
    ]  # fmt: skip
