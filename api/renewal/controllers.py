"""`/api/renewal-workflow/*` (seed 000 §3.2.4, §7.2): one route per waiting step of the graph.

Each step route checks its body, then resumes the graph's interrupt through `RenewalService`
and answers `{"success": true, "data": <session view>}` with the next waiting step. Step 8 and
the comparison stream their progress as SSE (`api.sse`). Store roles only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api.auth.controllers import BEARER
from api.auth.guards import store_staff
from api.auth.services import Principal
from api.errors import error_responses
from api.renewal.dependencies import RENEWAL_DEPENDENCIES
from api.renewal.forms import ApplicationForms
from api.renewal.history import RenewalHistory
from api.renewal.schemas import (
    SESSION_ID_PATTERN,
    AbandonRequest,
    BackRequest,
    CompareRequest,
    ConfirmRequest,
    HistoryOutcome,
    HistoryPage,
    HistoryResponse,
    ListPlansRequest,
    PhonesResponse,
    QueryCustomerRequest,
    SelectDeviceOsRequest,
    SelectDeviceRequest,
    SelectDeviceTypeRequest,
    SelectPhoneRequest,
    SelectPlanRequest,
    SessionRequest,
    SessionResponse,
    SessionView,
    StartRequest,
    SubmitRequest,
    answer_of,
)
from api.renewal.services import RenewalService
from api.sse import EventStreamResponse, SseOperation, sse_response
from graphs.renewal.steps import Step

STEP_ERRORS = error_responses(400, 401, 403, 404, 409, 410, 422, 503)
SSE_DESCRIPTION = (
    "`text/event-stream`. Events: `progress` `{type, stage, status, ...}` (seed 000 §4.2 stages: "
    "query_contract, check_basic_eligibility, search_promotions, check_promotion_eligibility "
    "with status qualified/disqualified, summary), `message` `{type, content}` (comparison "
    "narrative tokens), `complete` `{type, success, data: <session view>}`, then `done`; on "
    "failure one `error` event `{type, success: false, error, code}` ends the stream. Each event "
    "has an `id:`; `: ping` comments keep idle connections open."
)


def _ok(view: dict[str, Any]) -> SessionResponse:
    return SessionResponse(data=SessionView.model_validate(view))


def _step(path: str, summary: str) -> Any:
    """A step POST: 200 (not Litestar's 201), bearer auth, the error statuses it can answer."""
    return post(path, status_code=200, summary=summary, security=BEARER, responses=STEP_ERRORS)


def _sse_step(path: str, summary: str) -> Any:
    return post(
        path,
        status_code=200,
        summary=summary,
        description=SSE_DESCRIPTION,
        media_type="text/event-stream",
        security=BEARER,
        responses=STEP_ERRORS,
        response_description="Server-Sent Events stream",
        operation_class=SseOperation,
    )


class RenewalController(Controller):
    path = "/api/renewal-workflow"
    tags = ("renewal workflow",)  # type: ignore[assignment]
    guards = [store_staff]  # noqa: RUF012
    dependencies = RENEWAL_DEPENDENCIES  # type: ignore[assignment]

    @post(
        "/start",
        status_code=201,
        summary="Start a renewal session (waits at step 1, query_customer)",
        security=BEARER,
        responses=error_responses(400, 401, 403, 422, 503),
    )
    async def start(
        self, renewal: RenewalService, principal: Principal, data: StartRequest | None = None
    ) -> SessionResponse:
        store_id = data.store_id if data is not None else None
        return _ok(await renewal.start(principal, store_id))

    @get(
        "/session/{session_id:str}",
        summary="Where a session stands",
        security=BEARER,
        responses=error_responses(401, 403, 404, 410, 422),
    )
    async def session(
        self,
        renewal: RenewalService,
        principal: Principal,
        session_id: str = Parameter(pattern=SESSION_ID_PATTERN, max_length=64),
    ) -> SessionResponse:
        return _ok(await renewal.view(principal, session_id))

    @get(
        "/history",
        summary="Past applications (sales: own; manager: store; admin: all), paged",
        description="Filters: `start`/`end` local (Asia/Taipei) days of the session's start "
        "(default the last 30 days; a start after the end selects no day), `outcome`, "
        "`store_id` (admins). Newest first. A submitted item links its printable "
        "`application_form`.",
        security=BEARER,
        responses=error_responses(401, 403, 422),
    )
    async def history(
        self,
        history: RenewalHistory,
        principal: Principal,
        start: date | None = Parameter(default=None, description="first local day"),
        end: date | None = Parameter(default=None, description="last local day (default today)"),
        outcome: HistoryOutcome | None = None,
        store_id: str | None = Parameter(default=None, pattern=r"^S[0-9]{3}$"),
        page: int = Parameter(default=1, ge=1, le=100_000),
        page_size: int = Parameter(default=20, ge=1, le=100),
    ) -> HistoryResponse:
        listed = await history.page(
            principal,
            start=start,
            end=end,
            outcome=outcome,
            store_id=store_id,
            page=page,
            page_size=page_size,
        )
        return HistoryResponse(data=HistoryPage.model_validate(listed))

    @get(
        "/session/{session_id:str}/application-form",
        summary="Printable application form of a submitted renewal (HTML)",
        description="A self-contained `text/html` page to print and sign: store, staff, "
        "customer (national ID masked), line, device and reservation, plan and costs. "
        "409 NOT_SUBMITTED until the renewal is submitted.",
        media_type="text/html",
        security=BEARER,
        responses=error_responses(401, 403, 404, 409, 422),
    )
    async def application_form(
        self,
        forms: ApplicationForms,
        principal: Principal,
        session_id: str = Parameter(pattern=SESSION_ID_PATTERN, max_length=64),
    ) -> Response[str]:
        page = await forms.render(principal, session_id)
        return Response(page, media_type="text/html")  # Litestar adds "; charset=utf-8"

    @_step("/step/query-customer", "Step 1: query the customer by national ID")
    async def query_customer(
        self, data: QueryCustomerRequest, renewal: RenewalService, principal: Principal
    ) -> SessionResponse:
        view = await renewal.answer(
            principal, data.session_id, Step.QUERY_CUSTOMER, answer_of(data)
        )
        return _ok(view)

    @post(
        "/step/list-phones",
        status_code=200,
        summary="Steps 2-3: the customer's line cards (contract, usage, billing)",
        security=BEARER,
        responses=error_responses(401, 403, 404, 409, 410, 422),
    )
    async def list_phones(
        self, data: SessionRequest, renewal: RenewalService, principal: Principal
    ) -> PhonesResponse:
        return PhonesResponse.model_validate(
            {"data": await renewal.phones(principal, data.session_id)}
        )

    @_step("/step/select-phone", "Step 4: pick the line; eligibility is checked")
    async def select_phone(
        self, data: SelectPhoneRequest, renewal: RenewalService, principal: Principal
    ) -> SessionResponse:
        view = await renewal.answer(principal, data.session_id, Step.SELECT_PHONE, answer_of(data))
        return _ok(view)

    @_step("/step/select-device-type", "Step 5: no device (plain renewal) or a device type")
    async def select_device_type(
        self, data: SelectDeviceTypeRequest, renewal: RenewalService, principal: Principal
    ) -> SessionResponse:
        step = Step.SELECT_DEVICE_TYPE
        return _ok(await renewal.answer(principal, data.session_id, step, answer_of(data)))

    @_step("/step/select-device-os", "Step 6: Android or iOS")
    async def select_device_os(
        self, data: SelectDeviceOsRequest, renewal: RenewalService, principal: Principal
    ) -> SessionResponse:
        step = Step.SELECT_DEVICE_OS
        return _ok(await renewal.answer(principal, data.session_id, step, answer_of(data)))

    @_step("/step/select-device", "Step 7: device and colour (store stock is checked)")
    async def select_device(
        self, data: SelectDeviceRequest, renewal: RenewalService, principal: Principal
    ) -> SessionResponse:
        step = Step.SELECT_DEVICE
        return _ok(await renewal.answer(principal, data.session_id, step, answer_of(data)))

    @_sse_step("/step/list-plans", "Step 8: search promotions and check each (SSE progress)")
    async def list_plans(
        self,
        request: Request[Any, Any, Any],
        data: ListPlansRequest,
        renewal: RenewalService,
        principal: Principal,
    ) -> EventStreamResponse:
        step = Step.LIST_PLANS
        events, held = await renewal.stream(principal, data.session_id, step, answer_of(data))
        return sse_response(request, lambda: events, cleanup=held.release)

    @_step("/step/select-plan", "Step 9: choose the plan")
    async def select_plan(
        self, data: SelectPlanRequest, renewal: RenewalService, principal: Principal
    ) -> SessionResponse:
        step = Step.SELECT_PLAN
        return _ok(await renewal.answer(principal, data.session_id, step, answer_of(data)))

    @_sse_step("/step/compare", "Step 9: compare 2-5 plans (SSE: narrative tokens, then view)")
    async def compare(
        self,
        request: Request[Any, Any, Any],
        data: CompareRequest,
        renewal: RenewalService,
        principal: Principal,
    ) -> EventStreamResponse:
        step = Step.SELECT_PLAN
        events, held = await renewal.stream(principal, data.session_id, step, answer_of(data))
        return sse_response(request, lambda: events, cleanup=held.release)

    @_step("/step/confirm", "Step 10: confirm the summary (customer, line, device, plan, costs)")
    async def confirm(
        self, data: ConfirmRequest, renewal: RenewalService, principal: Principal
    ) -> SessionResponse:
        view = await renewal.answer(principal, data.session_id, Step.CONFIRM, answer_of(data))
        return _ok(view)

    @_step("/submit", "Submit: reserve the device and record the renewal")
    async def submit(
        self, data: SubmitRequest, renewal: RenewalService, principal: Principal
    ) -> SessionResponse:
        view = await renewal.answer(principal, data.session_id, Step.SUBMIT, answer_of(data))
        return _ok(view)

    @_step("/step/back", "Go back to an earlier step (later choices are cleared)")
    async def back(
        self, data: BackRequest, renewal: RenewalService, principal: Principal
    ) -> SessionResponse:
        action = {"action": "back", "to": data.to}
        return _ok(await renewal.navigate(principal, data.session_id, action))

    @_step("/abandon", "Abandon the session (recorded with the reason)")
    async def abandon(
        self, data: AbandonRequest, renewal: RenewalService, principal: Principal
    ) -> SessionResponse:
        action: dict[str, Any] = {"action": "abandon"}
        if data.reason:
            action["reason"] = data.reason
        return _ok(await renewal.navigate(principal, data.session_id, action))
