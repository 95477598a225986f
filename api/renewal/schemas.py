"""Bodies of the renewal routes: `session_id` plus the waiting step's own input model.

The step inputs come from `graphs.renewal.steps`, so the API, Studio and the graph validate the
same fields; a bad body is refused (422, naming the field) before the graph is touched.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from graphs.renewal.steps import (
    ConfirmInput,
    ListPlansInput,
    QueryCustomerInput,
    SelectDeviceInput,
    SelectDeviceOsInput,
    SelectDeviceTypeInput,
    SelectPhoneInput,
    SubmitInput,
)

SESSION_ID_PATTERN = r"^renewal_[A-Za-z0-9]{1,32}_[0-9a-f]{12}$"
# StringConstraints (not Field(pattern=...)): Litestar copies only these into the OpenAPI schema.
SessionId = Annotated[
    str,
    StringConstraints(pattern=SESSION_ID_PATTERN, max_length=64),
    Field(description="from `start`", examples=["renewal_2_0123456789ab"]),
]
PlanId = Annotated[
    str, StringConstraints(pattern=r"^P[0-9]{3,}$", max_length=16), Field(examples=["P012"])
]
BackTarget = Literal[
    "select_phone", "select_device_type", "select_device_os", "select_device", "select_plan"
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StartRequest(_Body):
    store_id: Annotated[str, StringConstraints(pattern=r"^S[0-9]{3}$")] | None = Field(
        None,
        description="admins only: the store the session is for (staff always use their own)",
        examples=["S001"],
    )


class SessionRequest(_Body):
    session_id: SessionId


class QueryCustomerRequest(QueryCustomerInput):
    session_id: SessionId


class SelectPhoneRequest(SelectPhoneInput):
    session_id: SessionId


class SelectDeviceTypeRequest(SelectDeviceTypeInput):
    session_id: SessionId


class SelectDeviceOsRequest(SelectDeviceOsInput):
    session_id: SessionId


class SelectDeviceRequest(SelectDeviceInput):
    session_id: SessionId


class ListPlansRequest(ListPlansInput):
    session_id: SessionId


class SelectPlanRequest(_Body):
    session_id: SessionId
    plan_id: PlanId


class CompareRequest(_Body):
    session_id: SessionId
    compare: list[PlanId] = Field(min_length=2, max_length=5, examples=[["P012", "P013"]])


class ConfirmRequest(ConfirmInput):
    session_id: SessionId


class SubmitRequest(SubmitInput):
    session_id: SessionId


class BackRequest(_Body):
    session_id: SessionId
    to: BackTarget = Field(description="an earlier step this session passed through")


class AbandonRequest(_Body):
    session_id: SessionId
    reason: str | None = Field(None, max_length=200, examples=["customer will think it over"])


def _document_patterns(*models: type[BaseModel]) -> None:
    """Show the step inputs' `Field(pattern=...)` in the OpenAPI schema too (Litestar reads
    patterns only from StringConstraints, but does apply `json_schema_extra`).

    Fields whose pattern is a StringConstraints (`SessionId`) are left alone: Litestar documents
    those itself, and it writes a field's examples into a `json_schema_extra` dict it finds, then
    reads them back the next time: each `create_app()` in a process listed them once more."""
    for model in models:
        for info in model.model_fields.values():
            if any(isinstance(m, StringConstraints) for m in info.metadata):
                continue
            pattern = next((m.pattern for m in info.metadata if getattr(m, "pattern", None)), None)
            if pattern and not callable(info.json_schema_extra):
                info.json_schema_extra = {**(info.json_schema_extra or {}), "pattern": pattern}


_document_patterns(SelectPhoneRequest, SelectDeviceRequest)


def answer_of(body: BaseModel) -> dict[str, Any]:
    """The resume value for the graph: the body without `session_id` and unset options."""
    return body.model_dump(mode="json", exclude={"session_id"}, exclude_none=True)


# --- responses -----------------------------------------------------------------------------------
class SessionView(BaseModel):
    """Where a session stands: the waiting step's payload (what to show, what it accepts, where
    one may go back to, the last refusal) or, once finished, the outcome."""

    session_id: str = Field(examples=["renewal_2_0123456789ab"])
    staff_id: str | None = Field(examples=["2"])
    store_id: str | None = Field(examples=["S001"])
    current_step: str | None = Field(
        description="the step waiting for an answer; null when finished",
        examples=["select_phone"],
    )
    waiting: dict[str, Any] | None = Field(
        description="interrupt payload: step, step_number, title, instruction, input_schema, "
        "back_to, show (cards), error",
        examples=[{"step": "select_phone", "step_number": 4, "back_to": [], "show": {}}],
    )
    outcome: str | None = Field(examples=[None, "completed", "abandoned", "not_customer"])
    notice: str | None = Field(examples=[None])
    selections: dict[str, Any] = Field(default_factory=dict)


class SessionResponse(BaseModel):
    success: bool = True
    data: SessionView


class PhonesData(BaseModel):
    session_id: str
    current_step: str = Field(examples=["select_phone"])
    customer: dict[str, Any] | None = Field(
        examples=[{"customer_id": "C123456", "name": "王大明", "id_number": "A12****789"}]
    )
    phones: list[dict[str, Any]] = Field(description="cards: contract, usage and billing per line")


class PhonesResponse(BaseModel):
    success: bool = True
    data: PhonesData


# --- history -------------------------------------------------------------------------------------
HistoryOutcome = Literal["completed", "abandoned", "in_progress"]


class HistoryItem(BaseModel):
    """One past (or running) application; `application_form` is set once it was submitted."""

    session_id: str = Field(examples=["renewal_2_0123456789ab"])
    record_id: int = Field(examples=[42])
    staff_id: int = Field(examples=[2])
    staff_name: str | None = Field(examples=["王小明"])
    store_id: str = Field(examples=["S001"])
    outcome: HistoryOutcome
    sale_confirmed: bool
    customer_name: str | None = Field(examples=["王大明"])
    customer_id_masked: str | None = Field(examples=["A12****789"])
    phone_number: str | None = Field(examples=["0912345678"])
    renewal_type: str | None = Field(examples=["with_device"])
    plan: dict[str, Any] | None = Field(
        examples=[{"plan_id": "P012", "name": "5G 精選 999", "monthly_fee": 999}]
    )
    device: dict[str, Any] | None = Field(
        examples=[{"device_id": "D001", "brand": "Apple", "model": "iPhone 16", "color": "黑"}]
    )
    current_step: str | None = Field(examples=["completed"])
    started_at: str | None = Field(description="ISO 8601, UTC")
    completed_at: str | None = Field(description="ISO 8601, UTC; set when submitted or abandoned")
    application_form: str | None = Field(
        examples=["/api/renewal-workflow/session/renewal_2_0123456789ab/application-form"]
    )


class HistoryPage(BaseModel):
    items: list[HistoryItem]
    total: int = Field(examples=[1])
    page: int = Field(examples=[1])
    page_size: int = Field(examples=[20])
    total_pages: int = Field(examples=[1])
    start: str = Field(description="first local (Asia/Taipei) day listed", examples=["2026-11-01"])
    end: str = Field(description="last local day listed", examples=["2026-11-30"])


class HistoryResponse(BaseModel):
    success: bool = True
    data: HistoryPage
