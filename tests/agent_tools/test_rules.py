"""The agent tools' pure rules, by table: quick-reply fields and shortcuts, tag names, colours
and the per-session limit, auto-reply rule bounds, rule selection and variable filling."""

from __future__ import annotations

from typing import Any

import pytest

from api.auto_replies.rules import (
    MAX_RULES_PER_TYPE,
    TooManyRules,
    check_condition,
    check_rule,
    check_type_room,
)
from api.quick_replies.rules import (
    check_reply,
    check_shortcut,
    check_variables,
    filled,
    shortcut_conflicts,
    visible_to,
)
from api.tags.rules import (
    MAX_TAGS_PER_SESSION,
    TooManyTags,
    check_color,
    check_deletable,
    check_icon,
    check_name,
    check_room,
)
from core.errors import InvalidInput, SwitchboardError
from graphs.supervision.auto_reply import Moment, Rule, chat_variables, fill, select, variables_in


def code_of(call: Any) -> str | None:
    try:
        call()
    except SwitchboardError as exc:
        return exc.code
    return None


# --- quick replies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "content", "shortcut", "code"),
    [
        ("問候", "您好", None, None),
        ("x" * 100, "y" * 2000, "Ctrl+9", None),
        ("  問候  ", "  您好  ", "ctrl+1", None),  # trimmed; Ctrl case fixed
        ("", "您好", None, "INVALID_LENGTH"),
        ("   ", "您好", None, "INVALID_LENGTH"),
        ("x" * 101, "您好", None, "INVALID_LENGTH"),
        ("問候", "", None, "INVALID_LENGTH"),
        ("問候", "y" * 2001, None, "INVALID_LENGTH"),
        ("問候", "您好", "Ctrl+0", "INVALID_SHORTCUT"),
        ("問候", "您好", "Ctrl+10", "INVALID_SHORTCUT"),
        ("問候", "您好", "Alt+1", "INVALID_SHORTCUT"),
        ("問候", "您好", "Ctrl+１", "INVALID_SHORTCUT"),  # full-width digit
    ],
)
def test_reply_fields(title: str, content: str, shortcut: str | None, code: str | None) -> None:
    assert code_of(lambda: check_reply(title, content, shortcut, None)) == code


def test_reply_is_trimmed_and_shortcut_normalised() -> None:
    checked = check_reply("  問候 ", " 您好{customer_name} ", "ctrl+3", None)
    assert (checked.title, checked.content, checked.shortcut) == (
        "問候",
        "您好{customer_name}",
        "Ctrl+3",
    )
    assert checked.variables == ["{customer_name}"]
    assert check_shortcut("  ") is None


@pytest.mark.parametrize(
    ("content", "declared", "expected"),
    [
        ("您好{customer_name}，我是{agent_name}", None, ["{customer_name}", "{agent_name}"]),
        ("{a}{a}{b}", None, ["{a}", "{b}"]),
        ("沒有變數", None, []),
        ("{Customer}", None, []),  # variables are lower-case names
        ("x", ["{product_name}", "{product_price}"], ["{product_name}", "{product_price}"]),
        ("x", ["{a}", "{a}"], ["{a}"]),
    ],
)
def test_variables(content: str, declared: list[str] | None, expected: list[str]) -> None:
    assert check_variables(content, declared) == expected


@pytest.mark.parametrize("bad", ["product_name", "{Product}", "{}", "{a b}", "{{a}}"])
def test_declared_variable_format(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_variables("x", [bad])
    assert caught.value.code == "INVALID_VARIABLE"


@pytest.mark.parametrize(
    ("owner", "shared", "existing", "conflict"),
    [
        ("admin", True, [], False),
        ("admin", True, [("admin2", False)], True),  # a shared key would shadow a personal one
        ("admin", False, [("admin2", False)], False),  # two people's personal keys
        ("admin", False, [("admin", False)], True),
        ("admin", False, [("admin2", True)], True),
    ],
)
def test_shortcut_conflicts(
    owner: str, shared: bool, existing: list[tuple[str, bool]], conflict: bool
) -> None:
    assert shortcut_conflicts(owner, shared, existing) is conflict


@pytest.mark.parametrize(
    ("viewer", "created_by", "shared", "visible"),
    [("a", "b", True, True), ("a", "b", False, False), ("a", "a", False, True)],
)
def test_visibility(viewer: str, created_by: str, shared: bool, visible: bool) -> None:
    assert visible_to(viewer, created_by, shared) is visible


@pytest.mark.parametrize(
    ("content", "values", "text", "missing"),
    [
        ("您好{customer_name}", {"customer_name": "王小明"}, "您好王小明", []),
        ("{agent_name}為您服務", {}, "{agent_name}為您服務", ["{agent_name}"]),
        ("{a}{b}", {"a": "1", "b": ""}, "1{b}", ["{b}"]),  # empty is not a value
        ("價格 {price} 元", {"price": 1399}, "價格 1399 元", []),
        ("{not a var}", {"not a var": "x"}, "{not a var}", []),
    ],
)
def test_filled(content: str, values: dict[str, Any], text: str, missing: list[str]) -> None:
    assert filled(content, values) == (text, missing)


# --- tags -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "result"),
    [
        ("VIP", "VIP"),
        ("  電池  問題 ", "電池 問題"),
        ("x" * 20, "x" * 20),
        ("", None),
        ("   ", None),
        ("x" * 21, None),
    ],
)
def test_tag_names(name: str, result: str | None) -> None:
    if result is None:
        assert code_of(lambda: check_name(name)) == "INVALID_TAG_NAME"
    else:
        assert check_name(name) == result


@pytest.mark.parametrize(
    ("color", "result"),
    [
        ("#3B82F6", "#3B82F6"),
        ("#3b82f6", "#3B82F6"),
        ("#abc", "#AABBCC"),
        (" #F59E0B ", "#F59E0B"),
        ("3B82F6", None),
        ("#3B82F", None),
        ("#GGGGGG", None),
        ("red", None),
        ("#3B82F6FF", None),
    ],
)
def test_tag_colours(color: str, result: str | None) -> None:
    if result is None:
        assert code_of(lambda: check_color(color)) == "INVALID_COLOR"
    else:
        assert check_color(color) == result


@pytest.mark.parametrize(
    ("icon", "ok"),
    [
        (None, True),
        ("Battery", True),
        ("DollarSign", True),
        ("battery", False),
        ("Bat tery", False),
        ("<svg>", False),
    ],
)
def test_tag_icons(icon: str | None, ok: bool) -> None:
    assert (code_of(lambda: check_icon(icon)) is None) is ok


@pytest.mark.parametrize("current", [0, 5, MAX_TAGS_PER_SESSION - 1])
def test_room_below_the_limit(current: int) -> None:
    check_room(current)


@pytest.mark.parametrize("current", [MAX_TAGS_PER_SESSION, MAX_TAGS_PER_SESSION + 3])
def test_eleventh_tag_is_a_conflict(current: int) -> None:
    with pytest.raises(TooManyTags) as caught:
        check_room(current)
    assert caught.value.status == 409 and caught.value.code == "TOO_MANY_TAGS"


def test_system_tags_are_not_deletable() -> None:
    assert code_of(lambda: check_deletable(True)) == "SYSTEM_TAG"
    check_deletable(False)


# --- auto-reply rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_type", "condition", "content", "delay", "code"),
    [
        ("welcome", {}, "您好", 0, None),
        ("welcome", {"event": "conversation_start"}, "您好", 0, None),
        ("welcome", {"event": "whenever"}, "您好", 0, "INVALID_CONDITION"),
        ("keyword", {"keywords": ["價格"]}, "x", 60, None),
        ("keyword", {"keywords": ["k"] * 1}, "x" * 1000, 0, None),
        ("keyword", {"keywords": [f"k{i}" for i in range(50)]}, "x", 0, None),
        ("keyword", {"keywords": [f"k{i}" for i in range(51)]}, "x", 0, "INVALID_CONDITION"),
        ("keyword", {"keywords": []}, "x", 0, "INVALID_CONDITION"),
        ("keyword", {}, "x", 0, "INVALID_CONDITION"),
        ("keyword", {"keywords": ["x" * 51]}, "x", 0, "INVALID_CONDITION"),
        ("keyword", {"keywords": [" "]}, "x", 0, "INVALID_CONDITION"),
        ("keyword", {"keywords": [1]}, "x", 0, "INVALID_CONDITION"),
        ("keyword", {"keywords": "價格"}, "x", 0, "INVALID_CONDITION"),
        ("offline", {"keywords": ["x"]}, "x", 0, "INVALID_CONDITION"),  # not an offline key
        ("timeout", {"wait_seconds": 5}, "x", 0, None),
        ("timeout", {"wait_seconds": 4}, "x", 0, "INVALID_CONDITION"),
        ("timeout", {"wait_seconds": 3601}, "x", 0, "INVALID_CONDITION"),
        ("timeout", {"wait_seconds": True}, "x", 0, "INVALID_CONDITION"),
        ("queue", {"min_position": 3}, "x", 0, None),
        ("queue", {"min_position": 0}, "x", 0, "INVALID_CONDITION"),
        ("busy", {"event": "all_busy"}, "x", 0, None),
        ("busy", {}, "", 0, "INVALID_RULE"),
        ("busy", {}, "x" * 1001, 0, "INVALID_RULE"),
        ("busy", {}, "x", 61, "INVALID_RULE"),
        ("busy", {}, "x", -1, "INVALID_RULE"),
        ("greeting", {}, "x", 0, "INVALID_RULE"),
    ],
)
def test_rule_bounds(
    rule_type: str, condition: dict[str, Any], content: str, delay: int, code: str | None
) -> None:
    assert code_of(lambda: check_rule(rule_type, condition, content, delay)) == code


def test_condition_is_normalised() -> None:
    assert check_condition("welcome", None) == {"event": "first_message"}
    assert check_condition("keyword", {"keywords": [" 價格 ", "價格", "price"]}) == {
        "keywords": ["價格", "price"]
    }


@pytest.mark.parametrize("existing", [0, MAX_RULES_PER_TYPE - 1])
def test_room_for_rules(existing: int) -> None:
    check_type_room(existing)


def test_twenty_first_rule_of_a_type_is_a_conflict() -> None:
    with pytest.raises(TooManyRules) as caught:
        check_type_room(MAX_RULES_PER_TYPE)
    assert caught.value.status == 409


# --- selection and variables (graphs/supervision/auto_reply.py) -------------------------------


def rule(
    rule_id: str, rule_type: str, created: float = 0, enabled: bool = True, **condition: Any
) -> Rule:
    return Rule(rule_id, rule_type, f"reply {rule_id}", condition, enabled, 0, created)


RULES = [
    rule("w1", "welcome", 1),
    rule("w2", "welcome", 2, event="conversation_start"),
    rule("k_off", "keyword", 0, enabled=False, keywords=["價格"]),
    rule("k1", "keyword", 1, keywords=["價格", "price"]),
    rule("k2", "keyword", 2, keywords=["门市"]),  # Simplified: matches Traditional text
    rule("q1", "queue", 1, min_position=3),
    rule("q2", "queue", 2),
    rule("t1", "timeout", 1, wait_seconds=120),
    rule("o1", "offline", 5),
    rule("o0", "offline", 4),
]


@pytest.mark.parametrize(
    ("moment", "chosen"),
    [
        (Moment("welcome", event="first_message"), "w1"),
        (Moment("welcome", event="conversation_start"), "w2"),
        (Moment("keyword", text="請問這個方案價格多少"), "k1"),  # the disabled k_off never wins
        (Moment("keyword", text="What is the PRICE?"), "k1"),
        (Moment("keyword", text="最近的門市在哪裡"), "k2"),
        (Moment("keyword", text="你好"), None),
        (Moment("queue", queue_position=1), "q2"),
        (Moment("queue", queue_position=3), "q1"),
        (Moment("timeout", waited_seconds=119), None),
        (Moment("timeout", waited_seconds=120), "t1"),
        (Moment("offline"), "o0"),  # the oldest of two
        (Moment("busy"), None),
    ],
)
def test_select(moment: Moment, chosen: str | None) -> None:
    found = select(RULES, moment)
    assert (found.rule.id if found else None) == chosen


def test_fill_keeps_unknown_variables_and_chat_variables() -> None:
    state = {
        "session_name": "session_x",
        "user_profile": {"nickname": "王小明"},
        "assigned_agent": {"id": "agent001", "name": "客服小狐"},
    }
    values = chat_variables(state, queue_position=2)
    text = fill("{customer_name}您好，{agent_name}為您服務，第{queue_position}位{unknown}", values)
    assert text == "王小明您好，客服小狐為您服務，第2位{unknown}"
    assert chat_variables({})["agent_name"] == "客服"
    assert variables_in("{a}{b}{a}") == ["{a}", "{b}"]


def test_a_delay_counts_from_now_not_from_the_whole_second() -> None:
    """The graph's clock is whole seconds; a 2 s delay must not fire after 1.1 s."""
    import time

    from graphs.supervision.auto_reply_nodes import due_after

    for delay in (1, 2, 60):
        while time.time() % 1 < 0.3:  # a moment well into a second: truncation would show
            time.sleep(0.05)
        assert due_after(int(time.time()), delay) - time.time() >= delay - 0.01
