"""The query constraint parser: table-driven, zh-TW / zh-CN / English, and its traps."""

from __future__ import annotations

import pytest

from mcp_servers.backoffice.records import Plan
from mcp_servers.promotion.search.constraints import Constraint, ParsedQuery, cheapest_floor
from mcp_servers.promotion.search.facets import facets_of
from mcp_servers.promotion.search.numbers import parse_number, zh_number
from mcp_servers.promotion.search.parser import parse_query
from mcp_servers.promotion.search.query import shape_query
from mcp_servers.promotion.search.retriever import LocalHybridRetriever

from .conftest import HashEmbedder, make_plan

H, S = True, False  # hard (filter) / soft (boost)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("五百", 500), ("八百", 800), ("一千", 1000), ("一千二", 1200), ("兩千", 2000),
        ("九百九十九", 999), ("一千零二", 1002), ("二十四", 24), ("十二", 12), ("兩萬五", 25000),
        ("1k", 1000), ("千", 1000), ("百", 100), ("1.2k", 1200), ("999", 999), ("1千", 1000),
        ("two", 2),
    ],
)  # fmt: skip
def test_numbers_as_people_type_them(text: str, value: float) -> None:
    assert parse_number(text) == value


def test_not_a_number() -> None:
    assert zh_number("零萬") == 0 and parse_number("abc") is None


CASES: list[tuple[str, set[tuple[str, object, bool]]]] = [
    # monthly fee: ceilings, floors, ranges, "around"
    ("1000以下的方案", {("fee_max", 1000, H)}),
    ("月租不超過999", {("fee_max", 999, H)}),
    ("五百到八百", {("fee_min", 500, H), ("fee_max", 800, H)}),
    ("月租一千二以內", {("fee_max", 1200, H)}),
    ("預算四百塊", {("fee_max", 400, H), ("fee_is", 400, S)}),  # near the budget first (round 8)
    ("1,000元以下", {("fee_max", 1000, H)}),
    ("800 上下", {("fee_around", 800, S)}),
    ("大概 700 左右", {("fee_around", 700, S)}),
    ("under NT$800", {("fee_max", 799, H)}),
    ("less than 1k a month", {("fee_max", 999, H)}),
    ("at most $1,200", {("fee_max", 1200, H)}),
    ("between 500 and 800", {("fee_min", 500, H), ("fee_max", 800, H)}),
    ("1000 元以上", {("fee_min", 1000, H)}),
    ("月租1000以内", {("fee_max", 1000, H)}),  # zh-CN
    ("每月不到 1000", {("fee_max", 999, H)}),
    ("千元以下", {("fee_max", 1000, H)}),
    ("要最便宜的", {("cheap", "most", S), ("cheap", True, S)}),
    # data and speed
    ("5G 吃到飽", {("unlimited", True, H), ("network", "5G", S)}),
    ("不限量上网", {("unlimited", True, H)}),  # zh-CN
    ("unlimited data plan", {("unlimited", True, H)}),
    ("no data cap", {("unlimited", True, H)}),
    ("流量不限", {("unlimited", True, H)}),
    ("吃到飽不降速", {("unlimited", True, H)}),
    ("降速吃到飽也可以", {("throttled", True, S)}),
    ("用完還有 10M", {("speed_min", 10, H), ("speed_at", 10, S), ("capped", True, S)}),
    ("吃到飽太貴了", {("capped", True, H)}),
    ("not unlimited", {("capped", True, H)}),
    ("至少 20GB", {("data_min", 20, H)}),
    ("50G 以上", {("data_min", 50, H)}),
    ("30 GB or more", {("data_min", 30, H)}),
    ("30GB 的方案", {("data_min", 30, S)}),
    ("5GB 就夠", {("data_light", 5, S)}),
    ("超量依量計費", {("pay_per_use", True, H)}),
    # voice
    ("通話要無限", {("voice_unlimited", True, H)}),
    ("unlimited calls", {("voice_unlimited", True, H)}),
    ("網外 300 分鐘以上", {("voice_min", 300, H)}),
    # contract
    ("綁約 24 個月", {("contract", (24,), H)}),
    ("兩年約", {("contract", (24,), H)}),
    ("12 months", {("contract", (12,), H)}),
    ("two-year contract", {("contract", (24,), H)}),
    ("不綁約", {("contract", (0,), H)}),
    ("不想被合約綁住", {("contract", (0,), H)}),
    ("no contract", {("contract", (0,), H)}),
    ("不绑约", {("contract", (0,), H)}),  # zh-CN
    ("合約最多兩年", {("contract_max", 24, H)}),
    # device
    ("含手機", {("device", True, H), ("voice_needed", True, S)}),
    ("搭 iPhone", {("device", True, H), ("voice_needed", True, S), ("brand", "iphone", S)}),
    ("單辦門號", {("device", False, H)}),
    ("不換手機", {("device", False, H)}),
    ("不綁機", {("device", False, H)}),  # a phone, not a contract
    ("SIM only", {("device", False, H)}),
    ("with a new phone", {("device", True, H), ("voice_needed", True, S)}),
    ("想換 iPhone", {("device", True, H), ("voice_needed", True, S), ("brand", "iphone", S)}),
    ("紅米手機", {("brand", "redmi", S), ("device", True, S)}),
    (
        "購機折扣 3000 以上",
        {("device", True, H), ("voice_needed", True, S), ("discount_min", 3000, H)},
    ),
    # perks and streaming
    ("有送 Netflix 的方案嗎", {("perk", "netflix", H)}),
    ("迪士尼", {("perk", "disney+", H)}),
    ("送行動電源", {("perk", "power_bank", H)}),
    ("有送東西的", {("gift", True, H)}),
    ("YouTube Premium", {("streaming", "video", S)}),
    ("KKBOX", {("streaming", "music", S)}),
    ("想看韓劇", {("streaming", "video", S)}),
    ("聽音樂的串流", {("streaming", "music", S)}),
    # audiences
    ("學生方案", {("audience", "student", S)}),
    ("给长辈用", {("audience", "senior", S)}),  # zh-CN
    ("for seniors", {("audience", "senior", S)}),
    ("我是老師", {("audience", "military_civil", S)}),
    ("公司員工門號", {("audience", "company", S)}),
    ("全家一起辦", {("audience", "family", S)}),
    # the same words that are not constraints
    (
        "iPhone 17 搭機",
        {("device", True, H), ("voice_needed", True, S), ("brand", "iphone", S)},
    ),  # 17 is a model
    ("Netflix 12 個月", {("perk", "netflix", H)}),  # a gift's duration, not a contract
    ("在網滿 24 個月", set()),  # tenure
    (
        "4G 升級 5G",
        {("network", "5G", S), ("audience", "upgrade_4g", S)},
    ),  # both named, upgrading to 5G (was: none)
    ("語音無限 吃到飽", {("voice_unlimited", True, H), ("unlimited", True, H)}),
    ("Galaxy A56", {("brand", "galaxy", S), ("device", True, S)}),
    # storage, not data; an iPhone named is a phone: lines with voice first
    ("iPhone 17 256G", {("brand", "iphone", S), ("device", True, S), ("voice_needed", True, S)}),
    ("光世代 300M", {("perk", "fibre", H)}),  # broadband speed, not the speed after a cap
    # issue 20 round 2: negated floors, bare fees, shorter contracts, zh-CN words, usage in words
    ("月租不想超過一千", {("fee_max", 1000, H)}),
    ("monthly fee not more than 800", {("fee_max", 800, H)}),
    ("四百九十九的方案", {("fee_is", 499, S)}),  # a plan named by its fee
    ("月租 799", {("fee_is", 799, S)}),
    ("我們公司有 10 個員工", {("audience", "company", S)}),  # a head count is not a fee
    ("2019 限定", set()),  # a year is not a fee
    ("不要綁三年", {("contract_max", 35, H)}),  # shorter than three years, not "no contract"
    ("no 3-year contract", {("contract_max", 35, H)}),
    ("不想签约", {("contract", (0,), H)}),  # zh-CN
    ("合约机", {("device", True, H), ("voice_needed", True, S)}),  # zh-CN
    ("我爸退休了", {("audience", "senior", S)}),
    ("可以多講電話的", {("voice_min", 300, S)}),
    ("流量大一點", {("data_min", 20, S)}),
    ("流量多少", set()),  # a question, not a wish
    ("我一個月大概用 50G", {("data_need", 50, S)}),  # usage: unlimited serves it too
    ("5G 六十G 的方案", {("network", "5G", S), ("data_min", 60, S)}),  # names an allowance
    ("買 S25", {("device", True, H), ("voice_needed", True, S)}),
    ("阿嬤 78 歲", {("audience", "senior", S)}),  # an age says who the line is for
    ("16 歲的女兒", {("audience", "student", S), ("audience", "family", S)}),
    ("40歲上班族", set()),
    ("手機一個月 10G 就夠", {("voice_needed", True, S), ("data_light", 10, S)}),
    ("送行動電源或耳機", {("perk_any", ("power_bank", "earbuds"), H)}),  # either, not both
    ("Netflix or Disney+", {("perk_any", ("netflix", "disney+"), H)}),
    ("送 Netfilx", {("perk", "netflix", H)}),  # one swap from a name it knows
    ("extra data charged per use", {("pay_per_use", True, H)}),  # charged is not "charger"
    # issue 20 round 3: zh-CN in any rule (folded to Traditional), more ways to say a thing
    (
        "不限速的5G，带手机",
        {
            ("unlimited", True, H),
            ("network", "5G", S),
            ("device", True, H),
            ("voice_needed", True, S),
        },
    ),
    ("一千块以内的无限流量", {("fee_max", 1000, H), ("unlimited", True, H)}),
    ("宽带加手机的组合", {("perk", "fibre", H), ("voice_needed", True, S)}),
    ("有没有送充电宝的", {("perk", "power_bank", H)}),
    ("银发族", {("audience", "senior", S)}),  # 发 is 髮 here, not 發
    ("我自带手机", {("device", False, H)}),  # one's own phone: no bundle
    ("網路用完還能 10M 繼續用的", {("speed_min", 10, H), ("speed_at", 10, S), ("capped", True, S)}),
    ("現在 1199 太貴了", {("fee_max", 1198, H), ("cheap", True, S)}),  # below today's fee
    ("I pay 999 now, want something cheaper", {("fee_max", 998, H), ("cheap", True, S)}),
    ("1000 以下，便宜一點", {("fee_max", 1000, H), ("cheap", True, S)}),  # a ceiling stays one
    ("想降月租", {("perk", "price_drop", S), ("cheap", True, S)}),
    ("阿嬤只打電話", {("audience", "senior", S), ("voice_needed", True, S), ("data_light", 1, S)}),
    ("很少上網", {("data_light", 1, S)}),
    ("打傳說對決會 lag", {("audience", "gamer", S)}),
    ("flagship", set()),  # the "lag" in flagship is no gamer
    ("disny+ 方案", {("perk", "disney+", H)}),  # a name one letter short
    ("ipone 17 搭機", {("device", True, H), ("voice_needed", True, S), ("brand", "iphone", S)}),
    ("phone plan", {("voice_needed", True, S)}),  # a real word is not a short iphone
    ("800/month max", {("fee_max", 800, H)}),
    ("sub-600", {("fee_max", 599, H)}),
    ("月租不要破千", {("fee_max", 999, H)}),
    ("四位數的不要", {("fee_max", 999, H)}),
    ("五百多", {("fee_over", (501, 599), S)}),  # a little over the round number
    ("一百多G 的方案", {("data_min", 100, S)}),
    ("heavy user", {("data_min", 20, S)}),
    ("出國旅遊", {("perk", "roaming", S)}),  # travel: a preference, 漫遊 is the filter
    ("常出國，要漫遊", {("perk", "roaming", H)}),
    ("for my teenager", {("audience", "student", S)}),
    ("sixteen", set()),
    ("阿伯用", {("audience", "senior", S)}),
    ("流量 5G 就夠", {("data_light", 5, S)}),  # next to 流量, 5G is an amount
    ("5G 流量大的", {("network", "5G", S), ("data_min", 20, S)}),  # here it is the network
    (
        "最便宜的 5G 吃到飽",
        {("cheap", "most", S), ("cheap", True, S), ("network", "5G", S), ("unlimited", True, H)},
    ),
    # H32 (issue 20, round 4): whole kinds of phrasing the parser missed
    ("吃道飽", {("unlimited", True, H)}),  # 吃到飽 mistyped by sound
    ("呷到飽 不降速", {("unlimited", True, H)}),
    ("5G unlimted", {("network", "5G", S), ("unlimited", True, H)}),  # name ends like the typo
    ("幾百塊的吃到飽", {("fee_max", 999, H), ("unlimited", True, H)}),  # not 百 = 100
    ("a few hundred bucks", {("fee_max", 999, H)}),
    ("一千出頭", {("fee_over", (1001, 1299), S)}),  # over the round number, not 999
    ("一千多", {("fee_over", (1001, 1999), S)}),
    ("一千二多", {("fee_over", (1201, 1299), S)}),
    ("月租5百", {("fee_is", 500, S)}),  # digits with 百 / 千
    ("1千5以內", {("fee_max", 1500, H)}),
    ("two grand max", {("fee_max", 2000, H)}),
    ("超過 1000 不要", {("fee_max", 1000, H)}),  # refused above it: a ceiling, not a floor
    ("超過一千就不要", {("fee_max", 1000, H)}),
    ("1000 up", {("fee_min", 1000, H)}),
    ("approx 1200", {("fee_around", 1200, S)}),
    ("不要太貴", {("cheap", True, S)}),
    ("CP值高的", {("cheap", True, S)}),
    ("good value", {("cheap", True, S)}),
    ("I only use like 2 gigs a month", {("data_light", 2, S)}),  # usage said to be small
    ("只用 3GB", {("data_light", 3, S)}),
    ("10GB is enough", {("data_light", 10, S)}),
    ("流量 30 GB up", {("data_min", 30, H)}),
    ("網外 200 分", {("voice_min", 200, H)}),  # 分 after a voice word is minutes
    ("合約 30 期", {("contract", (30,), H)}),
    ("24期", set()),  # bare periods may be installments
    ("mostly phone calls", {("voice_needed", True, S), ("data_light", 1, S)}),
    (
        "平價手機搭 4G 方案",
        {("cheap", True, S), ("device", True, H), ("voice_needed", True, S), ("network", "4G", S)},
    ),
    (
        "搭ifone",
        {("device", True, H), ("voice_needed", True, S)},
    ),  # 搭 + a model name the tables do not know
    ("搭 Netflix", {("perk", "netflix", H)}),  # ... but not a perk's name
    ("送手機殼", {("perk", "phone_case", H)}),  # a case, not a phone
    ("not bundled with a phone", {("device", False, H)}),
    ("不要學生方案", {("audience_not", "student", S)}),  # an audience refused
    ("not for seniors", {("audience_not", "senior", S)}),
    ("我不是學生", {("audience_not", "student", S)}),
    ("不要 5G，4G 吃到飽就好", {("network", "4G", S), ("unlimited", True, H)}),  # the other one
    ("not 5G", {("network", "4G", S)}),
    ("non-4G", {("network", "5G", S)}),
    ("cheap plan for my mom", {("cheap", True, S), ("audience", "senior", S)}),
    ("for my son", {("audience", "family", S)}),
    ("我是實況主", {("audience", "gamer", S)}),
    ("折抵月租", {("perk", "bill_credit", H)}),
    # round 5 (H36): general public, upgrade / downgrade, cheaper than a fee, data near an amount
    ("一般民眾 吃到飽", {("audience", "general", S), ("unlimited", True, H)}),
    ("普通用户能办的", {("audience", "general", S)}),  # zh-CN
    ("general public 5G", {("audience", "general", S), ("network", "5G", S)}),
    ("不用身分的方案", {("audience", "general", S)}),
    ("一般來說 5G", {("network", "5G", S)}),  # "generally" is not the general public
    ("4G 升級 5G 續約", {("network", "5G", S), ("audience", "upgrade_4g", S)}),
    ("upgrade from 4G to 5G", {("network", "5G", S), ("audience", "upgrade_4g", S)}),
    ("我現在用 4G，想換成 5G", {("network", "5G", S), ("audience", "upgrade_4g", S)}),
    ("still on 4G", {("network", "5G", S), ("audience", "upgrade_4g", S)}),
    ("想從 5G 降回 4G", {("network", "4G", S)}),
    ("4G 5G 都可以", set()),  # both named, no move: no preference
    ("月租想比 1399 便宜", {("fee_max", 1398, H), ("cheap", True, S)}),
    ("比現在的 999 還低", {("fee_max", 998, H), ("cheap", True, S)}),
    ("30GB 左右", {("data_around", 30, S)}),
    ("大概 30G", {("data_around", 30, S)}),
    ("我一個月大概用 50G", {("data_need", 50, S)}),  # usage: unlimited serves it
    # round 7 (H46): conventions in docs/search.md "Labelling conventions"
    ("合約兩年半", {("contract", (30,), H)}),  # 兩年半 = 30 months, not 24
    ("two and a half year contract", {("contract", (30,), H)}),
    ("别推不限量的", {("capped", True, H)}),  # a refused unlimited is capped, not unlimited
    ("吃到飽用不完", {("capped", True, H)}),
    ("不用到吃到飽那麼貴", {("capped", True, H)}),
    ("5G 吃到飽 改成有限量的", {("capped", True, H), ("network", "5G", S)}),
    ("流量老是不够用", {("unlimited", True, S)}),  # a complaint: uncapped first, not a filter
    ("I burn through my data", {("unlimited", True, S)}),
    ("can't spend more than 1000", {("fee_max", 1000, H)}),
    ("頂多2G", {("data_light", 2.0, S)}),  # after 頂多, 2G is an amount
    ("每月用量大概4、5G 而已", {("data_light", 5.0, S)}),
    ("4G升5G", {("network", "5G", S), ("audience", "upgrade_4g", S)}),
    ("至少要50G", {("data_min", 50.0, H)}),
    ("從 799 降到 599 左右", {("fee_max", 798, H), ("cheap", True, S), ("fee_around", 599, S)}),
    ("不要 1199 那麼貴", {("fee_max", 1198, H), ("cheap", True, S)}),
    ("不想拉光纖", {("data_only", True, S)}),  # mobile data at home, not the fibre bundle
    ("出門不用帶手機也能接電話", {("audience", "wearable", S)}),  # not a phone bought
    ("想換支平價手機", {("device", True, H), ("cheap", True, S), ("voice_needed", True, S)}),
    ("月租不要太高", {("cheap", True, S)}),
    ("銀發族", {("audience", "senior", S)}),  # 發 for 髮
    ("想跟孫子視訊", {("audience", "senior", S)}),  # a grandparent described
    ("POS 機上網", {("audience", "company", S)}),  # a shop described
    (
        "unlimted 5g for studnets",
        {("unlimited", True, H), ("network", "5G", S), ("audience", "student", S)},
    ),
]


def _kinds(parsed: ParsedQuery) -> set[tuple[str, object, bool]]:
    return {(c.kind, c.value, c.hard) for c in parsed.constraints}


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_constraints_in_the_query(query: str, expected: set[tuple[str, object, bool]]) -> None:
    assert _kinds(parse_query(query)) == expected


@pytest.mark.parametrize(
    ("query", "default"),
    [
        ("5G 吃到飽 1000 以下", True),  # no identity named: plans anyone can take first
        ("最便宜的", True),
        ("不要學生方案 吃到飽", True),  # a refused identity names none wanted
        ("學生 吃到飽", False),  # named: the student plans are what was asked
        ("給阿公用的", False),
        ("軍公教 5G", False),
        ("公司門號", False),
        ("想跟孫子視訊", False),  # described, not named
    ],
)
def test_the_open_to_all_default(query: str, default: bool) -> None:
    """A default boost, never a filter nor a listed constraint (staff see what was typed)."""
    parsed = parse_query(query)
    assert any(d.kind == "open_to_all" for d in parsed.defaults) is default
    assert all(d not in parsed.constraints for d in parsed.defaults)
    assert not parsed.filters().identities


@pytest.mark.parametrize(
    ("query", "residual"),
    [
        ("5G 吃到飽 1000以下", "5g"),  # what only stated constraints does not score lexically
        ("有送 Netflix 的方案嗎", "有送"),  # how people ask (的方案嗎) is not what they want
        ("學生 吃到飽", "學生"),  # audiences stay: they are also what the sheets say
        ("單純續約不換手機", "單純續約"),
        ("網內互打", "網內互打"),
        ("最便宜的吃到飽", ""),  # 最便宜's 最 matched every sheet's penalty clause (最高)
        ("不要學生方案 5G", "5g"),  # a refused audience is not a word to match
        ("一般人 5G", "5g"),  # 一般人 is in no sheet
        ("4G 升級 5G", "4g 升級 5g"),  # the upgrade plans' sheets say 4G 轉 5G
    ],
)
def test_residual_text_for_bm25(query: str, residual: str) -> None:
    assert parse_query(query).residual == residual


def test_filters_take_the_tightest_value() -> None:
    filters = parse_query("1000以下，不超過800，至少 20GB，不綁約，有送 Netflix").filters()
    assert filters.max_monthly_fee == 800
    assert filters.min_data_gb == 20
    assert filters.contract_months == (0,)
    assert filters.perks == ("netflix",)
    assert parse_query("學生 800 上下").filters().is_empty()  # soft only


def test_every_constraint_is_explained() -> None:
    labels = parse_query("5G 吃到飽 不超過 999").labels()
    assert "月租 ≤ 999 ←「不超過 999」(filter)" in labels
    assert "上網吃到飽 ←「吃到飽」(filter)" in labels
    assert "5G ←「5g」(boost)" in labels


def test_context_words_are_preferences_not_filters() -> None:
    """Usage suggests 吃到飽; the staff did not ask for it, so it must not filter."""
    shaped = shape_query("推薦方案", {"data_used_gb": 15, "data_limit_gb": 5})
    parsed = parse_query(shaped.text)
    assert ("unlimited", True, False) in _kinds(parsed)
    assert parsed.filters().is_empty()
    assert "||" not in parsed.text and "||" not in parsed.residual
    # spans after the mark still line up: the inferred 吃到飽 leaves the BM25 text whole
    assert parsed.residual == "大流量"  # 推薦方案 is how staff ask, not what they want


@pytest.mark.parametrize(
    ("description", "fibre"),
    [
        ("100GB 大流量，不拉光纖也能在家上網", False),  # it replaces fibre, it does not bring it
        ("不用光世代，一張 SIM 卡搞定", False),
        ("5G 吃到飽加光纖 1G 寬頻", True),
        ("不拉線也行，再送光纖 300M", True),  # one negated mention does not hide another
    ],
)
def test_a_perk_the_sheet_says_is_absent_is_not_offered(description: str, fibre: bool) -> None:
    plan = make_plan("X1", "行動上網 699", description, plan_type="data_only")
    assert ("fibre" in facets_of(plan).perks) is fibre


def test_one_plan_and_all_plans_are_scored_alike(tiny_plans: list[Plan]) -> None:
    """Azure re-ranks by `PlanFacets`, the local engine by numpy columns: same numbers."""
    local = LocalHybridRetriever(HashEmbedder())
    local.ensure_index_sync(tiny_plans)
    state = local._state
    assert state is not None
    constraints: list[Constraint] = []
    for query, _ in CASES:
        constraints.extend(parse_query(query).constraints)
    for c in constraints:
        vector = state.satisfaction(c)
        single = [float(c.satisfaction(facets_of(p))) for p in tiny_plans]
        assert list(vector) == pytest.approx(single), c
        # relative to the cheapest candidate (最便宜, 便宜), as both backends pass it
        vector = state.satisfaction(c, 499.0)
        single = [float(c.satisfaction(facets_of(p), 499.0)) for p in tiny_plans]
        assert list(vector) == pytest.approx(single), c


def test_cheapest_counts_from_plans_anyone_can_take() -> None:
    """A 599 student plan among the candidates does not make the 999 ones dear for others."""
    assert cheapest_floor([599.0, 999.0, 1199.0], [False, True, True]) == 999.0
    assert cheapest_floor([599.0, 999.0], [False, False]) == 599.0  # only identity plans fit
    assert cheapest_floor([], []) is None
