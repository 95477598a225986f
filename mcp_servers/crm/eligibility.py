"""Renewal and promotion eligibility: pure rules over back-office records.

Staff act on these answers in front of the customer, so every failed rule carries a reason the
customer can understand and a remedy (what to do next). No I/O here: the CRM server loads the
records and calls these functions, and the eval suite calls them directly.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel

from mcp_servers.backoffice.device_fit import DEVICE_LABELS, DeviceChoice, device_misfit
from mcp_servers.backoffice.records import Customer, Identity, PhoneLine, Plan

RenewalType = Literal["single", "with_device"]

RENEWAL_WINDOW_DAYS = 60
# A line renewed in a store is not renewed again for this long, whatever its new term.
RECENT_RENEWAL_DAYS = 60
# A is the best grade. A device subsidy is a credit risk, so it asks for a better grade.
ACCEPTED_GRADES: dict[RenewalType, frozenset[str]] = {
    "single": frozenset("ABC"),
    "with_device": frozenset("AB"),
}
IDENTITY_LABELS: dict[Identity, str] = {
    "student": "學生",
    "military_civil": "軍公教",
    "senior": "年滿 65 歲長者",
    "company": "企業客戶",
}


class Reason(BaseModel):
    """One failed rule: a stable code for programs, a message and a remedy for people."""

    code: str
    message: str
    remedy: str


class RenewalEligibility(BaseModel):
    is_eligible: bool
    reasons: list[Reason]
    contract_end_date: date
    days_until_expiry: int
    credit_score: str
    has_outstanding_debt: bool
    renewal_type: RenewalType
    eligible_from: date  # first day the contract window opens


class MissingRequirement(BaseModel):
    requirement: str  # min_tenure_months, min_current_monthly_fee, ...
    required: str
    actual: str


class PromotionEligibility(BaseModel):
    promotion_id: str
    is_qualified: bool
    reasons: list[str]
    missing_requirements: list[MissingRequirement]


def check_renewal(
    line: PhoneLine, renewal_type: RenewalType, today: date, renewed_on: date | None = None
) -> RenewalEligibility:
    """Not renewed in a store in the last 60 days (`renewed_on`: the line's last renewal),
    contract within 60 days of its end (or already ended), no debt, not blacklisted, credit
    grade accepted for this renewal type, line active."""
    days = (line.contract_end - today).days
    eligible_from = line.contract_end - timedelta(days=RENEWAL_WINDOW_DAYS)
    reasons: list[Reason] = []
    if renewed_on is not None and (today - renewed_on).days < RECENT_RENEWAL_DAYS:
        reasons.append(
            Reason(
                code="RECENTLY_RENEWED",
                message=f"此門號已於 {renewed_on:%Y-%m-%d} 完成續約，目前方案為 {line.plan_name}，"
                f"新合約至 {line.contract_end:%Y-%m-%d}",
                remedy="不需再次續約；如需調整方案，請改辦理方案變更",
            )
        )
    if days > RENEWAL_WINDOW_DAYS:
        reasons.append(
            Reason(
                code="CONTRACT_NOT_DUE",
                message=f"合約將於 {line.contract_end:%Y-%m-%d} 到期，尚有 {days} 天，"
                f"未進入到期前 {RENEWAL_WINDOW_DAYS} 天的續約期間",
                remedy=f"請於 {eligible_from:%Y-%m-%d} 之後再辦理續約；"
                "若要提前續約，需依合約支付提前解約金",
            )
        )
    if line.outstanding_balance > 0:
        reasons.append(
            Reason(
                code="OUTSTANDING_BALANCE",
                message=f"尚有未繳帳款 NT${line.outstanding_balance:,}",
                remedy="請客戶先於門市或線上繳清欠款，入帳後即可續約",
            )
        )
    if line.is_blacklisted:
        reasons.append(
            Reason(
                code="BLACKLISTED",
                message="此門號列於信用管制名單，門市無法受理續約",
                remedy="請客戶洽客服中心 (123) 或信用管理部門申請解除管制",
            )
        )
    if line.credit_grade not in ACCEPTED_GRADES[renewal_type]:
        accepted = "/".join(sorted(ACCEPTED_GRADES[renewal_type]))
        remedy = (
            "可改為單純續約（不搭配裝置），或預繳保證金後再申請搭機方案"
            if renewal_type == "with_device" and line.credit_grade in ACCEPTED_GRADES["single"]
            else "請客戶洽客服中心重新進行信用審核"
        )
        reasons.append(
            Reason(
                code="CREDIT_GRADE",
                message=f"信用評等 {line.credit_grade} 未達此續約類型要求（需 {accepted}）",
                remedy=remedy,
            )
        )
    if line.status != "active":
        reasons.append(
            Reason(
                code="LINE_SUSPENDED",
                message="門號目前為停話狀態",
                remedy="請先辦理復話，再辦理續約",
            )
        )
    return RenewalEligibility(
        is_eligible=not reasons,
        reasons=reasons,
        contract_end_date=line.contract_end,
        days_until_expiry=days,
        credit_score=line.credit_grade,
        has_outstanding_debt=line.outstanding_balance > 0,
        renewal_type=renewal_type,
        eligible_from=eligible_from,
    )


def _has_identity(customer: Customer, identity: Identity) -> bool:
    if identity == "company":
        return customer.is_company or "company" in customer.identities
    return identity in customer.identities


def check_promotion(
    line: PhoneLine,
    customer: Customer,
    plan: Plan,
    today: date,
    renewal_type: RenewalType | None = None,
    device_type: DeviceChoice | None = None,
) -> PromotionEligibility:
    """Apply a promotion's machine-checkable rules to one line; every unmet rule is listed.
    With `device_type` (step 5's choice) a plan that does not fit the device is not qualified."""
    rules = plan.rules
    missing: list[MissingRequirement] = []
    reasons: list[str] = []

    def fail(requirement: str, required: str, actual: str, reason: str) -> None:
        missing.append(
            MissingRequirement(requirement=requirement, required=required, actual=actual)
        )
        reasons.append(reason)

    if not plan.valid_from <= today <= plan.valid_to:
        fail(
            "valid_period",
            f"{plan.valid_from:%Y-%m-%d}~{plan.valid_to:%Y-%m-%d}",
            f"{today:%Y-%m-%d}",
            "此促銷不在活動期間內",
        )
    if line.tenure_months < rules.min_tenure_months:
        fail(
            "min_tenure_months",
            str(rules.min_tenure_months),
            str(line.tenure_months),
            f"需在網 {rules.min_tenure_months} 個月以上（目前 {line.tenure_months} 個月）",
        )
    if line.monthly_fee < rules.min_current_monthly_fee:
        fail(
            "min_current_monthly_fee",
            str(rules.min_current_monthly_fee),
            str(line.monthly_fee),
            f"目前月租需達 NT${rules.min_current_monthly_fee:,}（目前 NT${line.monthly_fee:,}）",
        )
    allowed = rules.allowed_current_plan_types
    if allowed and line.plan_type not in allowed:
        fail(
            "allowed_current_plan_types",
            ",".join(allowed),
            line.plan_type,
            f"限目前為 {'/'.join(allowed)} 方案的門號（目前為 {line.plan_type}）",
        )
    if rules.required_identity and not _has_identity(customer, rules.required_identity):
        label = IDENTITY_LABELS[rules.required_identity]
        fail("required_identity", rules.required_identity, ",".join(customer.identities) or "-",
             f"限{label}申辦，需出示相關證明")  # fmt: skip
    if renewal_type is not None and rules.renewal_type != "any":
        wanted = "with_device" if rules.renewal_type == "with_device" else "single"
        if wanted != renewal_type:
            label = "搭配購機" if wanted == "with_device" else "單純續約（不購機）"
            fail("renewal_type", wanted, renewal_type, f"此方案限{label}")
    if device_type is not None and (misfit := device_misfit(plan, device_type)):
        fail("device_type", device_type, DEVICE_LABELS[device_type], misfit)
    if line.credit_grade > rules.max_credit_grade:  # "A" < "B" < ...: higher letter is worse
        fail(
            "max_credit_grade",
            rules.max_credit_grade,
            line.credit_grade,
            f"信用評等需 {rules.max_credit_grade} 以上（目前 {line.credit_grade}）",
        )
    return PromotionEligibility(
        promotion_id=plan.plan_id,
        is_qualified=not missing,
        reasons=reasons,
        missing_requirements=missing,
    )
