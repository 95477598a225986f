"""What a plan offers, as canonical facets both the query parser and the filters speak.

Perks, audiences and the network generation live in free text (gifts, tags, the marketing
sheet), so a query's "Netflix" or "學生" cannot be checked against a column. `facets_of` derives
them once per plan with the same alias table the parser reads queries with; the local engine
filters on these facets and the Azure index stores them as filterable collections, so both
backends agree on what "has Netflix" means.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mcp_servers.backoffice.records import Plan


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


# canonical perk -> lower-cased aliases (zh-TW, zh-CN, English) found in queries and plan text.
PERK_ALIASES: dict[str, tuple[str, ...]] = {
    "netflix": _words("netflix|網飛|网飞|奈飛|奈飞"),
    "disney+": _words("disney|迪士尼|迪士尼+"),
    "spotify": _words("spotify"),
    "roaming": _words("漫遊|漫游|roaming|出國上網|出国上网"),
    "power_bank": _words("行動電源|移动电源|移動電源|充電寶|充电宝|power bank|powerbank"),
    "voucher": _words("禮券|礼券|禮卷|voucher|gift card|購物金|购物金"),
    "earbuds": _words("耳機|耳机|earbuds|earphones|headphones"),
    "charger": _words("充電器|充电器|charger"),
    "phone_case": _words("手機殼|手机壳|保護貼|保护贴|phone case|screen protector"),
    "bill_credit": _words(
        "回饋金|回馈金|月租折抵|折抵月租|現金回饋|现金回馈|cashback|bill credit|rebate"
    ),
    "fibre": _words("光世代|光纖|光纤|寬頻|宽带|宽频|fibre|fiber|broadband"),
    "anti_fraud": _words("防詐|防诈|anti-fraud|scam call|fraud"),
    "multi_device": _words("一號多機|一号多机|one number|multi-sim|multisim"),
    "price_drop": _words("降價|降价|降月租|lower my bill"),
}
# Device brands and models named on the sheets: a query naming one prefers those plans.
BRAND_ALIASES: dict[str, tuple[str, ...]] = {
    "iphone": _words("iphone|蘋果手機|苹果手机"),
    "galaxy": _words("galaxy|三星|samsung"),
    "pixel": _words("pixel|google 手機"),
    "redmi": _words("redmi|紅米|红米|小米|xiaomi"),
    "oppo": _words("oppo"),
    "rog": _words("rog|華碩|华硕|asus"),
    "ipad": _words("ipad"),
    "watch": _words("apple watch|galaxy watch|智慧手錶|智能手表"),
    "fold": _words("fold|摺疊|折疊|折叠"),
}
VIDEO_STREAMING = frozenset({"netflix", "disney+"})
MUSIC_STREAMING = frozenset({"spotify"})

# Audiences the catalogue targets: the four identities plus the groups its sheets address.
AUDIENCE_TEXT: dict[str, tuple[str, ...]] = {
    "family": ("家庭", "親子", "全家", "家人"),
    "gamer": ("電競", "手遊"),
    "tablet": ("平板",),
    "wearable": ("手錶", "穿戴"),
    "upgrade_4g": ("升級 5G", "4G 轉 5G", "還在用 4G"),  # renewals for lines still on 4G
}
_INF = float("inf")
_PLAN_TYPE_AUDIENCE = {"student": "student", "senior": "senior", "business": "company"}


@dataclass(frozen=True)
class PlanFacets:
    """The checkable side of a plan: columns plus what its text offers."""

    plan_id: str
    monthly_fee: int
    data_gb: float | None  # None = unlimited
    throttled: bool  # keeps a reduced speed after the cap (降速吃到飽)
    voice_unlimited: bool
    contract_months: int
    with_device: bool
    plan_type: str
    networks: frozenset[str]
    perks: frozenset[str]
    audiences: frozenset[str]
    speed_after: float  # Mbps after the cap; inf when unlimited, 0 when charged per use
    voice_minutes: float  # off-net minutes; inf when unlimited
    has_gift: bool
    device_discount: int
    brands: frozenset[str]

    @property
    def unlimited(self) -> bool:
        return self.data_gb is None

    @property
    def fee(self) -> int:
        return self.monthly_fee

    @property
    def data(self) -> float:
        return _INF if self.data_gb is None else self.data_gb

    def tag(self, name: str) -> bool:
        kind, _, value = name.partition(":")
        found = {"perk": self.perks, "audience": self.audiences, "network": self.networks,
                 "brand": self.brands}.get(kind, frozenset())  # fmt: skip
        return value in found

    def document_fields(self) -> dict[str, Any]:
        """The derived fields an Azure document carries (the columns are uploaded already)."""
        return {
            "throttled": self.throttled,
            "voice_unlimited": self.voice_unlimited,
            "networks": sorted(self.networks),
            "perks": sorted(self.perks),
            "audiences": sorted(self.audiences),
            "speed_after_mbps": None if self.speed_after == float("inf") else self.speed_after,
            "voice_minutes": None if self.voice_minutes == float("inf") else self.voice_minutes,
            "has_gift": self.has_gift,
            "device_discount": self.device_discount,
            "brands": sorted(self.brands),
        }


# Just before a perk's name on a sheet, these say the plan does not come with it: "不拉光纖也能
# 在家上網" is a data SIM that replaces fibre, not a fibre bundle.
_WITHOUT = re.compile(r"(?:不拉|不用|不必|不需|免拉|無需|无需|不含|沒有|没有)\s*$")


def _offered(lowered: str, alias: str) -> bool:
    at = lowered.find(alias)
    while at >= 0:
        if not _WITHOUT.search(lowered[max(0, at - 4) : at]):
            return True
        at = lowered.find(alias, at + 1)
    return False


def perks_in(text: str) -> set[str]:
    lowered = text.lower()
    return {
        perk for perk, aliases in PERK_ALIASES.items() if any(_offered(lowered, a) for a in aliases)
    }


def brands_in(text: str) -> set[str]:
    lowered = text.lower()
    return {b for b, aliases in BRAND_ALIASES.items() if any(a in lowered for a in aliases)}


def _networks(plan: Plan) -> frozenset[str]:
    if plan.plan_type in ("4G", "5G"):
        return frozenset({plan.plan_type})
    for text in (plan.name, plan.description):
        found = {g for g in ("5G", "4G") if g in text.upper()}
        if found:
            return frozenset(found)
    return frozenset()


def facets_of(plan: Plan) -> PlanFacets:
    """Derive a plan's facets from its columns and its sheet text."""
    offered = " ".join([*plan.gifts, *plan.tags, plan.name, plan.description])
    audiences: set[str] = set()
    if plan.rules.required_identity:
        audiences.add(plan.rules.required_identity)
    else:  # "一般人", "general public": anyone may apply
        audiences.add("general")
    if plan.plan_type in _PLAN_TYPE_AUDIENCE:
        audiences.add(_PLAN_TYPE_AUDIENCE[plan.plan_type])
    labels = " ".join([*plan.tags, plan.name, plan.target_customers])
    audiences |= {a for a, words in AUDIENCE_TEXT.items() if any(w in labels for w in words)}
    return PlanFacets(
        plan_id=plan.plan_id,
        monthly_fee=plan.monthly_fee,
        data_gb=plan.data_gb,
        throttled=plan.data_gb is not None and plan.speed_limit_after_mbps is not None,
        voice_unlimited=plan.voice_minutes is None,
        contract_months=plan.contract_months,
        with_device=plan.with_device,
        plan_type=plan.plan_type,
        networks=_networks(plan),
        perks=frozenset(perks_in(offered)),
        audiences=frozenset(audiences),
        speed_after=_INF if plan.data_gb is None else (plan.speed_limit_after_mbps or 0.0),
        voice_minutes=_INF if plan.voice_minutes is None else float(plan.voice_minutes),
        has_gift=bool(plan.gifts),
        device_discount=plan.device_discount,
        brands=frozenset(brands_in(f"{plan.name} {plan.description}"))
        if plan.with_device
        else frozenset(),
    )


def facets_from_document(doc: Mapping[str, Any]) -> PlanFacets:
    """Rebuild facets from an Azure search result (the inverse of the uploaded fields)."""
    data = doc.get("data_gb")
    return PlanFacets(
        plan_id=str(doc["plan_id"]),
        monthly_fee=int(doc.get("monthly_fee") or 0),
        data_gb=None if data is None else float(data),
        throttled=bool(doc.get("throttled")),
        voice_unlimited=bool(doc.get("voice_unlimited")),
        contract_months=int(doc.get("contract_months") or 0),
        with_device=bool(doc.get("with_device")),
        plan_type=str(doc.get("plan_type") or ""),
        networks=frozenset(doc.get("networks") or ()),
        perks=frozenset(doc.get("perks") or ()),
        audiences=frozenset(doc.get("audiences") or ()),
        speed_after=_INF if data is None else float(doc.get("speed_after_mbps") or 0.0),
        voice_minutes=_INF if doc.get("voice_minutes") is None else float(doc["voice_minutes"]),
        has_gift=bool(doc.get("has_gift")),
        device_discount=int(doc.get("device_discount") or 0),
        brands=frozenset(doc.get("brands") or ()),
    )
