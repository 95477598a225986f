"""Turn the plan sheet (catalog_plans) into Plan records with marketing text.

The text is assembled from phrase pools so the search index sees the vocabulary variety of real
marketing sheets (吃到飽/不限速/無限量, 網內互打免費 ...). Phrase choice uses a Random seeded by
the plan's position, never the data seed: a plan's id, text and rules are the same in every data
set, only its validity dates move with `today`.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from mcp_servers.backoffice.catalog_plans import PLANS, PlanSpec, Role
from mcp_servers.backoffice.records import Identity, Plan, PlanType

_TYPE_TAG: dict[PlanType, str] = {
    "4G": "4G", "5G": "5G", "data_only": "行動上網", "senior": "銀髮", "student": "學生",
    "business": "企業",
}  # fmt: skip
_IDENTITY_NOTE: dict[Identity, str] = {
    "student": "申辦需出示有效學生證",
    "military_civil": "申辦需出示軍公教服務證明",
    "senior": "限年滿 65 歲本人申辦",
    "company": "限公司戶以統一編號申辦",
}
_OPENERS: dict[Role, tuple[str, ...]] = {
    "tariff": ("【{name}】", "{name}｜", "★{name}★ "),
    "legacy": ("【{name}】",),
    "basic": ("【{name}】", "{name}｜"),
    "promo": ("【{name}】續約限定！", "【{name}】門市續約獨家，", "【{name}】限時優惠：",
              "【{name}】老朋友專屬，", "【{name}】"),
}  # fmt: skip
_FEE = ("月付 {fee:,} 元", "月租 {fee:,} 元", "每月只要 {fee:,} 元")
_UNLIMITED = (
    "{tech} 上網吃到飽不限速", "{tech} 數據無限量、不降速", "{tech} 網路吃到飽，追劇打 Game 不斷線",
    "{tech} 高速上網無限暢用",
)  # fmt: skip
_CAPPED = (
    "每月 {gb}GB 高速上網，用完降速 {cap}Mbps 吃到飽",
    "{gb}GB {tech} 上網量，超量後以 {cap}Mbps 續用不斷網",
    "每月 {gb}GB，用完不斷網（降速 {cap}Mbps）",
)  # fmt: skip
_METERED = ("每月 {gb}GB 上網量，超量依量計費", "{tech} 上網 {gb}GB，超出部分依用量計價")
_VOICE_UNLIMITED = ("網內網外語音無限暢打", "市話、網內、網外通話全免費")
_VOICE_ON_NET = (
    "網內互打免費，網外贈送 {m} 分鐘", "網內免費、網外每月 {m} 分鐘",
    "網內通話不限時，另享網外 {m} 分鐘",
)  # fmt: skip
_VOICE_PLAIN = ("每月贈送 {m} 分鐘通話（網內外皆可用）", "語音 {m} 分鐘，網內外通用")
_DEVICE = (
    "搭購指定新機再折 NT${d:,}。", "購機現折 NT${d:,}，新機帶回家更輕鬆。",
    "加購指定新機享專案價，再折 NT${d:,}。",
)  # fmt: skip
_GIFTS = ("再送{g}。", "加碼贈{g}。", "申辦即贈{g}。")
_CONTRACT = (
    "合約 {m} 個月，提前解約依比例收取違約金（最高 NT${etf:,}）。",
    "綁約 {m} 個月；提前終止需繳回補貼款，最高 NT${etf:,}。",
)


def _num(value: float) -> str:
    return f"{value:g}"


def early_termination_fee(spec: PlanSpec) -> int:
    """A quarter of the contract's fees plus the device discount, rounded to NT$100."""
    if spec.months == 0:
        return 0
    raw = spec.fee * spec.months // 4 + spec.discount
    return (raw + 50) // 100 * 100


def _data_phrase(spec: PlanSpec, tech: str, rng: random.Random) -> str:
    if spec.data_gb is None:
        return rng.choice(_UNLIMITED).format(tech=tech)
    gb = _num(spec.data_gb)
    if spec.cap_mbps is not None:
        return rng.choice(_CAPPED).format(tech=tech, gb=gb, cap=_num(spec.cap_mbps))
    return rng.choice(_METERED).format(tech=tech, gb=gb)


def _voice_phrase(spec: PlanSpec, rng: random.Random) -> str:
    if spec.voice is None:
        return rng.choice(_VOICE_UNLIMITED)
    if spec.voice == 0:
        return "純上網門號，不含語音"
    pool = _VOICE_ON_NET if spec.on_net else _VOICE_PLAIN
    return rng.choice(pool).format(m=spec.voice)


def describe(spec: PlanSpec, rng: random.Random) -> str:
    """The marketing-sheet paragraph: price, data, voice, hook, gifts, conditions, contract."""
    tech = "5G" if "5G" in spec.name or spec.plan_type == "5G" else "4G"
    text = rng.choice(_OPENERS[spec.role]).format(name=spec.name)
    text += rng.choice(_FEE).format(fee=spec.fee)
    text += "，" + _data_phrase(spec, tech, rng) + "，" + _voice_phrase(spec, rng)
    if spec.sms:
        text += f"，簡訊每月 {spec.sms} 則"
    text += "。" + spec.highlight.rstrip("。") + "。"
    if spec.with_device and spec.discount:
        text += rng.choice(_DEVICE).format(d=spec.discount)
    if spec.gifts:
        gifts = "、".join(spec.gifts)
        text += rng.choice(_GIFTS).format(g=(" " + gifts) if gifts[0].isascii() else gifts)
    text += "適合" + (" " if spec.target[0].isascii() else "") + spec.target + "。"
    conditions = []
    rules = spec.rules
    if rules.required_identity is not None:
        conditions.append(_IDENTITY_NOTE[rules.required_identity])
    if rules.min_tenure_months:
        conditions.append(f"限在網滿 {rules.min_tenure_months} 個月之用戶")
    if rules.min_current_monthly_fee:
        conditions.append(f"原月租 {rules.min_current_monthly_fee:,} 元以上可申辦")
    if conditions:
        text += "，".join(conditions) + "。"
    if spec.months:
        text += rng.choice(_CONTRACT).format(m=spec.months, etf=early_termination_fee(spec))
    else:
        text += "無綁約，隨時可調整方案。"
    return text


def _tags(spec: PlanSpec) -> list[str]:
    tags = [_TYPE_TAG[spec.plan_type]]
    if spec.data_gb is None:
        tags.append("吃到飽")
    if spec.on_net:
        tags.append("網內免費")
    if spec.voice is None:
        tags.append("語音無限")
    if spec.with_device:
        tags.append("搭機")
    if spec.role == "promo":
        tags.append("續約")
    if spec.rules.renewal_type == "plain":
        tags.append("單純續約")
    if spec.months == 0:
        tags.append("無綁約")
    tags.extend(spec.tags)
    return list(dict.fromkeys(tags))  # de-duplicate, keep order


def _validity(role: Role, index: int, today: date) -> tuple[date, date]:
    """Tariffs run for years, legacy ones ended, promotions are campaigns valid around today."""
    if role == "legacy":
        return today - timedelta(days=3650), today - timedelta(days=120 + index * 3)
    if role == "tariff":
        return today - timedelta(days=3650), today + timedelta(days=730)
    if role == "basic":
        return today - timedelta(days=1000), today + timedelta(days=730)
    start = today - timedelta(days=14 + (index * 23) % 120)
    return start, today + timedelta(days=45 + (index * 41) % 260)


def plan_id(index: int) -> str:
    """P001 for the first sheet row."""
    return f"P{index:03d}"


def plan_roles() -> dict[str, Role]:
    """Role of every plan id; the generator only puts lines on tariff/legacy plans."""
    return {plan_id(i): spec.role for i, spec in enumerate(PLANS, start=1)}


def build_plans(today: date) -> list[Plan]:
    """All plans as records, ids in sheet order."""
    plans: list[Plan] = []
    for index, spec in enumerate(PLANS, start=1):
        rng = random.Random(7919 * index)
        valid_from, valid_to = _validity(spec.role, index, today)
        plans.append(
            Plan(
                plan_id=plan_id(index),
                name=spec.name,
                plan_type=spec.plan_type,
                monthly_fee=spec.fee,
                data_gb=spec.data_gb,
                speed_limit_after_mbps=spec.cap_mbps,
                voice_minutes=spec.voice,
                on_net_free=spec.on_net,
                sms=spec.sms,
                contract_months=spec.months,
                early_termination_fee=early_termination_fee(spec),
                gifts=list(spec.gifts),
                target_customers=spec.target,
                description=describe(spec, rng),
                tags=_tags(spec),
                with_device=spec.with_device,
                device_discount=spec.discount,
                valid_from=valid_from,
                valid_to=valid_to,
                rules=spec.rules.model_copy(deep=True),
            )
        )
    return plans
