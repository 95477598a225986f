"""Round 8's rules (usage.py, the phone-line default): each row is one way people ask.

Table-driven: every rule is a statement about phrasing, so each has several phrasings here,
in zh-TW, zh-CN and English, and the traps it must not catch.
"""

from __future__ import annotations

import pytest

from mcp_servers.backoffice.records import Plan
from mcp_servers.promotion.search.constraints import Constraint, ParsedQuery
from mcp_servers.promotion.search.facets import facets_of
from mcp_servers.promotion.search.numbers import parse_number
from mcp_servers.promotion.search.parser import parse_query
from mcp_servers.promotion.search.retriever import LocalHybridRetriever

from .conftest import HashEmbedder

H, S = True, False  # hard (filter) / soft (boost)


def _has(parsed: ParsedQuery, kind: str, value: object, hard: bool) -> bool:
    return any(c.kind == kind and c.value == value and c.hard is hard for c in parsed.constraints)


# (query, constraints that must be read, kinds that must not be)
CASES: list[tuple[str, set[tuple[str, object, bool]], set[str]]] = [
    # a data range is an allowance inside it, not "at least the larger number"
    ("一個月用量大概40到60G", {("data_min", 40, H), ("data_between", (40, 60), S)}, set()),
    ("手機每月大概用 20 到 30G", {("data_between", (20, 30), S)}, set()),
    ("一个月流量三四十G", {("data_min", 30, H), ("data_between", (30, 40), S)}, set()),
    ("between 50 and 100GB a month", {("data_between", (50, 100), S)}, set()),
    ("data in the 5-10GB range", {("data_between", (5, 10), S)}, set()),
    ("4G到5G", set(), {"data_between"}),  # networks, not gigabytes
    # a fee band in two digits or in English words: a preference, not the larger number
    ("月租四五百", {("fee_band", (399, 500), S)}, {"fee_is", "fee_max"}),
    ("每月预算六七百", {("fee_band", (599, 700), S)}, set()),
    ("monthly fee in the four hundreds", {("fee_band", (400, 499), S)}, set()),
    ("五百多", set(), {"fee_band"}),  # one number a little over: round 4's reading
    # a budget with a number is a ceiling with plans near it first, not "cheapest"
    ("預算只有 1000", {("fee_max", 1000, H), ("fee_is", 1000, S)}, {"cheap"}),
    ("budget up to 1400", {("fee_max", 1400, H)}, {"cheap"}),
    ("预算就 800", {("fee_max", 800, H)}, {"cheap"}),
    # a small budget or not wanting to spend, in words: cheap
    ("手机预算低", {("cheap", True, S)}, set()),
    ("不想花太多錢", {("cheap", True, S)}, set()),
    ("on a tight budget", {("cheap", True, S)}, set()),
    # talking a lot: more minutes preferred, unlimited best
    ("我電話講很多", {("voice_min", 300, S), ("voice_more", 800, S)}, set()),
    ("講電話的時間很長", {("voice_more", 800, S)}, set()),
    ("电话打很凶", {("voice_more", 800, S)}, set()),
    ("sales rep, tons of calls", {("voice_more", 800, S)}, set()),
    ("on the phone all day", {("voice_more", 800, S)}, set()),
    # unlimited voice refused: plans counting minutes, never the unlimited-voice filter
    ("不用無限通話", {("voice_finite", True, S)}, {"voice_unlimited"}),
    ("通话不用无限", {("voice_finite", True, S)}, {"voice_unlimited"}),
    ("don't need unlimited minutes", {("voice_finite", True, S)}, {"voice_unlimited"}),
    ("網內外無限通話", {("voice_unlimited", True, H)}, {"voice_finite"}),
    # "enough for video" is about the data, not a streaming gift
    ("便宜但看影片夠用的", {("video_ok", True, S), ("cheap", True, S)}, {"streaming"}),
    ("要能刷视频追剧", {("video_ok", True, S)}, {"streaming"}),
    ("cheapest plan that's fine for watching videos", {("video_ok", True, S)}, {"streaming"}),
    ("送 Netflix 的追劇方案", set(), {"video_ok"}),  # the gift, named
    # streaming in English verbs; a refused audience with a recipient; gifts asked about
    ("customer streams a lot of shows", {("streaming", "video", S)}, set()),
    ("别给我学生方案", {("audience_not", "student", S)}, {"audience"}),
    ("don't show me senior plans", {("audience_not", "senior", S)}, set()),
    ("續約有送什麼嗎", {("gift", True, H)}, set()),
    ("not interested in 5G", {("network", "4G", S)}, set()),
]


@pytest.mark.parametrize(("query", "wanted", "unwanted"), CASES)
def test_round8_phrasings(
    query: str, wanted: set[tuple[str, object, bool]], unwanted: set[str]
) -> None:
    parsed = parse_query(query)
    for kind, value, hard in wanted:
        assert _has(parsed, kind, value, hard), (query, parsed.labels())
    assert not {c.kind for c in parsed.constraints} & unwanted, (query, parsed.labels())


@pytest.mark.parametrize(("text", "value"), [("五九九", 599), ("一一九九", 1199), ("七九九", 799)])
def test_prices_said_digit_by_digit(text: str, value: int) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("query", "phone"),
    [
        ("只綁兩年的方案", True),  # nothing says the line is not for a phone
        ("最便宜的", True),
        ("平板 上網", False),
        ("平版 上網 方案", False),  # typo'd tablet
        ("Galaxy Tab 搭門號", False),
        ("車上 wifi 用的門號", False),
        ("POS 機上網", False),
        ("100GB 以上的行動上網", False),
        ("data-only SIM for a pocket wifi router", False),
        ("家裡不想拉網路，想用行動網路取代", False),
        ("一號多機", False),
        ("手錶門號", False),
    ],
)
def test_the_phone_line_default(query: str, phone: bool) -> None:
    """A default boost for lines with voice unless the words name a use without a phone."""
    parsed = parse_query(query)
    assert any(d.kind == "phone_line" for d in parsed.defaults) is phone
    assert all(d not in parsed.constraints for d in parsed.defaults)
    filters = parsed.filters()  # never a filter on voice or plan type
    assert filters.plan_types is None and filters.min_voice_minutes is None


def test_new_kinds_score_alike_on_both_backends(tiny_plans: list[Plan]) -> None:
    """Azure re-ranks by `PlanFacets`, the local engine by numpy columns: same numbers."""
    local = LocalHybridRetriever(HashEmbedder())
    local.ensure_index_sync(tiny_plans)
    state = local._state
    assert state is not None
    constraints: list[Constraint] = [c for q, _, _ in CASES for c in parse_query(q).constraints]
    constraints += [*parse_query("最便宜的").defaults, *parse_query("學生 吃到飽").defaults]
    for c in constraints:
        vector = state.satisfaction(c, 499.0)
        single = [float(c.satisfaction(facets_of(p), 499.0)) for p in tiny_plans]
        assert list(vector) == pytest.approx(single), c
