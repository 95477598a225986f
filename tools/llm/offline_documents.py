"""Documents the offline model writes from prompt data: recommendation reports, escalation
summaries for the human agent, and the customer chat's answers: from the knowledge base's best
hit when it is answerable, an honest "I don't know" when it is not (no tools involved)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import BaseMessage, SystemMessage

from core.national_id import mask_in_text
from tools.llm.context import message_text, tagged_blocks
from tools.llm.offline_intents import Lang
from tools.llm.offline_templates import TAG, label, markdown_table, unwrap, value_text

_REPORT_COLUMNS = ("plan_id", "name", "monthly_fee", "data_gb", "voice_minutes",
                   "contract_months", "gifts")  # fmt: skip


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _report_cell(key: str, value: Any) -> Any:
    if key == "data_gb" and value is None:
        return "吃到飽"
    return value_text(key, value)


def render_report(plans: Any, usage: Mapping[str, Any] | None) -> str:
    """plan_recommendation_report: the qualified plans as a table and the first one that covers
    the usage (plans arrive ranked) as the recommendation."""
    items = [p for p in unwrap(plans) if isinstance(p, Mapping)] if plans else []
    if not items:
        return f"{TAG['zh']}目前沒有符合資格的方案可推薦，建議改以一般續約方案辦理。"
    need = _number((usage or {}).get("data_gb_per_month"))

    def covers(plan: Mapping[str, Any]) -> bool:
        cap = _number(plan.get("data_gb"))
        return need is None or plan.get("data_gb") is None or (cap is not None and cap >= need)

    best = next((p for p in items if covers(p)), items[0])
    cols = [k for k in _REPORT_COLUMNS if any(k in p for p in items)]
    rows = [[_report_cell(k, p.get(k)) for k in cols] for p in items]
    name = best.get("name") or best.get("plan_id")
    why = (
        f"可涵蓋每月約 {need:g}GB 的用量"
        if need is not None and covers(best)
        else "為符合資格方案中排序第一"
    )
    return "\n\n".join(
        [
            f"{TAG['zh']}方案推薦報告",
            f"共有 {len(items)} 個符合資格的方案：",
            markdown_table([label(c, "zh") for c in cols], rows),
            f"**推薦**：{name}（{best.get('plan_id', '-')}）— {why}，月租 "
            f"{value_text('monthly_fee', best.get('monthly_fee'))}。",
            "以上由離線助理依資料整理，細節請以方案說明為準。",
        ]
    )


_TOPICS = {"帳單": "帳單/繳費", "繳費": "帳單/繳費", "退款": "退款", "網路": "網路品質",
           "訊號": "網路品質", "斷線": "網路品質", "合約": "合約", "續約": "續約",
           "方案": "方案/資費", "資費": "方案/資費", "投訴": "客訴", "客訴": "客訴",
           "手機": "裝置", "維修": "裝置維修"}  # fmt: skip


def render_escalation_summary(lines: Sequence[tuple[str, str]], reason: str | None) -> str:
    """Extractive summary for the human agent: first ask, last message, topics, length."""
    customer = [text for role, text in lines if role in ("customer", "user", "human")]
    topics = list(dict.fromkeys(t for text in customer for k, t in _TOPICS.items() if k in text))
    first = mask_in_text(customer[0]) if customer else "（無客戶訊息）"
    last = mask_in_text(customer[-1]) if customer else "（無）"
    parts = [
        f"{TAG['zh']}轉接摘要",
        f"- 客戶主要問題：{first[:120]}",
        f"- 最後一則客戶訊息：{last[:120]}",
        f"- 相關主題：{'、'.join(topics) or '未分類'}",
        f"- 對話則數：{len(lines)}（客戶 {len(customer)} 則）",
    ]
    if reason:
        parts.append(f"- 轉接原因：{mask_in_text(reason)}")
    parts.append("- 建議：先確認客戶身分，再就上述問題接續處理。")
    return "\n".join(parts)


_FAQ = (
    (("真人", "客服人員", "轉接", "專人", "human", "agent"),
     "好的，我會為您轉接真人客服，請稍候。", "Sure, I'll connect you with a human agent."),
    (("帳單", "繳費", "bill", "pay"),
     "帳單與繳費可在會員中心查詢，也可到門市或超商繳費。需要查詢個人帳單請先登入。",
     "You can view and pay bills in the member centre or at any store after signing in."),
    (("方案", "資費", "吃到飽", "plan", "unlimited"),
     "我們有多種月租方案（含吃到飽），可依您的用量推薦，歡迎告訴我每月大約用多少數據。",
     "We offer several monthly plans, including unlimited data. Tell me your monthly usage."),
    (("續約", "合約", "renew", "contract"),
     "續約可在合約到期前 60 天內辦理，攜帶身分證件到門市即可，門市人員會協助選擇方案。",
     "You can renew within 60 days before your contract ends at any store with your ID."),
    (("網路", "訊號", "斷線", "signal", "network"),
     "很抱歉造成不便，請先重新開機並確認飛航模式關閉；若仍無法使用，我可以為您轉接專人。",
     "Sorry about that. Please restart the phone; if it persists I can connect you to an agent."),
)  # fmt: skip


def knowledge_block(messages: Sequence[BaseMessage]) -> dict[str, Any] | None:
    """The customer chat's `<knowledge>` block, read from system messages only (a customer
    typing a block of their own must not pass for the knowledge base)."""
    for message in messages:
        if isinstance(message, SystemMessage):
            body = tagged_blocks(message_text(message)).get("knowledge")
            if body is not None:
                try:
                    parsed = json.loads(body)
                except json.JSONDecodeError:
                    return None
                return parsed if isinstance(parsed, dict) else None
    return None


def _excerpt(text: str, limit: int = 320) -> str:
    """Whole sentences up to `limit` characters (at least the first one)."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(mark, 0, limit) for mark in ("。", "！", "？", ". ", "; ", "；"))
    return text[: cut + 1].strip() if cut > 0 else text[:limit].rstrip() + "…"


def render_knowledge_answer(knowledge: Mapping[str, Any], lang: Lang) -> str:
    """Answer from the best hit, marked [1] (the graph appends the sources)."""
    best = (knowledge.get("hits") or [{}])[0]
    text = str(best.get("text", "")).strip()
    if best.get("source") == "faq":  # the text is "question\nanswer": say the answer
        return f"{TAG[lang]}{_excerpt(text.partition(chr(10))[2].strip() or text)} [1]"
    where = best.get("citation") or best.get("title")
    lead = f'According to "{where}": ' if lang == "en" else f"根據「{where}」："
    return f"{TAG[lang]}{lead}{_excerpt(text)} [1]"


_UNKNOWN = {
    "zh": "抱歉，這個問題我不知道：知識庫裡沒有相關資料，我不想給您不正確的資訊。"
    "需要的話，我可以為您轉接真人客服。",
    "en": "Sorry, I don't know: I found nothing about this in our knowledge base and would "
    "rather not guess. I can connect you to a human agent if you like.",
}


def render_customer_faq(
    question: str, lang: Lang, knowledge: Mapping[str, Any] | None = None
) -> str:
    """The customer chat without a tool: escalation wording first; with a knowledge base that
    found nothing (`knowledge` given), an honest "I don't know"; without one, canned help."""
    low = question.lower()
    if knowledge is not None and not any(k in low for k in _FAQ[0][0]):
        return TAG[lang] + _UNKNOWN[lang]
    for keys, zh, en in _FAQ:
        if any(k in low for k in keys):
            return TAG[lang] + (zh if lang == "zh" else en)
    if lang == "en":
        return (
            f"{TAG['en']}I can help with plans, bills, renewals and network issues, "
            "or connect you with a human agent."
        )
    return f"{TAG['zh']}我可以協助查詢方案、帳單、續約與網路問題，也可以為您轉接真人客服。"
