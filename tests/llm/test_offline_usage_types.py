"""The offline model's fixed usage types: comparison narrative, report, escalation summary,
customer chat, and the fallback notice; each answers from its prompt's data."""

from __future__ import annotations

import json

from langchain_core.messages import HumanMessage

from core.national_id import with_checksum
from prompts import load_prompt

from .offline_data import COMPARISON, USAGE, model


def test_comparison_usage_type_narrates_the_prompt_data():
    messages = load_prompt("comparison_narrative").format_messages(
        comparison_json=json.dumps(COMPARISON, ensure_ascii=False),
        customer_usage_json=json.dumps(USAGE),
        recommendation_json=json.dumps(COMPARISON["recommendation"], ensure_ascii=False),
    )
    text = str(model(usage_type="comparison").invoke(messages).content)

    assert "| 月租費 | NT$1,399 | NT$799 |" in text and "**建議**" in text


def test_report_usage_type_recommends_a_plan_that_covers_usage():
    plans = [
        {"plan_id": "P011", "name": "5G 輕量 799", "monthly_fee": 799, "data_gb": 30},
        {"plan_id": "P010", "name": "5G 吃到飽 1399", "monthly_fee": 1399, "data_gb": None},
    ]
    messages = load_prompt("plan_recommendation_report").format_messages(
        customer_summary_json="{}",
        customer_usage_json=json.dumps(USAGE),
        plans_json=json.dumps(plans, ensure_ascii=False),
        today="2026-03-02",
    )
    text = str(model(usage_type="report").invoke(messages).content)

    assert "**推薦**：5G 吃到飽 1399（P010）" in text and "| 5G 輕量 799 |" in text


def test_escalation_summary_extracts_the_ask():
    transcript = (
        "customer: 我的帳單多收了 300 元\nai: 建議您登入會員中心查看明細\ncustomer: 我要找真人客服"
    )
    messages = load_prompt("escalation_summary").format_messages(
        transcript=transcript, reason="customer_request"
    )
    text = str(model(usage_type="escalation_summary").invoke(messages).content)

    assert "客戶主要問題：我的帳單多收了 300 元" in text
    assert "轉接原因：customer_request" in text and "帳單/繳費" in text


def test_escalation_summary_masks_national_ids():
    national_id = with_checksum("A12345678")
    transcript = f"customer: 我的身分證是 {national_id}，帳單有問題"
    messages = load_prompt("escalation_summary").format_messages(transcript=transcript, reason="x")

    text = str(model(usage_type="escalation_summary").invoke(messages).content)

    assert national_id not in text and national_id[:3] + "****" in text


def test_customer_chat_offers_a_human_agent():
    messages = load_prompt("customer_chat_system").format_messages(
        today="2026-03-02", business_hours="09:00-21:00", history=[HumanMessage("我要找真人")]
    )
    text = str(model(usage_type="customer_chat").invoke(messages).content)

    assert "轉接真人客服" in text


def test_fallback_notice_prefixes_answers():
    text = str(model(notice=True).invoke([HumanMessage("hello")]).content)

    assert text.startswith("⚠️") and "(offline assistant)" in text
