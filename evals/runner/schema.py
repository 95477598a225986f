"""Dataset rows: one pydantic model per suite, and the JSONL loader that reports `file:line`.

A typo in a dataset must stop the run before anything is scored: a row that does not validate
raises `DatasetError` naming the file, the line and the field, never a silent skip. Rows are
frozen and forbid unknown keys, so a misspelt field name is an error too.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.settings import ROOT
from mcp_servers.backoffice.records import CreditGrade, Identity, PlanType

DATASETS_DIR = ROOT / "evals" / "datasets"


class DatasetError(ValueError):
    """A dataset row that cannot be used; the message starts with `file:line`."""


class Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=80)


R = TypeVar("R", bound=BaseModel)


def content_hash(row: BaseModel) -> str:
    """Hash of what a case says (not where it sits in the file): the cache key's case part."""
    text = json.dumps(row.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def where(path: Path) -> str:
    """A path as messages show it: relative to the repository when inside it."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def load_jsonl(path: Path, model: type[R]) -> list[R]:
    """Validated rows of a JSONL file (blank lines and `//` or `#` comment lines skipped); ids
    unique."""
    if not path.exists():
        raise DatasetError(f"{where(path)}: dataset not found")
    rows: list[R] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith(("//", "#")):
            continue
        at = f"{where(path)}:{number}"
        try:
            row = model.model_validate_json(line)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in item['loc']) or 'row'}: {item['msg']}"
                for item in error.errors()
            )
            raise DatasetError(f"{at}: {problems}") from None
        row_id = str(getattr(row, "id", number))
        if row_id in seen:
            raise DatasetError(f"{at}: duplicate id {row_id!r} (first on line {seen[row_id]})")
        seen[row_id] = number
        rows.append(row)
    if not rows:
        raise DatasetError(f"{where(path)}: no rows")
    return rows


# --- retrieval (evals/retrieval/devset.jsonl) ------------------------------------------------


class RetrievalRow(Row):
    query: str = Field(min_length=1)
    relevant: list[str] = Field(min_length=1)
    phrasing: Literal["staff", "customer"] = "staff"
    context: dict[str, Any] | None = None
    note: str = ""


# --- eligibility ------------------------------------------------------------------------------

RenewalCode = Literal["CONTRACT_NOT_DUE", "OUTSTANDING_BALANCE", "BLACKLISTED", "CREDIT_GRADE"]
PromotionCode = Literal[
    "valid_period",
    "min_tenure_months",
    "min_current_monthly_fee",
    "allowed_current_plan_types",
    "required_identity",
    "renewal_type",
    "max_credit_grade",
]


class LineSpec(BaseModel):
    """The line attributes the rules read; everything else gets a neutral default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    contract_end_in_days: int = 30
    outstanding_balance: int = Field(default=0, ge=0)
    is_blacklisted: bool = False
    credit_grade: CreditGrade = "A"
    tenure_months: int = Field(default=24, ge=0)
    monthly_fee: int = Field(default=999, ge=0)
    plan_type: PlanType = "4G"


class CustomerSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    identities: list[Identity] = []
    is_company: bool = False


class PromotionSpec(BaseModel):
    """A promotion's rules and validity window (days relative to the evaluation day)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_tenure_months: int = 0
    min_current_monthly_fee: int = 0
    allowed_current_plan_types: list[PlanType] = []
    required_identity: Identity | None = None
    renewal_type: Literal["with_device", "plain", "any"] = "any"
    max_credit_grade: CreditGrade = "C"
    valid_from_in_days: int = -30
    valid_to_in_days: int = 90


class EligibilityExpected(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    eligible: bool
    reasons: list[RenewalCode | PromotionCode] = []

    @model_validator(mode="after")
    def _reasons_iff_not_eligible(self) -> EligibilityExpected:
        if self.eligible == bool(self.reasons):
            raise ValueError("list reasons exactly when not eligible")
        return self


class EligibilityRow(Row):
    kind: Literal["renewal", "promotion"]
    rule: str = Field(min_length=1, description="the business rule this case exercises")
    renewal_type: Literal["single", "with_device"] | None = None
    line: LineSpec = LineSpec()
    customer: CustomerSpec = CustomerSpec()
    promotion: PromotionSpec | None = None
    expected: EligibilityExpected

    @model_validator(mode="after")
    def _shape(self) -> EligibilityRow:
        if self.kind == "renewal" and self.renewal_type is None:
            raise ValueError("a renewal case needs renewal_type")
        if self.kind == "promotion" and self.promotion is None:
            raise ValueError("a promotion case needs promotion")
        codes = get_args(RenewalCode if self.kind == "renewal" else PromotionCode)
        wrong = [r for r in self.expected.reasons if r not in codes]
        if wrong:
            raise ValueError(f"reasons {wrong} are not {self.kind} reason codes")
        return self


# --- renewal journeys -------------------------------------------------------------------------

StepName = Literal[
    "query_customer",
    "select_phone",
    "select_device_type",
    "select_device_os",
    "select_device",
    "list_plans",
    "select_plan",
    "confirm",
    "submit",
]


class JourneyAnswer(BaseModel):
    """One staff answer; string values may reference the screen (`$plans[0]`, `$plans[:2]`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    step: StepName
    value: dict[str, Any] = {}


class ToolExpectation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tool: str
    args: dict[str, Any] = {}  # key arguments the call must carry (subset match)


class RenewalRow(Row):
    description: str = ""
    answers: list[JourneyAnswer] = Field(min_length=1)
    expected_steps: list[StepName] = Field(min_length=1)  # every wait, in order, repeats included
    expected_outcome: Literal["completed", "abandoned", "not_customer"] | None
    expected_errors: list[str] = []  # codes of refused answers, in order
    expected_tools: list[str] = Field(min_length=1)  # call order, consecutive repeats collapsed
    expected_tool_args: list[ToolExpectation] = []


# --- side chat --------------------------------------------------------------------------------

Mention = str | list[str]  # a list is "any of these"


class SideChatRow(Row):
    question: str = Field(min_length=1)
    language: Literal["zh-TW", "zh-CN", "en"]
    expected_tool: str | None  # None: the assistant should answer without a tool
    expected_args: dict[str, Any] = {}  # subset match; `$name` reads the workflow context
    must_mention: list[Mention] = []
    must_not_mention: list[str] = []
    note: str = ""


# --- answers (LLM-as-judge) -------------------------------------------------------------------


class AnswerRow(Row):
    question: str = Field(min_length=1)
    language: Literal["zh-TW", "en"]
    rubric: str = Field(min_length=10)  # what a good answer does, for the judge
