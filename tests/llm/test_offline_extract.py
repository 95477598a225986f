"""The offline model's argument extractors (plans, lines, devices): pure functions, one table
each."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tools.llm import offline_devices as dv
from tools.llm import offline_extract as ex

CONTEXT: dict[str, Any] = {
    "store_id": "S001",
    "phone_number": "0912345678",
    "current_plan_id": "P012",
    "selected_plan_id": None,
    "candidate_plans": [
        {"plan_id": "P036", "name": "5G 不限速續約 1399 加碼"},
        {"plan_id": "P061", "name": "5G 輕量續約 699"},
        {"plan_id": "P010", "name": "5G 暢享 999"},
        {"plan_id": "P054", "name": "5G 1599 ＋ 光纖 1G 雙享"},
    ],
}


@pytest.mark.parametrize(
    ("text", "plans"),
    [
        ("方案 A 和方案 B 有什麼差異", ["P036", "P061"]),
        ("方案A跟C差在哪", ["P036", "P010"]),
        ("C方案的內容", ["P010"]),
        ("套餐B包含什么", ["P061"]),
        ("第二個方案綁幾個月", ["P061"]),
        ("第一个和第三个套餐", ["P036", "P010"]),
        ("Tell me about plan C", ["P010"]),
        ("show me plans A and D side by side", ["P036", "P054"]),
        ("How does the second plan compare with the third option?", ["P061", "P010"]),
        ("最便宜的方案有送什麼", ["P061"]),
        ("the most expensive one vs the cheapest", ["P054", "P061"]),
        ("最後一個方案", ["P054"]),
        ("目前方案的違約金", ["P012"]),
        ("Compare the current plan with plan B", ["P012", "P061"]),
        ("P057 能辦嗎", ["P057"]),
        ("5G 暢享 999 跟 5G 輕量續約 699", ["P010", "P061"]),
        ("A 和 C 幫我比較一下", ["P036", "P010"]),
        ("B vs D", ["P061", "P054"]),
        ("那換成B呢 要補多少", ["P061"]),  # a capital letter right after a switch verb
        ("改C要多少", ["P010"]),
        ("那D呢", ["P054"]),
        ("what if he switches to C", ["P010"]),
        ("move him onto B", ["P061"]),
        ("a vs c pls", ["P036", "P010"]),  # lower-case letters joined by vs / 跟
        ("b跟d哪個好", ["P061", "P054"]),
        ("A good phone for B", []),  # a sentence's "A" is not a plan
        ("a plan or a phone", []),
        ("方案 F", []),  # only four plans on screen
        ("這支手機多少錢", []),
    ],
)
def test_plans_resolve_from_the_screen(text: str, plans: list[str]) -> None:
    assert ex.resolve_plans(text, CONTEXT) == plans


@pytest.mark.parametrize(
    ("text", "model", "device_id"),
    [
        ("iPhone 17 Pro 還有貨嗎", "iPhone 17 Pro", "D003"),
        ("i16 pro 螢幕多大", "iPhone 16 Pro", "D008"),
        ("ip17 pm 幾台", "iPhone 17 Pro Max", "D001"),
        ("17 Pro Max 1TB 多少錢", "iPhone 17 Pro Max", "D002"),
        ("How much is the ipone 16e?", "iPhone 16e", "D012"),
        ("三星 S25 還有貨嗎", "Galaxy S25", "D016"),
        ("S25U 的規格", "Galaxy S25 Ultra", "D013"),
        ("Is the Galaxy S25 Ultra 512GB in stock", "Galaxy S25 Ultra", "D014"),
        ("s25 plus 顏色", "Galaxy S25+", "D015"),
        ("Fold7 签 36 个月", "Galaxy Z Fold7", "D019"),
        ("A56 分期", "Galaxy A56 5G", "D022"),
        ("Pixel 10 Pro XL specs", "Pixel 10 Pro XL", "D025"),
        ("pixel 10 多少", "Pixel 10", "D027"),
        ("小米15T Pro", "Xiaomi 15T Pro", "D036"),
        ("紅米 Note 14 Pro", "Redmi Note 14 Pro 5G", "D038"),
        ("iPad Air 有什麼顏色", "iPad Air 11 吋（M3）5G", "D041"),
        ("苹果手表 Ultra 3 续航", "Apple Watch Ultra 3", "D049"),
    ],
)
def test_devices_as_people_say_them(text: str, model: str, device_id: str) -> None:
    found = dv.find_device(text)
    assert found is not None and (found.model, found.device_id) == (model, device_id)


@pytest.mark.parametrize(
    "text",
    ["方案B月租多少", "5G 吃到飽方案", "這支還有黑色嗎", "i1 是什麼", "P036", "S001 門市",
     "samsung phones in stock", "三星有哪些"],  # a brand alone names no model (not the Fold7)
)  # fmt: skip
def test_no_device_when_none_is_named(text: str) -> None:
    assert dv.find_device(text) is None


@pytest.mark.parametrize(
    ("text", "brand"),
    [("三星手機有現貨嗎", "Samsung"), ("any Sony phones", "Sony"), ("蘋果的手機", "Apple"),
     ("华硕", "ASUS"), ("方案 A", None), ("motorcycle", None)],
)  # fmt: skip
def test_brands(text: str, brand: str | None) -> None:
    assert dv.brand_of(text) == brand


@pytest.mark.parametrize(
    ("text", "phone"),
    [("查一下 0987654321 的帳單", "0987654321"), ("0987-654-321 用量", "0987654321"),
     ("這個門號的帳單", "0912345678"), ("09123 是什麼", "0912345678")],
)  # fmt: skip
def test_phone_number_from_text_else_context(text: str, phone: str) -> None:
    assert ex.phone_number(text, CONTEXT) == phone


@pytest.mark.parametrize(
    ("text", "store"),
    [("Does store S002 have it?", "S002"), ("s003 有貨嗎", "S003"), ("門市有貨嗎", "S001")],
)
def test_store_from_text_else_context(text: str, store: str) -> None:
    assert ex.store_id(text, CONTEXT) == store


@pytest.mark.parametrize(
    ("text", "months"),
    [("剩 6 個月", 6), ("還有十二個月", 12), ("只剩兩個月", 2), ("合約剩3个月", 3),
     ("8 months left", 8), ("remaining contract is 10 months", 10), ("升級要多少", None)],
)  # fmt: skip
def test_months_left(text: str, months: int | None) -> None:
    assert ex.months_left(text) == months


@pytest.mark.parametrize(
    ("end", "months"),
    [("2027-01-02", 0), ("2027-01-03", 1), ("2027-06-30", 6), ("2026-01-01", 0), ("bad", None),
     (None, None)],
)  # fmt: skip
def test_months_until_contract_end(end: str | None, months: int | None) -> None:
    assert ex.months_until(end, date(2026, 12, 3)) == months


@pytest.mark.parametrize(
    ("text", "period"),
    [("綁 30 期", 30), ("36 個月合約", 36), ("on a 24-month contract", 24), ("綁兩年", 24),
     ("签三年", 36), ("three-year contract", 36), ("多少錢", None), ("12 期分期", None),
     ("二十四期價格", 24), ("綁三十期", 30), ("签三十六个月", 36), ("兩年約多少", 24),
     ("三年的合約", 36), ("十二期", None)],
)  # fmt: skip
def test_contract_period(text: str, period: int | None) -> None:
    assert ex.contract_period(text) == period


@pytest.mark.parametrize(
    ("text", "offered", "asked"),
    [("還有銀色嗎", ("宇宙橙色", "深藍色", "銀色"), ["銀色"]),
     ("深藍的有沒有", ("宇宙橙色", "深藍色", "銀色"), ["深藍色"]),
     ("black ones?", (), ["黑"]),
     ("太空黑還有嗎", (), ["黑"]),
     ("白色或粉紅", (), ["白", "粉", "紅"]),
     ("還有貨嗎", ("銀色",), [])],
)  # fmt: skip
def test_colours_asked(text: str, offered: tuple[str, ...], asked: list[str]) -> None:
    assert dv.colours_asked(text, offered) == asked


@pytest.mark.parametrize(
    ("colour", "asked", "match"),
    [("黑色鈦金屬", ["黑"], True), ("星夜黑", ["黑"], True), ("銀色", ["黑"], False),
     ("深藍色", ["深藍色"], True)],
)  # fmt: skip
def test_colour_matches(colour: str, asked: list[str], match: bool) -> None:
    assert dv.colour_matches(colour, asked) is match


@pytest.mark.parametrize(
    ("text", "budget"),
    [("兩萬以下的安卓手機", (0, 20000)), ("預算1萬到2萬", (10000, 20000)),
     ("under 20k", (0, 20000)), ("budget 15000", (0, 15000)), ("三萬內", (0, 30000)),
     ("推薦手機", None), ("月租 999", None)],
)  # fmt: skip
def test_price_range(text: str, budget: tuple[int, int] | None) -> None:
    assert dv.price_range(text) == budget


@pytest.mark.parametrize(
    ("text", "os"),
    [("想換 iPhone", "ios"), ("蘋果平板", "ios"), ("安卓機", "android"), ("三星", "android"),
     ("Android tablet", "android"), ("推薦手機", None)],
)  # fmt: skip
def test_os_type(text: str, os: str | None) -> None:
    assert dv.os_type(text) == os


@pytest.mark.parametrize(
    ("text", "kind"),
    [("安卓平板", "tablet"), ("iPad 推薦", "tablet"), ("智慧手錶", "wearable"),
     ("Apple Watch", "wearable"), ("拍照好的手機", "smartphone"), ("推薦幾支", None)],
)  # fmt: skip
def test_device_type(text: str, kind: str | None) -> None:
    assert dv.device_type(text) == kind


@pytest.mark.parametrize(
    ("text", "wants"),
    [("拍照比較強", ["camera"]), ("打遊戲又要電池大", ["gaming", "battery"]),
     ("cheap phone with a big screen", ["budget", "large_screen"]), ("推薦手機", [])],
)  # fmt: skip
def test_priorities(text: str, wants: list[str]) -> None:
    assert dv.priorities(text) == wants
