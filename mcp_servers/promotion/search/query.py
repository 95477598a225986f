"""Turning a staff question plus the customer's situation into a search query (seed §3.3.1 step 1).

The seed builds the query from "current plan, usage, contract state". Usage says what the customer
needs (a heavy data user needs 吃到飽/大流量, a heavy caller needs 網內互打/通話), and the renewal
choice and identities are hard constraints, so they become filters instead of words.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mcp_servers.backoffice.records import Customer, Identity, PhoneLine, PlanType

from .models import SearchFilters

CONTEXT_MARK = "||"

# Words staff and customers use interchangeably. Expansion is applied to the lexical side only:
# the embedding model already places these near each other, and repeating them would only
# drown the rest of the query in the vector.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    # Not a bare 無限: 語音無限 is unlimited voice, not unlimited data.
    ("吃到飽", "不限量", "無限量", "不限速", "無限上網", "到飽"),
    ("光纖", "光世代", "寬頻", "寬帶"),
    ("長輩", "銀髮", "樂齡", "老人", "年長", "敬老", "熟齡"),
    ("學生", "青春", "校園", "學子"),
    ("網內互打", "網內免費", "網內通話"),
    ("家庭", "全家", "家人", "親子", "闔家"),
    ("共享", "分享"),
    ("手機專案", "綁機", "搭機", "購機", "手機優惠", "送手機"),
    ("攜碼", "移轉", "轉換電信", "跳槽"),
    ("續約", "續用", "老客戶", "舊客戶"),
    ("便宜", "低月租", "划算", "省錢", "小資", "平價", "入門"),
    ("通話", "語音", "打電話", "講電話"),
    ("企業", "商務", "公司", "法人"),
    ("軍公教", "軍人", "公務員", "教師", "警察"),
    ("平板", "ipad"),
    ("追劇", "影音", "串流", "影片"),
    ("遊戲", "手遊", "電競"),
    ("漫遊", "出國", "國際"),
)


def synonym_expansions(text: str) -> list[tuple[str, ...]]:
    """Per thesaurus group found in `text`, its members that `text` does not already contain."""
    lowered = text.lower()
    added: list[tuple[str, ...]] = []
    for group in SYNONYMS:
        if any(term in lowered for term in group):
            missing = tuple(t for t in group if t not in lowered)
            if missing:
                added.append(missing)
    return added


def expand_for_lexical(text: str) -> str:
    """`text` followed by its synonyms: the expanded query as one string (for display, Azure)."""
    extra = [term for group in synonym_expansions(text) for term in group]
    return text if not extra else f"{text} {' '.join(extra)}"


class CustomerContext(BaseModel):
    """What the renewal flow knows about the customer; every field is optional.

    Unknown keys are ignored so an LLM tool call or a CRM record dump can be passed as is.
    """

    model_config = ConfigDict(extra="ignore")

    current_plan_id: str | None = None
    current_plan_name: str | None = None
    current_plan_type: PlanType | None = None
    monthly_fee: int | None = Field(default=None, ge=0)
    data_used_gb: float | None = Field(default=None, ge=0)
    data_limit_gb: float | None = Field(
        default=None, ge=0
    )  # None with usage known = unlimited plan
    voice_used_min: int | None = Field(default=None, ge=0)
    voice_limit_min: int | None = Field(default=None, ge=0)
    contract_end: date | None = None
    tenure_months: int | None = Field(default=None, ge=0)
    renewal_type: Literal["with_device", "plain"] | None = None
    identities: list[Identity] | None = None  # None = unknown; [] = known to hold none
    age: int | None = Field(default=None, ge=0, le=130)
    budget_monthly_fee: int | None = Field(default=None, ge=0)
    today: date | None = None

    @classmethod
    def from_records(
        cls,
        line: PhoneLine,
        customer: Customer | None = None,
        *,
        today: date | None = None,
        renewal_type: Literal["with_device", "plain"] | None = None,
    ) -> CustomerContext:
        """Build from the CRM records the renewal flow already holds."""
        age = None
        if customer is not None and today is not None:
            born = customer.birth_date
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        return cls(
            current_plan_id=line.plan_id,
            current_plan_name=line.plan_name,
            current_plan_type=line.plan_type,
            monthly_fee=line.monthly_fee,
            data_used_gb=line.data_used_gb,
            data_limit_gb=line.data_limit_gb,
            voice_used_min=line.voice_used_min,
            voice_limit_min=line.voice_limit_min,
            contract_end=line.contract_end,
            tenure_months=line.tenure_months,
            renewal_type=renewal_type,
            identities=list(customer.identities) if customer is not None else None,
            age=age,
            today=today,
        )


class ShapedQuery(BaseModel):
    """The text to search, the filters to apply, and why (for traces and the staff UI)."""

    text: str
    filters: SearchFilters
    reasons: list[str] = []


HEAVY_DATA_RATIO = 0.8
HEAVY_UNLIMITED_GB = 30.0
LIGHT_DATA_RATIO = 0.3
HEAVY_VOICE_MIN = 300
SENIOR_AGE = 65


def _needs(ctx: CustomerContext) -> list[tuple[str, str]]:
    """(query words, reason) pairs derived from usage, identity and contract state."""
    needs: list[tuple[str, str]] = []
    used, limit = ctx.data_used_gb, ctx.data_limit_gb
    if used is not None:
        if limit is None and used >= HEAVY_UNLIMITED_GB:
            needs.append(("吃到飽 大流量", f"uses {used:g} GB on an unlimited plan"))
        elif limit and used >= HEAVY_DATA_RATIO * limit:
            needs.append(("吃到飽 大流量", f"data {used:g}/{limit:g} GB"))
        elif limit and used <= LIGHT_DATA_RATIO * limit and used < 5:
            needs.append(("輕量 低月租", f"data {used:g}/{limit:g} GB"))
    voice_used, voice_limit = ctx.voice_used_min, ctx.voice_limit_min
    if voice_used is not None and (
        voice_used >= HEAVY_VOICE_MIN or (voice_limit and voice_used >= 0.8 * voice_limit)
    ):
        needs.append(("網內互打 通話", f"voice {voice_used} min"))
    identities = set(ctx.identities or [])
    if "student" in identities:
        needs.append(("學生", "student identity"))
    if "senior" in identities or (ctx.age is not None and ctx.age >= SENIOR_AGE):
        needs.append(("長輩 銀髮", "senior"))
    if "military_civil" in identities:
        needs.append(("軍公教", "military/civil-service identity"))
    if "company" in identities:
        needs.append(("企業", "company customer"))
    if ctx.current_plan_type == "5G":
        needs.append(("5G", "already on 5G"))
    if ctx.renewal_type == "with_device":
        needs.append(("手機專案", "renewal with a device"))
    return needs


def shape_query(query: str, context: CustomerContext | dict | None = None) -> ShapedQuery:
    """Expand `query` with the customer's needs and derive hard filters from the context.

    A need already said is not repeated. In a query that carries `CONTEXT_MARK` (the renewal
    step's: typed words, the mark, the step's own words) only the part from the mark on counts
    as said: the words added then depend on the context alone, so the context part of every
    search for one customer is the same text and its vector is reused (`dense_query`). Deduped
    against the typed words too, typing 吃到飽 for a heavy data user made that part a new text,
    embedded (~15 tokens, ~20 ms of CPU) once per such variant (docs/search.md, H20).
    """
    query = " ".join(query.split())
    if context is None:
        return ShapedQuery(text=query, filters=SearchFilters())
    ctx = (
        context if isinstance(context, CustomerContext) else CustomerContext.model_validate(context)
    )
    said = query[max(query.find(CONTEXT_MARK), 0) :].lower()  # no mark: the whole query
    words: list[str] = []
    reasons: list[str] = []
    for phrase, reason in _needs(ctx):
        new = [w for w in phrase.split() if w.lower() not in said and w not in words]
        if new:
            words.extend(new)
            reasons.append(f"{reason} -> {' '.join(new)}")
    if not query and not words:
        # Nothing said and nothing inferred: search around the current plan.
        if ctx.current_plan_name:
            words.append(ctx.current_plan_name)
        words.append("續約 優惠")
    filters = SearchFilters(
        with_device=None if ctx.renewal_type is None else ctx.renewal_type == "with_device",
        identities=tuple(ctx.identities) if ctx.identities is not None else None,
        max_monthly_fee=ctx.budget_monthly_fee,
        valid_on=ctx.today,
    )
    if ctx.renewal_type is not None:
        reasons.append(f"renewal {ctx.renewal_type} -> with_device={filters.with_device}")
    if ctx.identities is not None:
        reasons.append(f"identities {sorted(ctx.identities)} -> identity-restricted plans filtered")
    # Words inferred from the context follow CONTEXT_MARK: the constraint parser treats what
    # they say as preferences, never filters (usage suggests 吃到飽; the staff did not ask).
    text = (
        f"{query} {CONTEXT_MARK} {' '.join(words)}" if words and query else query or " ".join(words)
    )
    return ShapedQuery(text=text, filters=filters, reasons=reasons)
