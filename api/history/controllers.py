"""`/api/history/*` (seed 004 P2 4.1) and `/api/reports/*` (4.2): agents and admins only.

Store staff get 403 (`customer_service` guard); customers' session tokens are not staff tokens
(401). The archive behind them is written as conversations happen (api/history/archive.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from litestar import Controller, Response, get
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from litestar.params import Parameter

from api.auth.controllers import BEARER
from api.auth.guards import customer_service
from api.auth.services import Principal
from api.errors import error_responses
from api.handoff.schemas import Status
from api.history.dependencies import HISTORY_DEPENDENCIES
from api.history.reports import ReportPeriod, to_csv
from api.history.schemas import (
    ConversationDetailResponse,
    ConversationPageResponse,
    ReportResponse,
)
from api.history.services import HistoryService

NAME = Parameter(pattern=r"^[A-Za-z0-9_.:-]{1,64}$", max_length=64)
DAY = Parameter(default=None, description="local (Asia/Taipei) day, default today")
SEARCH_NOTES = (
    "Filters combine (AND): `customer` (part of the nickname, or the exact session_name), "
    "`agent` (username: held the chat last or wrote in it), `tag` (tag id or name), `status`, "
    "`date_from`/`date_to` (local Asia/Taipei days, inclusive, on the start time), `q` (up to 5 "
    "words separated by spaces; each must occur in some message, case-insensitive, `%` and `_` "
    "literal). Newest first. 400 on a reversed or longer than 366-day range, bad page bounds."
)
REPORT_NOTES = (
    "Conversations, escalations by reason, takeover wait / service / resolution times "
    "(count, mean, p50, p95, max), ticket SLA compliance, AI quality and per-agent counts over "
    "local (Asia/Taipei) days. `format=csv`: UTF-8 with BOM, one `section,metric,value` line "
    "per number. Definitions: docs/history.md."
)


class HistoryController(Controller):
    path = "/api/history"
    tags = ("chat handoff",)  # type: ignore[assignment]
    guards = [customer_service]  # noqa: RUF012
    dependencies = HISTORY_DEPENDENCIES  # type: ignore[assignment]

    @get(
        "/conversations",
        security=BEARER,
        summary="Search archived conversations (customer, agent, tag, status, dates, words)",
        description=SEARCH_NOTES,
        responses=error_responses(400, 401, 403),
    )
    async def search(
        self,
        history: HistoryService,
        principal: Principal,
        customer: str | None = Parameter(default=None, min_length=1, max_length=64),
        agent: str | None = Parameter(default=None, min_length=1, max_length=32),
        tag: str | None = Parameter(default=None, min_length=1, max_length=40),
        status: Status | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        q: str | None = Parameter(default=None, min_length=1, max_length=200),
        page: int = Parameter(default=1, ge=1, le=10_000),
        page_size: int = Parameter(default=20, ge=1, le=100),
    ) -> ConversationPageResponse:
        found = await history.search(
            principal.tenant, customer=customer, agent=agent, tag=tag, status=status,
            date_from=date_from, date_to=date_to, q=q, page=page, page_size=page_size,
        )  # fmt: skip
        return ConversationPageResponse.model_validate({"data": found})

    @get(
        "/conversations/{session_name:str}",
        security=BEARER,
        summary="One archived conversation and its messages, oldest first",
        description="404 `CONVERSATION_NOT_FOUND` when nothing was archived under that name.",
        responses=error_responses(400, 401, 403, 404),
    )
    async def conversation(
        self,
        history: HistoryService,
        principal: Principal,
        session_name: str = NAME,
        page: int = Parameter(default=1, ge=1, le=10_000),
        page_size: int = Parameter(default=200, ge=1, le=500),
    ) -> ConversationDetailResponse:
        found = await history.conversation(principal.tenant, session_name, page, page_size)
        return ConversationDetailResponse.model_validate({"data": found})


async def _report(
    history: HistoryService, tenant: str, period: ReportPeriod, day: date | None, fmt: str
) -> Any:
    report = await history.report(tenant, period, day)
    if fmt == "csv":
        name = f"chat-report_{period}_{report['from']}_{report['to']}.csv"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(to_csv(report), media_type="text/csv", headers=headers)
    return ReportResponse(data=report)


@dataclass
class JsonOrCsvOperation(Operation):
    """OpenAPI of a report route: the 200 answer is JSON, or `text/csv` with `format=csv`."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse) and ok.content:
            text = Schema(type=OpenAPIType.STRING, description="UTF-8 CSV with a BOM")
            ok.content = {**ok.content, "text/csv": OpenAPIMediaType(schema=text)}


def _report_route(path: str, summary: str) -> Any:
    return get(
        path,
        security=BEARER,
        summary=summary,
        description=REPORT_NOTES,
        responses=error_responses(400, 401, 403),
        operation_class=JsonOrCsvOperation,
    )


Format = Literal["json", "csv"]


class ReportsController(Controller):
    path = "/api/reports"
    tags = ("chat handoff",)  # type: ignore[assignment]
    guards = [customer_service]  # noqa: RUF012
    dependencies = HISTORY_DEPENDENCIES  # type: ignore[assignment]

    @_report_route("/daily", "Chat report of one day (JSON, or CSV with format=csv)")
    async def daily(
        self,
        history: HistoryService,
        principal: Principal,
        date: date | None = DAY,
        format: Format = "json",
    ) -> ReportResponse:
        result: ReportResponse = await _report(history, principal.tenant, "daily", date, format)
        return result

    @_report_route("/weekly", "Chat report of the Monday-Sunday week around `date`")
    async def weekly(
        self,
        history: HistoryService,
        principal: Principal,
        date: date | None = DAY,
        format: Format = "json",
    ) -> ReportResponse:
        result: ReportResponse = await _report(history, principal.tenant, "weekly", date, format)
        return result

    @_report_route("/monthly", "Chat report of the calendar month of `date`")
    async def monthly(
        self,
        history: HistoryService,
        principal: Principal,
        date: date | None = DAY,
        format: Format = "json",
    ) -> ReportResponse:
        result: ReportResponse = await _report(history, principal.tenant, "monthly", date, format)
        return result
