"""The Litestar app factory: domains are assembled here and nowhere else."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.config.cors import CORSConfig
from litestar.datastructures import Headers, State
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme, Tag
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.accounts.controllers import AgentAccountsController, StaffAccountsController
from api.auth.controllers import AgentController, AuthController
from api.auth.dependencies import install_auth
from api.auth.guards import DOCS_PATHS, CallerTenant, JwtAuthMiddleware
from api.auto_replies.controllers import AutoReplyRulesController
from api.chat.controllers import ChatController
from api.chat.dependencies import install_chat
from api.docs.plugin import CONTENT_SECURITY_POLICY, OfflineSwaggerPlugin, docs_assets_router
from api.docs.schema import (
    ClosedBodiesSchemaPlugin,
    parameters_as_read,
    paths_in_source_order,
    validation_errors_documented,
)
from api.errors import EXCEPTION_HANDLERS, REQUEST_ID_HEADER, envelope, request_id_of
from api.handoff.controllers import ManualController, SessionsController
from api.handoff.dependencies import install_handoff
from api.handoff.workbench import AgentStreamController, ShiftController
from api.health.controllers import HealthController
from api.history.controllers import HistoryController, ReportsController
from api.history.dependencies import install_history
from api.knowledge.controllers import KnowledgeController
from api.metrics.controller import metrics
from api.metrics.middleware import HttpMetrics
from api.metrics.multiprocess import worker_exits
from api.overload import InFlightLimit
from api.quick_replies.controllers import QuickRepliesController
from api.renewal.chat import SideChatController
from api.renewal.controllers import RenewalController
from api.renewal.dependencies import install_renewal
from api.request_context import RequestLogContext
from api.runtime import lifespan
from api.statistics.controllers import StatisticsController
from api.tags.controllers import SessionTagsController, TagsController
from api.tenants.controllers import CurrentTenantController, TenantsController
from api.tickets.controllers import SessionTicketController, TicketsController
from api.web.static import (
    web_asset,
    web_embed_script,
    web_index,
    web_or_not_found,
    web_widget,
    web_widget_path,
)
from core.logging import configure_logging
from core.settings import Settings, get_settings

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}


_REQUEST_ID_RAW = REQUEST_ID_HEADER.encode("latin-1")
_CSP_RAW = b"content-security-policy"
_SECURITY_RAW = [
    (name.lower().encode("latin-1"), value.encode("latin-1"))
    for name, value in SECURITY_HEADERS.items()
]


async def _stamp_headers(message: Message, scope: Scope) -> None:
    """Every response: the request id (echoed or new, replacing any other) and the security
    headers the response does not set itself.

    On the raw header list, each name lowered once: `MutableScopeHeaders` decoded and lowered
    every header for each of its seven lookups, a fifth of a `GET /health`'s CPU in our layers
    (issue 24, seventh pass)."""
    if message["type"] != "http.response.start":
        return
    raw = list(message.get("headers") or ())
    names = [name.lower() for name, _ in raw]
    policy = next((v for n, (_, v) in zip(names, raw, strict=True) if n == _CSP_RAW), b"")
    frameable = _frameable(policy.decode("latin-1"))
    if _REQUEST_ID_RAW in names:
        raw = [pair for pair, name in zip(raw, names, strict=True) if name != _REQUEST_ID_RAW]
    raw.append((_REQUEST_ID_RAW, request_id_of(scope).encode("latin-1")))
    for name, value in _SECURITY_RAW:
        if name not in names and not (frameable and name == b"x-frame-options"):
            raw.append((name, value))
    message["headers"] = raw


def _frameable(policy: str) -> bool:
    """A response's own CSP that lets some pages frame it (the chat widget's page): no
    `X-Frame-Options: DENY` beside it, which would refuse every frame. Others keep DENY."""
    return "frame-ancestors" in policy and "frame-ancestors 'none'" not in policy


class RefusedPreflightEnvelope:
    """A refused CORS preflight answers the seed envelope, not Litestar's `400 text/plain`.

    Litestar's CORS layer (the outermost one) answers every `OPTIONS` with an `Origin` itself:
    204, or 400 "Disallowed CORS Origin/method/headers". This wraps it and turns that 400 into
    403 (the server understood the request and refuses it, as browsers' CORS checks and most
    CORS layers read it): `CORS_ORIGIN_REFUSED` for an origin not in CORS_ALLOW_ORIGINS,
    `CORS_PREFLIGHT_REFUSED` for a method or header not allowed. Litestar keeps the decision.
    """

    def __init__(self, app: ASGIApp, config: CORSConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and scope["method"] == "OPTIONS":  # headers: preflights
            origin = Headers.from_scope(scope).get("origin", "")
            if origin:
                send = self._refusing(origin, scope, receive, send)
        await self.app(scope, receive, send)

    def _refusing(self, origin: str, scope: Scope, receive: Receive, send: Send) -> Send:
        refused = False
        told = bytearray()

        async def refuse_in_envelope(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start" and message["status"] == 400:
                refused = True
            elif refused and message["type"] == "http.response.body":
                told.extend(message.get("body", b""))
                if not message.get("more_body"):
                    response = self._refusal(origin, told.decode(errors="replace"))
                    asgi = response.to_asgi_response(app=None, request=Request(scope, receive))
                    await asgi(scope, receive, send)
            else:
                await send(message)

        return refuse_in_envelope

    def _refusal(self, origin: str, told: str) -> Response[Any]:
        if not self.config.is_origin_allowed(origin):
            message, code = f"origin {origin[:100]} may not call this API", "CORS_ORIGIN_REFUSED"
        else:
            message, code = f"CORS preflight refused: {told[:200]}", "CORS_PREFLIGHT_REFUSED"
        response = envelope(403, message, code)
        response.headers["Vary"] = "Origin"
        return response


def _finish_openapi(app: Litestar) -> None:
    """Built once at startup (the served document is cached from it), then corrected."""
    parameters_as_read(app.openapi_schema)
    validation_errors_documented(app.openapi_schema)
    paths_in_source_order(app)


@get("/docs", include_in_schema=False, exclude_from_auth=True)
async def docs_redirect() -> Response[None]:
    return Response(None, status_code=307, headers={"Location": "/schema"})


def openapi_config(settings: Settings) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Switchboard API",
        version="0.1.0",
        description="Guided contract renewals for store staff (a LangGraph interrupt per "
        "decision), store statistics, and the website chat: AI answers under supervision, "
        "escalation to human agents, realtime SSE streams. Errors: "
        '`{"success": false, "error": "...", "code": "..."}`. See docs/api.md.',
        path="/schema",
        render_plugins=[OfflineSwaggerPlugin(path="/")],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="access token from /api/auth/login or /api/agent/login",
                )
            }
        ),
        tags=[
            Tag(name="auth", description="Store staff login, tokens and password"),
            Tag(name="agent auth", description="Seed 003 agent login and profile"),
            Tag(name="renewal workflow", description="The 10-step renewal (seed 000 §7.2)"),
            Tag(name="customer chat", description="Website customers: sessions and chat turns"),
            Tag(name="chat handoff", description="Seed 003: escalation, agents, streams, stats"),
            Tag(name="statistics", description="Store statistics (seed 000 §3.4, §7.3)"),
            Tag(name="user admin", description="Admins: agent and store staff accounts"),
            Tag(name="tickets", description="Seed 003 v2.9: tickets with SLA"),
            Tag(name="quick replies", description="Seed 003 v3.0: agents' quick replies"),
            Tag(name="tags", description="Seed 003 v3.0: conversation tags"),
            Tag(name="auto replies", description="Seed 003 v3.0: auto-reply rules"),
            Tag(name="knowledge", description="Issue 21: knowledge base, documents, search"),
            Tag(
                name="tenants", description="Seed 002: tenants (platform admin) and the own tenant"
            ),
            Tag(name="health", description="Liveness and readiness"),
        ],
        use_handler_docstrings=False,
    )


def create_app(
    settings: Settings | None = None, *, sse_heartbeat_seconds: float | None = None
) -> Litestar:
    settings = settings or get_settings()
    configure_logging(settings)
    state: dict[str, Any] = {
        "sse_heartbeat_seconds": sse_heartbeat_seconds or settings.sse_heartbeat_seconds,
        "widget_embed_origins": settings.widget_embed_origins,
    }
    cors = CORSConfig(
        allow_origins=settings.cors_allow_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "X-Request-ID",
            "Last-Event-ID",
            "X-Site-Key",
        ],
        expose_headers=["X-Request-ID", "Retry-After"],
    )
    app = Litestar(
        route_handlers=[
            HealthController,
            AuthController,
            AgentController,
            RenewalController,
            SideChatController,
            ChatController,
            ManualController,
            SessionsController,
            ShiftController,
            AgentStreamController,
            StatisticsController,
            AgentAccountsController,
            StaffAccountsController,
            HistoryController,
            ReportsController,
            TicketsController,
            SessionTicketController,
            QuickRepliesController,
            TagsController,
            SessionTagsController,
            AutoReplyRulesController,
            KnowledgeController,
            CurrentTenantController,
            TenantsController,
            docs_assets_router,
            docs_redirect,
            metrics,
            web_index,
            web_asset,
            web_widget,
            web_widget_path,
            web_embed_script,
        ],
        lifespan=[lifespan(settings)],
        on_startup=[
            install_auth,
            install_renewal,
            install_chat,
            install_handoff,
            install_history,
            _finish_openapi,
        ],
        middleware=[CallerTenant, DefineMiddleware(JwtAuthMiddleware, exclude=DOCS_PATHS)],
        on_shutdown=[worker_exits],
        before_send=[_stamp_headers],
        exception_handlers={**EXCEPTION_HANDLERS, NotFoundException: web_or_not_found},
        cors_config=cors,
        request_max_body_size=settings.max_request_body_bytes,
        openapi_config=openapi_config(settings),
        plugins=[ClosedBodiesSchemaPlugin()],
        state=State(state),
        debug=False,
        logging_config=None,  # ours (core/logging.py): Litestar's would replace the root handler
    )
    app.asgi_handler = RefusedPreflightEnvelope(app.asgi_handler, cors)
    app.asgi_handler = InFlightLimit(  # past the bound: 503 before auth or routing
        app.asgi_handler, settings.max_in_flight, settings.overload_queue_ms
    )
    app.asgi_handler = HttpMetrics(app.asgi_handler)  # switchboard_http_*, by route template
    app.asgi_handler = RequestLogContext(app.asgi_handler)  # request id in every log line
    return app
