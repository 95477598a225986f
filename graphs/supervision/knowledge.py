"""Grounding the customer chat in the tenant's knowledge base, and citing what was used.

A retrieval step before the model call, not a tool the model may call: every customer turn is a
question the knowledge base may answer, so the search always runs (no extra model round trip
to decide to search, which the time to first token would pay); the "I do not know" decision is
the server's measured `answerable` threshold, not the model's mood; and the graph knows exactly
which hits the model saw, so the citations it attaches (text the customer reads, metadata the
workbench and history show) are the sources, whatever model answered.

The hits reach the model as one `<knowledge>` JSON block in a system message (the
customer_chat_system prompt's `knowledge` placeholder); the model cites them as [1], [2]; the
graph appends the sources those markers name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol, TypedDict

from langchain_core.messages import SystemMessage

from core.errors import SwitchboardError
from core.logging import get_logger
from graphs.supervision.language import Language

log = get_logger(__name__)

KNOWLEDGE_TAG: Final = "knowledge"
_MARKER = re.compile(r"\[(\d{1,2})\]")


class KnowledgeSearch(Protocol):
    """The knowledge server's `search_knowledge` for one tenant (a `SearchResult` dict)."""

    async def __call__(self, tenant_id: str, query: str, top_k: int) -> Mapping[str, Any]: ...


class ToolboxKnowledge:
    """`search_knowledge` through the MCP toolbox (which starts the knowledge server lazily)."""

    def __init__(self, toolbox: Any) -> None:
        self.toolbox = toolbox

    async def __call__(self, tenant_id: str, query: str, top_k: int) -> Mapping[str, Any]:
        result: Mapping[str, Any] = await self.toolbox.call(
            "search_knowledge", tenant_id=tenant_id, query=query, top_k=top_k
        )
        return result


class Citation(TypedDict, total=False):
    """One cited source, as the history item's `citations` and the `citations` event carry it."""

    n: int  # the [n] marker in the answer
    source: Literal["faq", "document"]
    faq_id: str
    document_id: str
    version: int  # FAQ version / document version the text came from
    chunk: int  # document chunk ordinal (documents only)
    title: str  # FAQ question or document title
    citation: str  # "FAQ faq_…" or "Title > Section, page 3"


@dataclass(frozen=True)
class Grounding:
    """What the knowledge base said about the customer's question."""

    answerable: bool
    hits: tuple[Mapping[str, Any], ...] = ()
    evidence: float = 0.0
    unavailable: bool = False  # the search failed: answer honestly without it

    @classmethod
    def of(cls, result: Mapping[str, Any], top_k: int) -> Grounding:
        answerable = bool(result.get("answerable"))
        hits = tuple(result.get("hits") or ())[:top_k] if answerable else ()
        return cls(answerable and bool(hits), hits, float(result.get("evidence") or 0.0))

    def block(self) -> str:
        """The `<knowledge>` block the model reads (hits only when answerable)."""
        body: dict[str, Any] = {"answerable": self.answerable}
        if self.unavailable:
            body["unavailable"] = True
        body["hits"] = [
            {"n": n, "source": "faq" if h.get("faq_id") else "document",
             "title": h.get("title", ""), "citation": h.get("citation", ""),
             "text": h.get("text", "")}
            for n, h in enumerate(self.hits, start=1)
        ]  # fmt: skip
        return f"<{KNOWLEDGE_TAG}>\n{json.dumps(body, ensure_ascii=False)}\n</{KNOWLEDGE_TAG}>"

    def messages(self) -> list[SystemMessage]:
        return [SystemMessage(self.block())]

    def cited(self, answer: str) -> list[Citation]:
        """The hits the answer's [n] markers name; none named → the best hit (the model answered
        from the block it was given, it only forgot to mark it)."""
        if not self.answerable:
            return []
        wanted = sorted({int(m) for m in _MARKER.findall(answer) if 1 <= int(m) <= len(self.hits)})
        return [citation(n, self.hits[n - 1]) for n in (wanted or [1])]


async def ground(search: KnowledgeSearch, tenant_id: str, query: str, top_k: int) -> Grounding:
    """Search the tenant's knowledge base for the question. A failed search is an honest "not
    answerable" (the model says it does not know), never an answer without sources."""
    try:
        result = await search(tenant_id, query[-1000:], top_k)
    except SwitchboardError as exc:
        log.warning("supervision_knowledge_failed", tenant=tenant_id, code=exc.code)
        return Grounding(answerable=False, unavailable=True)
    return Grounding.of(result, top_k)


def citation(n: int, hit: Mapping[str, Any]) -> Citation:
    cited: Citation = {"n": n, "title": str(hit.get("title", "")),
                       "citation": str(hit.get("citation", "")),
                       "version": int(hit.get("document_version") or 0)}  # fmt: skip
    if hit.get("faq_id"):
        cited["source"], cited["faq_id"] = "faq", str(hit["faq_id"])
    else:
        cited["source"], cited["document_id"] = "document", str(hit.get("document_id"))
        if hit.get("chunk") is not None:
            cited["chunk"] = int(hit["chunk"])
    return cited


_HEADER: Final[Mapping[Language, str]] = {"zh-TW": "資料來源：", "zh-CN": "资料来源：",
                                          "en": "Sources:"}  # fmt: skip


def sources_text(cited: Sequence[Citation], language: Language) -> str:
    """The citations as the customer reads them, appended to the answer."""
    en = language == "en"
    lines = []
    for c in cited:
        if c.get("source") == "faq":
            where = f"FAQ {c.get('faq_id')} v{c.get('version')}"
            lines.append(f"[{c['n']}] {c.get('title')} ({where})")
        else:
            part = "chunk" if en else "段落"
            where = f"{c.get('document_id')} v{c.get('version')}, {part} {c.get('chunk', '-')}"
            lines.append(f"[{c['n']}] {c.get('citation') or c.get('title')} ({where})")
    return "\n\n" + _HEADER[language] + "\n" + "\n".join(lines)
