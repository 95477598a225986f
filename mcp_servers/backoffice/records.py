"""Records of the operator's back-office systems (CRM, POS, Promotion).

These are the shapes the demo data generator produces and the MCP servers serve. They belong to
the back-office side, not to the service database in `core/db`.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

CreditGrade = Literal["A", "B", "C", "D"]
DeviceType = Literal["smartphone", "tablet", "wearable"]
OsType = Literal["ios", "android"]
PlanType = Literal["4G", "5G", "data_only", "senior", "student", "business"]
Identity = Literal["student", "military_civil", "senior", "company"]
ContractPeriod = Literal[24, 30, 36]


class Store(BaseModel):
    store_id: str  # "S001"
    name: str  # "台北信義門市"
    city: str
    address: str
    phone: str


class Customer(BaseModel):
    customer_id: str  # "C000001"
    id_number: str  # national ID, letter + 9 digits with checksum
    name: str
    phone_contact: str
    email: str
    is_company: bool = False
    identities: list[Identity] = []  # student, military_civil, ...
    birth_date: date
    registered_at: date
    address: str


class PhoneLine(BaseModel):
    phone_number: str  # "0912345678"
    customer_id: str
    plan_id: str  # current plan, references Plan.plan_id
    plan_name: str
    plan_type: PlanType
    monthly_fee: int  # NTD
    contract_start: date
    contract_end: date
    data_used_gb: float
    data_limit_gb: float | None  # None = unlimited
    voice_used_min: int
    voice_limit_min: int | None  # None = unlimited
    outstanding_balance: int  # NTD, 0 when paid up
    last_bill_amount: int
    is_blacklisted: bool = False
    credit_grade: CreditGrade = "A"
    tenure_months: int  # months as our customer on this line
    status: Literal["active", "suspended"] = "active"


class Device(BaseModel):
    device_id: str  # "D001"
    device_type: DeviceType
    os_type: OsType
    brand: str
    model: str
    colors: list[str]
    storage_gb: int
    specs: dict[str, str]  # screen, chip, camera, battery ...
    retail_price: int
    contract_prices: dict[int, int]  # contract months (24/30/36) -> device price with contract
    release_year: int
    is_recommended: bool = False


class StockItem(BaseModel):
    store_id: str
    device_id: str
    color: str
    quantity: int = Field(ge=0)


class EligibilityRules(BaseModel):
    """Machine-checkable rules of a promotion; an empty rule admits everyone."""

    min_tenure_months: int = 0
    min_current_monthly_fee: int = 0
    allowed_current_plan_types: list[PlanType] = []  # empty = any
    required_identity: Identity | None = None
    renewal_type: Literal["with_device", "plain", "any"] = "any"
    max_credit_grade: CreditGrade = "C"  # A is best; D never qualifies by default


class Plan(BaseModel):
    """A tariff plan or promotion (the seed calls both 'plans'); one searchable document."""

    plan_id: str  # "P001"
    name: str
    plan_type: PlanType
    monthly_fee: int
    data_gb: float | None  # None = unlimited (吃到飽)
    speed_limit_after_mbps: float | None = None
    voice_minutes: int | None  # None = unlimited on-net/off-net as text says
    on_net_free: bool = False
    sms: int = 0
    contract_months: int  # 0 = no contract
    early_termination_fee: int
    gifts: list[str] = []
    target_customers: str
    description: str  # marketing-sheet text, zh-TW
    tags: list[str] = []
    with_device: bool  # offered with a device purchase
    device_discount: int = 0  # NTD off the contract device price
    valid_from: date
    valid_to: date
    rules: EligibilityRules = EligibilityRules()


class BackOffice(BaseModel):
    """Everything the three demo systems hold."""

    seed: int
    today: date  # reference date the contract windows are relative to
    stores: list[Store]
    customers: list[Customer]
    lines: list[PhoneLine]
    devices: list[Device]
    stock: list[StockItem]
    plans: list[Plan]
