"""Which customer turns skip the knowledge search: short turns with no content words (greetings,
thanks, acknowledgements, goodbyes). Anything with a content word is searched."""

from __future__ import annotations

import pytest

from graphs.supervision.knowledge import (
    EMPTY_RECHECK_SECONDS,
    MAX_SOCIAL_CHARS,
    ToolboxKnowledge,
    ground,
    is_social,
)

SOCIAL = ["你好", "您好～", "哈囉 在嗎", "謝謝！", "好的 謝謝你", "收到 👍", "沒有了 謝謝", "嗯嗯",
          "hi", "Hello?", "thanks!", "ok thank you", "thank you so much, that's all",
          "bye"]  # fmt: skip
SEARCHED = ["你好，我的 SIM 卡不見了", "謝謝，那漫遊呢", "好貴", "5G?", "no signal", "123",
            "thanks, and roaming in Japan?", "hello, my bill is wrong", "please help",
            "在嗎 我要解約"]  # fmt: skip


@pytest.mark.parametrize("text", SOCIAL)
def test_social_turns_are_recognised(text: str) -> None:
    assert is_social(text)


@pytest.mark.parametrize("text", SEARCHED)
def test_turns_with_content_words_are_searched(text: str) -> None:
    assert not is_social(text)


def test_a_long_turn_is_never_social() -> None:
    assert not is_social("謝謝 " * (MAX_SOCIAL_CHARS // 3 + 1))


async def test_ground_skips_the_search_only_for_social_turns() -> None:
    asked: list[str] = []

    async def search(tenant_id: str, query: str, top_k: int) -> dict[str, object]:
        asked.append(query)
        return {"answerable": True, "evidence": 0.2, "hits": [{"faq_id": "f1", "text": "..."}]}

    assert await ground(search, "acme", "謝謝！", 3) is None
    grounding = await ground(search, "acme", "謝謝，那漫遊呢", 3)
    assert grounding is not None and grounding.answerable and asked == ["謝謝，那漫遊呢"]


class _Server:
    """The knowledge server's `search_knowledge` as the toolbox calls it: a tenant's chunk count
    decides whether anything can be found."""

    def __init__(self) -> None:
        self.chunks = 0
        self.calls = 0

    async def call(self, tool: str, **arguments: object) -> dict[str, object]:
        assert tool == "search_knowledge"
        self.calls += 1
        return {"hits": [], "answerable": False, "evidence": 0.0, "chunks": self.chunks}


async def test_an_empty_knowledge_base_is_not_asked_again_until_the_recheck() -> None:
    server, now = _Server(), [100.0]
    search = ToolboxKnowledge(server, clock=lambda: now[0])

    for _ in range(5):  # a tenant without FAQs or documents: one round trip, then none
        assert not (await search("harbor", "漫遊怎麼開", 3))["answerable"]
    assert server.calls == 1

    server.chunks = 3  # an admin adds the first FAQ
    now[0] += EMPTY_RECHECK_SECONDS + 0.1
    await search("harbor", "漫遊怎麼開", 3)
    await search("harbor", "漫遊怎麼開", 3)
    assert server.calls == 3  # asked again after the recheck, and every turn from then on
