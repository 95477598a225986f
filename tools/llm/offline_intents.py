"""The read-only tool call that answers an intent, its arguments filled by the typed extractors
(`offline_extract.py`, `offline_devices.py`) from the question and the workflow context.

Which intent a question asks for is decided in `offline_detect.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from tools.llm import offline_devices as dv
from tools.llm import offline_extract as ex
from tools.llm.offline_extract import candidate_plans, resolve_plans
from tools.llm.offline_router import has_word

__all__ = ["TERMINATION", "Intent", "Lang", "build_intent", "candidate_plans", "has_any",
           "language_of", "resolve_plans"]  # fmt: skip

Lang = Literal["zh", "en"]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
TERMINATION = (
    "違約金",
    "违约金",
    "解約",
    "解约",
    "提前終止",
    "提前终止",
    "terminat",
    "cancel",
    "penalty",
    "break the contract",
    "breaking the contract",
    "etf",
)

_THIS_ONE = re.compile(r"(?i)這支|这支|這款|这款|這台|这台|\bthis (?:one|phone|model)\b|\bit\b")


def language_of(text: str) -> Lang:
    """English only when the question has Latin letters and no CJK at all."""
    return "en" if _LATIN.search(text) and not _CJK.search(text) else "zh"


@dataclass(frozen=True)
class Intent:
    """The chosen intent; `tool` is None when nothing matched, `missing` lists what the
    context lacks to make the call (the answer then asks for it)."""

    kind: str
    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    missing: tuple[str, ...] = ()


def has_any(text: str, words: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(has_word(low, w) for w in words)


def _usage(context: Mapping[str, Any]) -> dict[str, Any] | None:
    usage = context.get("customer_usage")
    if not isinstance(usage, Mapping):
        return None
    clean = {k: v for k, v in usage.items() if v is not None}
    return clean or None


def _compare(text: str, context: Mapping[str, Any], today: date) -> Intent:
    ids = resolve_plans(text, context)
    candidates = [pid for pid, _ in candidate_plans(context)]
    if len(ids) == 1:
        pool = [context.get("current_plan_id"), context.get("selected_plan_id"), *candidates]
        partner = next((str(p) for p in pool if p and str(p) != ids[0]), None)
        ids = [ids[0], partner] if partner else ids
    elif not ids:
        if len(candidates) >= 2:
            ids = candidates[:3]
        else:
            pool = [context.get("current_plan_id"), context.get("selected_plan_id"), *candidates]
            ids = list(dict.fromkeys(str(p) for p in pool if p))
    args: dict[str, Any] = {"plan_ids": ids[:5]}
    if usage := _usage(context):
        args["customer_usage"] = usage
    return Intent("compare", "compare_plans", args, () if len(ids) >= 2 else ("plan_ids",))


def _remaining_months(text: str, context: Mapping[str, Any], today: date) -> int | None:
    said = ex.months_left(text)
    if said is not None:
        return said
    if isinstance(context.get("remaining_contract_months"), int):
        return int(context["remaining_contract_months"])
    return ex.months_until(context.get("contract_end"), today)


def _upgrade(text: str, context: Mapping[str, Any], today: date) -> Intent:
    current = context.get("current_plan_id")
    named = [pid for pid in resolve_plans(text, context) if pid != current]
    candidates = [pid for pid, _ in candidate_plans(context)]
    target = (named[0] if named else None) or context.get("selected_plan_id")
    if not target and len(candidates) == 1:
        target = candidates[0]
    months = _remaining_months(text, context, today)
    args = {"current_plan_id": current, "new_plan_id": target, "remaining_contract_months": months}
    missing = tuple(k for k, v in args.items() if v is None)
    return Intent("upgrade", "calculate_upgrade_cost", args, missing)


def _line(text: str, context: Mapping[str, Any], today: date) -> Intent:
    phone = ex.phone_number(text, context)
    if not phone:
        return Intent("line", "get_phone_details", {}, ("phone_number",))
    return Intent("line", "get_phone_details", {"phone_number": phone})


def _lines(text: str, context: Mapping[str, Any], today: date) -> Intent:
    customer = context.get("customer_id")
    if not customer:
        return Intent("lines", "list_customer_phones", {}, ("customer_id",))
    return Intent("lines", "list_customer_phones", {"customer_id": str(customer)})


def _eligibility(text: str, context: Mapping[str, Any], today: date) -> Intent:
    ids = [p for p in ex.promotion_ids(text, context) if p != context.get("current_plan_id")]
    candidates = [pid for pid, _ in candidate_plans(context)]
    promotion = (ids[0] if ids else None) or context.get("selected_plan_id")
    if not promotion and len(candidates) == 1:
        promotion = candidates[0]
    args: dict[str, Any] = {
        "phone_number": ex.phone_number(text, context),
        "promotion_id": promotion,
    }
    missing = tuple(k for k, v in args.items() if not v)
    renewal = {"single": "single", "plain": "single", "with_device": "with_device"}.get(
        str(context.get("renewal_type"))
    )
    if renewal:
        args["renewal_type"] = renewal
    return Intent("eligibility", "check_promotion_eligibility", args, missing)


def _stock(text: str, context: Mapping[str, Any], today: date) -> Intent:
    args: dict[str, Any] = {"store_id": ex.store_id(text, context)}
    device = dv.find_device(text)
    brand = dv.brand_of(text)
    if device:
        args["device_model"] = device.model
    elif brand:
        args["brand"] = brand
    elif picked := dv.context_device(context):
        args["device_model"] = picked.model
    elif context.get("selected_device_model"):
        args["device_model"] = str(context["selected_device_model"])
    elif _THIS_ONE.search(text) or dv.colours_asked(text):
        return Intent("stock", "query_device_stock", args, ("device_model",))  # which one?
    return Intent("stock", "query_device_stock", args, () if args["store_id"] else ("store_id",))


def _device(text: str, context: Mapping[str, Any]) -> dv.DeviceRef | None:
    return dv.find_device(text) or dv.context_device(context)


def _device_info(text: str, context: Mapping[str, Any], today: date) -> Intent:
    device = _device(text, context)
    if device is None:
        return Intent("device_info", "get_device_info", {}, ("device_id",))
    return Intent("device_info", "get_device_info", {"device_id": device.device_id})


DEFAULT_PERIOD = 30  # the POS offers 24/30/36; 30 months is the usual handset contract


def _device_price(text: str, context: Mapping[str, Any], today: date) -> Intent:
    device = _device(text, context)
    period = ex.contract_period(text) or DEFAULT_PERIOD
    if device is None:
        return Intent("device_price", "get_device_pricing", {}, ("device_id",))
    args = {"device_id": device.device_id, "contract_period": period}
    return Intent("device_price", "get_device_pricing", args)


def _recommend_devices(text: str, context: Mapping[str, Any], today: date) -> Intent:
    picked = dv.context_device(context)
    args: dict[str, Any] = {
        "os_type": dv.os_type(text, dv.find_device(text) or picked) or "android"
    }
    if budget := dv.price_range(text):
        args["price_range"] = list(budget)
    if kind := dv.device_type(text):
        args["device_type"] = kind
    if wants := dv.priorities(text):
        args["customer_usage_pattern"] = {"priorities": wants}
    if store := ex.store_id(text, context):
        args["store_id"] = store
    return Intent("recommend_devices", "get_recommended_devices", args)


def _promotions(text: str, context: Mapping[str, Any], today: date) -> Intent:
    customer = {
        k: context[k]
        for k in ("current_plan_id", "renewal_type", "customer_usage")
        if context.get(k)
    }
    args: dict[str, Any] = {"query": text.strip()[:500], "top_k": 5}
    if customer:
        args["customer_context"] = customer
    return Intent("promotions", "search_promotions", args)


def _plan_details(text: str, context: Mapping[str, Any], today: date) -> Intent:
    ids = resolve_plans(text, context)
    if not ids and has_any(text, TERMINATION) and context.get("current_plan_id"):
        ids = [str(context["current_plan_id"])]  # "違約金多少": the contract the line is on
    ids = ids or [str(p) for p in (context.get("selected_plan_id"),) if p]
    if not ids:
        return Intent("plan_details", "get_plan_details", {}, ("plan_id",))
    return Intent("plan_details", "get_plan_details", {"plan_id": ids[0]})


_BUILDERS: dict[str, Callable[[str, Mapping[str, Any], date], Intent]] = {
    "compare": _compare, "upgrade": _upgrade, "line": _line, "lines": _lines,
    "eligibility": _eligibility, "stock": _stock, "device_info": _device_info,
    "device_price": _device_price, "recommend_devices": _recommend_devices,
    "promotions": _promotions, "plan_details": _plan_details,
}  # fmt: skip


def build_intent(kind: str, text: str, context: Mapping[str, Any], today: date) -> Intent:
    """The tool call for `kind` with arguments from the text and the context."""
    builder = _BUILDERS.get(kind)
    return builder(text, context, today) if builder else Intent(kind)
