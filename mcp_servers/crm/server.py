"""CRM MCP server: customers, lines and eligibility (seed 000 §3.5.1)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from core import national_id
from core.errors import NotFound
from core.logging import get_logger
from mcp_servers.backoffice.access import (
    customer_by_id,
    default_store,
    line_by_number,
    plan_by_id,
    store_id_checked,
    today,
    valid_national_id,
)
from mcp_servers.backoffice.device_fit import DeviceChoice
from mcp_servers.crm.eligibility import (
    PromotionEligibility,
    RenewalEligibility,
    check_promotion,
    check_renewal,
)
from mcp_servers.crm.renewals import LineRenewal
from mcp_servers.crm.renewals import record_renewal as record_line_renewal
from mcp_servers.server import build_server, tools_of

log = get_logger(__name__)

mcp = build_server(
    "crm",
    "電信 CRM：以身分證字號查客戶、列出門號、查門號詳情、檢查續約與促銷資格。"
    " Telecom CRM: customers, phone lines, renewal and promotion eligibility.",
)
tool = tools_of(mcp)  # writes: never sent twice
read_tool = tools_of(mcp, read_only=True)  # reads: sent again after a restart


class CustomerInfo(BaseModel):
    customer_id: str
    name: str
    id_number: str  # masked, e.g. A12****789
    phone: str
    email: str
    is_company_customer: bool
    identities: list[str]
    registration_date: date


class PhoneSummary(BaseModel):
    phone_number: str
    plan_id: str
    plan_name: str
    plan_type: str
    contract_status: Literal["active", "expiring", "expired", "suspended"]
    contract_end_date: date
    days_until_expiry: int
    monthly_fee: int
    data_used_gb: float
    data_limit_gb: float | None
    voice_used_minutes: int
    voice_limit_minutes: int | None
    last_bill_amount: int
    outstanding_balance: int
    is_eligible_for_renewal: bool


class ContractInfo(BaseModel):
    plan_id: str
    plan_name: str
    plan_type: str
    contract_start_date: date
    contract_end_date: date
    days_until_expiry: int
    tenure_months: int
    status: str


class UsageInfo(BaseModel):
    data_used_gb: float
    data_limit_gb: float | None
    voice_used_minutes: int
    voice_limit_minutes: int | None


class BillingInfo(BaseModel):
    current_month_fee: int
    last_bill_amount: int
    outstanding_balance: int


class PhoneDetails(BaseModel):
    phone_number: str
    customer_id: str
    contract_info: ContractInfo
    usage_info: UsageInfo
    billing_info: BillingInfo
    credit_grade: str


@read_tool
async def get_customer(id_number: str) -> CustomerInfo:
    """根據身分證字號查詢客戶基本資料。Look up a customer by Taiwan national ID (letter + 9
    digits). Errors: INVALID_INPUT (bad format/checksum), NOT_FOUND (not our customer)."""
    store = default_store()
    found = store.customer_by_national_id(valid_national_id(id_number))
    log.info("customer_lookup", id_number=id_number, found=found is not None)  # masked by logging
    if found is None:
        raise NotFound("查無此客戶 / not a customer")
    return CustomerInfo(
        customer_id=found.customer_id,
        name=found.name,
        id_number=national_id.mask(found.id_number),
        phone=found.phone_contact,
        email=found.email,
        is_company_customer=found.is_company,
        identities=list(found.identities),
        registration_date=found.registered_at,
    )


@read_tool
async def list_customer_phones(customer_id: str) -> list[PhoneSummary]:
    """列出客戶所有門號與合約、用量、帳單摘要。List a customer's lines as cards: plan,
    contract end, usage, bill, balance, and whether a plain renewal is possible now."""
    store = default_store()
    customer = customer_by_id(store, customer_id)
    now = today()
    cards = []
    for line in store.lines_by_customer(customer.customer_id):
        renewal = check_renewal(line, "single", now, store.last_renewed(line.phone_number))
        days = renewal.days_until_expiry
        status: Literal["active", "expiring", "expired", "suspended"] = (
            "suspended" if line.status != "active"
            else "expired" if days < 0
            else "expiring" if days <= 60
            else "active"
        )  # fmt: skip
        cards.append(
            PhoneSummary(
                phone_number=line.phone_number,
                plan_id=line.plan_id,
                plan_name=line.plan_name,
                plan_type=line.plan_type,
                contract_status=status,
                contract_end_date=line.contract_end,
                days_until_expiry=days,
                monthly_fee=line.monthly_fee,
                data_used_gb=line.data_used_gb,
                data_limit_gb=line.data_limit_gb,
                voice_used_minutes=line.voice_used_min,
                voice_limit_minutes=line.voice_limit_min,
                last_bill_amount=line.last_bill_amount,
                outstanding_balance=line.outstanding_balance,
                is_eligible_for_renewal=renewal.is_eligible,
            )
        )
    return cards


@read_tool
async def get_phone_details(phone_number: str) -> PhoneDetails:
    """查詢門號詳情：合約、用量、帳單。Details of one line (10 digits, 09xxxxxxxx)."""
    line = line_by_number(default_store(), phone_number)
    return PhoneDetails(
        phone_number=line.phone_number,
        customer_id=line.customer_id,
        contract_info=ContractInfo(
            plan_id=line.plan_id,
            plan_name=line.plan_name,
            plan_type=line.plan_type,
            contract_start_date=line.contract_start,
            contract_end_date=line.contract_end,
            days_until_expiry=(line.contract_end - today()).days,
            tenure_months=line.tenure_months,
            status=line.status,
        ),
        usage_info=UsageInfo(
            data_used_gb=line.data_used_gb,
            data_limit_gb=line.data_limit_gb,
            voice_used_minutes=line.voice_used_min,
            voice_limit_minutes=line.voice_limit_min,
        ),
        billing_info=BillingInfo(
            current_month_fee=line.monthly_fee,
            last_bill_amount=line.last_bill_amount,
            outstanding_balance=line.outstanding_balance,
        ),
        credit_grade=line.credit_grade,
    )


@read_tool
async def check_renewal_eligibility(
    phone_number: str, renewal_type: Literal["single", "with_device"] = "single"
) -> RenewalEligibility:
    """檢查門號續約資格。Renewal eligibility: contract ends within 60 days (or has ended), no
    outstanding balance, not blacklisted, credit grade accepted (single: A-C, with_device: A-B).
    Every failed rule comes with a reason and a remedy."""
    store = default_store()
    line = line_by_number(store, phone_number)
    return check_renewal(line, renewal_type, today(), store.last_renewed(line.phone_number))


@tool
async def record_renewal(
    phone_number: str,
    plan_id: str,
    staff_id: Annotated[str, Field(min_length=1, max_length=32)],
    store_id: str,
    idempotency_key: Annotated[str, Field(min_length=1, max_length=64)],
) -> LineRenewal:
    """登錄門市續約：門號改為新方案，新合約自今日起算。Record a renewal signed in a store: the
    line moves to the plan and a new contract from today (end = today + contract months), so the
    line is not renewed twice. Reuse the idempotency_key to get the same renewal back. Errors:
    RECENTLY_RENEWED (renewed in the last 60 days), NOT_FOUND, INVALID_INPUT."""
    store = default_store()
    line = line_by_number(store, phone_number)
    plan = plan_by_id(store, plan_id)
    renewal = record_line_renewal(
        store.path,
        phone_number=line.phone_number,
        plan=plan,
        staff_id=staff_id,
        store_id=store_id_checked(store, store_id),
        idempotency_key=idempotency_key,
        today=today(),
    )
    log.info("line_renewed", phone_number=line.phone_number, plan_id=plan.plan_id)
    return renewal


@read_tool
async def check_promotion_eligibility(
    phone_number: str,
    promotion_id: str,
    renewal_type: Literal["single", "with_device"] | None = None,
    device_type: DeviceChoice | None = None,
) -> PromotionEligibility:
    """檢查門號是否符合促銷資格。Whether a line qualifies for a promotion (tenure, current
    monthly fee, current plan type, identity, with-device or plain renewal, credit, validity,
    and with device_type none/smartphone/tablet/wearable whether the plan fits that device);
    lists every missing requirement."""
    (result,) = await check_promotion_eligibility_batch(
        phone_number, [promotion_id], renewal_type, device_type
    )
    return result


@read_tool
async def check_promotion_eligibility_batch(
    phone_number: str,
    promotion_ids: Annotated[list[str], Field(min_length=1, max_length=20)],
    renewal_type: Literal["single", "with_device"] | None = None,
    device_type: DeviceChoice | None = None,
) -> list[PromotionEligibility]:
    """檢查門號對多個促銷的資格（批次）。check_promotion_eligibility for several promotions of
    one line in one call, results in the order asked; NOT_FOUND names an unknown promotion."""
    store = default_store()  # one round trip for step 8's candidates (seed 000 A.3: batching)
    line = line_by_number(store, phone_number)
    customer = customer_by_id(store, line.customer_id)
    now = today()
    return [
        check_promotion(
            line, customer, plan_by_id(store, promotion_id), now, renewal_type, device_type
        )
        for promotion_id in promotion_ids
    ]
