"""The waiting steps of the renewal flow, what each accepts, and where staff may go back to.

Every staff decision is an `interrupt()` whose payload names its step, its input schema and what
to show, so the API, LangGraph Studio and tests read the same document. A resume value is either
the step's input or a navigation action (`{"action": "back", "to": ...}` / `{"action":
"abandon"}`); anything else is refused and the graph keeps waiting at the same step.
"""

from __future__ import annotations

import functools
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import InvalidInput


class Step(StrEnum):
    QUERY_CUSTOMER = "query_customer"
    SELECT_PHONE = "select_phone"
    SELECT_DEVICE_TYPE = "select_device_type"
    SELECT_DEVICE_OS = "select_device_os"
    SELECT_DEVICE = "select_device"
    LIST_PLANS = "list_plans"
    SELECT_PLAN = "select_plan"
    CONFIRM = "confirm"
    SUBMIT = "submit"


# (seed step number, zh-TW title, what the staff do)
STEP_INFO: dict[Step, tuple[int, str, str]] = {
    Step.QUERY_CUSTOMER: (1, "查詢客戶", "輸入客戶身分證字號"),
    Step.SELECT_PHONE: (4, "選擇門號", "選擇要續約的門號（顯示合約、用量、帳單）"),
    Step.SELECT_DEVICE_TYPE: (5, "選擇裝置類型", "不選裝置為單純續約；或選手機、平板、穿戴裝置"),
    Step.SELECT_DEVICE_OS: (6, "選擇作業系統", "Android 或 iOS"),
    Step.SELECT_DEVICE: (7, "選擇裝置與顏色", "推薦機種已標示，庫存為本門市"),
    Step.LIST_PLANS: (8, "查詢可選方案", "檢索促銷並逐一檢查資格"),
    Step.SELECT_PLAN: (8, "選擇方案", "選擇方案，或選 2-5 個方案比較"),
    Step.CONFIRM: (10, "確認申辦內容", "確認客戶、門號、裝置、方案與費用"),
    Step.SUBMIT: (10, "送出申辦", "預留裝置並建立續約紀錄"),
}


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class QueryCustomerInput(_Input):
    id_number: str = Field(min_length=10, max_length=10, description="身分證字號，例如 A123456789")


class SelectPhoneInput(_Input):
    phone_number: str = Field(pattern=r"^09[0-9]{8}$", description="門號，例如 0912345678")


class SelectDeviceTypeInput(_Input):
    device_type: Literal["none", "smartphone", "tablet", "wearable"]


class SelectDeviceOsInput(_Input):
    os_type: Literal["android", "ios"]


class SelectDeviceInput(_Input):
    device_id: str = Field(pattern=r"^D[0-9]{3,}$")
    color: str = Field(min_length=1, max_length=20)


class ListPlansInput(_Input):
    query: str | None = Field(None, max_length=200, description="可選：額外的搜尋需求")


class SelectPlanInput(_Input):
    plan_id: str | None = Field(None, pattern=r"^P[0-9]{3,}$", description="選定的方案")
    compare: list[str] | None = Field(None, min_length=2, max_length=5, description="要比較的方案")


class ConfirmInput(_Input):
    confirmed: Literal[True] = True


class SubmitInput(_Input):
    submit: Literal[True] = True


INPUTS: dict[Step, type[_Input]] = {
    Step.QUERY_CUSTOMER: QueryCustomerInput,
    Step.SELECT_PHONE: SelectPhoneInput,
    Step.SELECT_DEVICE_TYPE: SelectDeviceTypeInput,
    Step.SELECT_DEVICE_OS: SelectDeviceOsInput,
    Step.SELECT_DEVICE: SelectDeviceInput,
    Step.LIST_PLANS: ListPlansInput,
    Step.SELECT_PLAN: SelectPlanInput,
    Step.CONFIRM: ConfirmInput,
    Step.SUBMIT: SubmitInput,
}

# What each step decides (state fields), in flow order: going back to a step clears what it
# and every later step chose.
CHOSEN_AT: tuple[tuple[Step, tuple[str, ...]], ...] = (
    (Step.SELECT_PHONE, ("selected_phone", "eligibility")),
    (Step.SELECT_DEVICE_TYPE, ("renewal_type", "device_type")),
    (Step.SELECT_DEVICE_OS, ("device_os", "device_options")),
    (Step.SELECT_DEVICE, ("selected_device",)),
    (Step.LIST_PLANS, ("candidate_plans", "plan_checks", "qualified_plans", "comparison")),
    (Step.SELECT_PLAN, ("selected_plan", "summary")),
)
# Steps staff can return to, in flow order.
BACK_TARGETS: tuple[Step, ...] = (
    Step.SELECT_PHONE,
    Step.SELECT_DEVICE_TYPE,
    Step.SELECT_DEVICE_OS,
    Step.SELECT_DEVICE,
    Step.SELECT_PLAN,
)
_ORDER = [step for step, _ in CHOSEN_AT]
CLEARS: dict[Step, tuple[str, ...]] = {
    target: tuple(f for _, fields in CHOSEN_AT[_ORDER.index(target) :] for f in fields)
    for target in BACK_TARGETS
}


class Back(_Input):
    action: Literal["back"]
    to: Step


class Abandon(_Input):
    action: Literal["abandon"]
    reason: str | None = Field(None, max_length=200)


Navigation = Back | Abandon


def back_targets(visited: list[str], waiting: Step) -> list[Step]:
    """Earlier decision steps this session has passed through (no forward jumps)."""
    order = list(Step)
    return [s for s in BACK_TARGETS if s.value in visited and order.index(s) < order.index(waiting)]


def parse_answer(step: Step, value: Any, visited: list[str]) -> _Input | Back | Abandon:
    """Validate a resume value for `step`; raises InvalidInput naming the field."""
    if not isinstance(value, dict):
        raise InvalidInput(f"{step.value}: expected a JSON object")
    try:
        if value.get("action") == "abandon":
            return Abandon.model_validate(value)
        if value.get("action") == "back":
            back = Back.model_validate(value)
            if back.to not in back_targets(visited, step):
                allowed = ", ".join(s.value for s in back_targets(visited, step)) or "none"
                raise InvalidInput(
                    f"cannot go back from {step.value} to {back.to.value} (allowed: {allowed})"
                )
            return back
        answer = INPUTS[step].model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or step.value
        raise InvalidInput(f"{field}: {first['msg']}", field=field) from None
    if isinstance(answer, SelectPlanInput) and (answer.plan_id is None) == (answer.compare is None):
        raise InvalidInput("select_plan: give either plan_id or compare", field="plan_id")
    return answer


@functools.cache
def input_schema(step: Step) -> dict[str, Any]:
    """The step's answer schema; generated once, since pydantic rebuilds it on every call (it
    was a tenth of a step's CPU)."""
    return INPUTS[step].model_json_schema()


def prompt(
    step: Step,
    visited: list[str],
    show: dict[str, Any],
    error: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The interrupt payload: JSON only, readable in Studio, renderable by any client."""
    number, title, instruction = STEP_INFO[step]
    return {
        "step": step.value,
        "step_number": number,
        "title": title,
        "instruction": instruction,
        "input_schema": input_schema(step),
        "back_to": [s.value for s in back_targets(visited, step)],
        "show": show,
        "error": error,
    }
