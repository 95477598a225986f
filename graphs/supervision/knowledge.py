"""Grounding the customer chat in the tenant's knowledge base, and citing what was used.

A retrieval step before the model call, not a tool the model may call: every customer turn is a
question the knowledge base may answer, so the search runs on every turn (no extra model round
trip to decide to search, which the time to first token would pay), except a social turn with no
content word (`is_social`) and a tenant whose knowledge base was just found empty; the "I do not
know" decision is the server's measured `answerable` threshold, not the model's mood; and the
graph knows exactly which hits the model saw, so the citations it attaches (text the customer
reads, metadata the workbench and history show) are the sources, whatever model answered.

The hits reach the model as one `<knowledge>` JSON block in a system message (the
customer_chat_system prompt's `knowledge` placeholder); the model cites them as [1], [2]; the
graph appends the sources those markers name.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
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


# A tenant whose knowledge base was empty is not asked again for this long: its customers' turns
# skip the MCP round trip; the first FAQ an admin adds is answered from at most this much later.
EMPTY_RECHECK_SECONDS: Final = 10.0
_NOTHING: Final[Mapping[str, Any]] = {"hits": [], "answerable": False, "evidence": 0.0,
                                      "chunks": 0}  # fmt: skip


class ToolboxKnowledge:
    """`search_knowledge` through the MCP toolbox (which starts the knowledge server lazily).
    Remembers, for `EMPTY_RECHECK_SECONDS`, the tenants whose knowledge base was empty."""

    def __init__(self, toolbox: Any, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.toolbox = toolbox
        self.clock = clock
        self._empty_until: dict[str, float] = {}

    def warm(self) -> None:
        """A conversation started: its first question will search, so the knowledge server
        (started on first use) starts now, in the background, not while the customer waits."""
        warm_lazy = getattr(self.toolbox, "warm_lazy", None)
        if warm_lazy is not None:
            warm_lazy()

    async def __call__(self, tenant_id: str, query: str, top_k: int) -> Mapping[str, Any]:
        if self._empty_until.get(tenant_id, 0.0) > self.clock():
            return _NOTHING
        result: Mapping[str, Any] = await self.toolbox.call(
            "search_knowledge", tenant_id=tenant_id, query=query, top_k=top_k
        )
        if result.get("chunks") == 0:
            self._empty_until[tenant_id] = self.clock() + EMPTY_RECHECK_SECONDS
        else:
            self._empty_until.pop(tenant_id, None)
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


# Social formulae: greetings, thanks, acknowledgements, goodbyes, "are you there". A closed list:
# a turn made only of these (and particles, punctuation, emoji) asks the knowledge base nothing.
_SOCIAL_ZH = (
    "有人在嗎", "在不在", "在嗎", "你好", "您好", "哈囉", "哈嘍", "嗨", "早安", "午安", "晚安",
    "謝謝你", "謝謝您", "謝謝", "謝啦", "感謝", "多謝", "感恩", "好的", "好", "嗯", "了解",
    "瞭解", "知道了", "收到", "沒問題", "沒事了", "沒有了", "不用了", "再見", "掰掰", "拜拜",
    "辛苦了", "你们好", "谢谢", "好的呢", "在吗", "再见", "明白了", "明白", "非常", "真的",
    "太好了", "棒",
)  # fmt: skip
_SOCIAL_EN = re.compile(
    r"\b(?:hi|hello|hey|hiya|yo|good (?:morning|afternoon|evening|night)|thanks?|thank you|"
    r"thx|ty|cheers|many thanks|much appreciated|appreciate it|ok(?:ay)?|cool|great|nice|"
    r"perfect|got it|understood|alright|all right|sure|yes|no|bye|goodbye|see you|that'?s all|"
    r"that is all|nothing else|you|so much|very much|a lot|anyone there|are you there|"
    r"is anyone there|please)\b"
)
_PARTICLES = re.compile(r"[啊阿呀喔哦噢啦囉嘛呢吧耶唷哈嗯欸誒哇了的~～]")
MAX_SOCIAL_CHARS = 40


def is_social(text: str) -> bool:
    """A short turn with no content words: only greetings, thanks, acknowledgements or
    goodbyes from a closed list, particles, punctuation and emoji. "你好，我的 SIM 卡不見了"
    and "thanks, and roaming in Japan?" keep content words, so they are searched."""
    lowered = text.lower().strip()
    if not lowered or len(lowered) > MAX_SOCIAL_CHARS:
        return False
    for phrase in _SOCIAL_ZH:
        lowered = lowered.replace(phrase, " ")
    lowered = _PARTICLES.sub(" ", _SOCIAL_EN.sub(" ", lowered))
    return not any(ch.isalnum() for ch in lowered)


async def ground(
    search: KnowledgeSearch, tenant_id: str, query: str, top_k: int
) -> Grounding | None:
    """Search the tenant's knowledge base for the question. A failed search is an honest "not
    answerable" (the model says it does not know), never an answer without sources. A social
    turn (`is_social`) is not searched (None: the model answers as without a knowledge base,
    a greeting gets a greeting, not "I do not know")."""
    if is_social(query):
        return None
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
