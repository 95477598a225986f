"""Every Prometheus metric of the service, defined once (docs/metrics.md lists them).

Graphs, tools and API code import what they count from here, so an instrumentation point is one
line where the work happens. Labels are small closed sets: route *templates* (never raw paths or
ids), tool and step names from our own code, error codes, escalation reasons and usage types
folded into `other` when unknown. With several uvicorn workers the client's multiprocess mode
(`PROMETHEUS_MULTIPROC_DIR`, set by `python -m api`) adds counters and histograms up across
workers; gauges say how (`multiprocess_mode`): `livesum` adds the live workers' values,
`livemin` reports the worst one. Values read at scrape time from Redis and the database
(conversations by status, the queue, Redis up) are built by `api/metrics/snapshot.py`.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable, Collection, Coroutine, Mapping
from decimal import Decimal
from typing import Any, Final, ParamSpec, Protocol, TypeVar

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

P = ParamSpec("P")
T = TypeVar("T")
OTHER: Final = "other"
disable_created_metrics()  # no `_created` series: one worker's would differ from the merged view

# --- HTTP ------------------------------------------------------------------------------------
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
HTTP_REQUESTS = Counter(
    "switchboard_http_requests_total",
    "HTTP requests answered, by route template, method and status code",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "switchboard_http_request_duration_seconds",
    "Time to the whole answer (event streams: to the response headers), by route template",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
HTTP_ERRORS = Counter(
    "switchboard_http_errors_total",
    "Error answers (status >= 400) by route template, status and the envelope's code",
    ["route", "status", "code"],
)
SSE_STREAMS = Gauge(
    "switchboard_sse_streams_active",
    "Server-Sent Events streams open now (all workers)",
    multiprocess_mode="livesum",
)
OVERLOAD_REFUSALS = Counter(
    "switchboard_overload_refusals_total",
    "Requests refused with 503 OVERLOADED: the worker had MAX_IN_FLIGHT requests in flight",
)

# --- chat handoff ------------------------------------------------------------------------------
ESCALATION_REASONS: Final = frozenset(
    {"user_request", "keyword", "ai_failure", "sentiment", "vip", "manual_request"}
)
ESCALATIONS = Counter(
    "switchboard_escalations_total",
    "Chat sessions moved to the agents' queue (pending_manual), by escalation reason",
    ["reason"],
)
TAKEOVERS = Counter("switchboard_takeovers_total", "Escalated chats claimed by an agent")
TAKEOVER_WAIT = Histogram(
    "switchboard_takeover_wait_seconds",
    "Time from an escalation to an agent's claim",
    buckets=(5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600),
)

# --- renewal -----------------------------------------------------------------------------------
RENEWAL_STEPS = Counter(
    "switchboard_renewal_steps_total",
    "Renewal steps answered, by step and result (ok or the refusal's error code)",
    ["step", "result"],
)
RENEWAL_STEP_LATENCY = Histogram(
    "switchboard_renewal_step_duration_seconds",
    "Time a renewal step took (graph run included)",
    ["step"],
    buckets=LATENCY_BUCKETS,
)
RENEWAL_OUTCOMES = Counter(
    "switchboard_renewal_outcomes_total",
    "Renewal sessions a step ended, by outcome (completed, abandoned, not_customer)",
    ["outcome"],
)

# --- back-office MCP servers -------------------------------------------------------------------
MCP_CALLS = Counter(
    "switchboard_mcp_tool_calls_total",
    "Back-office tool calls made through McpToolbox.call, by tool and outcome",
    ["tool", "outcome"],  # outcome: ok | refused (the tool answered an error) | unavailable
)
MCP_LATENCY = Histogram(
    "switchboard_mcp_tool_call_duration_seconds",
    "Back-office tool call time (restarts and the one resend included), by tool",
    ["tool"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
MCP_SERVER_UP = Gauge(
    "switchboard_mcp_server_up",
    "1 while the session to a back-office server is open (the worst worker's view)",
    ["server"],
    multiprocess_mode="livemin",
)
MCP_RESTARTS = Counter(
    "switchboard_mcp_server_restarts_total",
    "Back-office server sessions replaced after the server died, by server and how",
    ["server", "how"],  # how: restart | standby
)

# --- chat model -------------------------------------------------------------------------------
USAGE_TYPES: Final = frozenset(
    {"free_chat", "comparison", "recommendation", "report", "escalation_summary", "customer_chat"}
)
LLM_CALLS = Counter(
    "switchboard_llm_calls_total",
    "Chat-model calls, by usage type, answering model and whether the fallback answered",
    ["usage_type", "model", "fallback"],
)
LLM_TOKENS = Counter(
    "switchboard_llm_tokens_total", "Tokens used, by model and kind", ["model", "kind"]
)
LLM_COST = Counter("switchboard_llm_cost_usd_total", "Chat-model cost in USD, by model", ["model"])
LLM_LATENCY = Histogram(
    "switchboard_llm_call_duration_seconds",
    "Chat-model call time, by usage type",
    ["usage_type"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0),
)
LLM_FALLBACKS = Counter(
    "switchboard_llm_fallbacks_total",
    "Chat-model calls answered by the offline model instead of the configured one",
    ["reason"],
)

# --- storage -----------------------------------------------------------------------------------
CHECKPOINT_LATENCY = Histogram(
    "switchboard_checkpoint_operation_duration_seconds",
    "LangGraph checkpoint saver operations on Redis, by operation",
    ["operation"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
REDIS_ERRORS = Counter(
    "switchboard_redis_errors_total",
    "Redis unreachable: requests answered 503 and checkpoint operations failed, by component",
    ["component"],  # request | checkpoint
)
DB_ERRORS = Counter(
    "switchboard_db_errors_total",
    "Database statements that failed, by kind (disconnect, operational, integrity, other)",
    ["kind"],
)
DB_IN_USE = Gauge(
    "switchboard_db_connections_in_use",
    "Database connections checked out of the pools now (all workers)",
    multiprocess_mode="livesum",
)
DB_POOL_SIZE = Gauge(
    "switchboard_db_pool_capacity",
    "Connections the pools may hand out (size + overflow, all workers)",
    multiprocess_mode="livesum",
)

for _component in ("request", "checkpoint"):  # zero samples: an alert's rate() has a start
    REDIS_ERRORS.labels(_component)
for _kind in ("disconnect", "operational"):
    DB_ERRORS.labels(_kind)


def bounded(value: object, known: Collection[str]) -> str:
    """`value` when it is one of `known`, else `other`: labels never carry caller text."""
    text = str(value)
    return text if text in known else OTHER


# --- one-line helpers for the instrumented code --------------------------------------------


async def counted_step(step: str, work: Awaitable[Mapping[str, Any]]) -> dict[str, Any]:
    """Await a renewal step's `work`; count it (and the session's outcome when it ended)."""
    started = time.perf_counter()
    try:
        view = dict(await work)
    except Exception as exc:
        RENEWAL_STEPS.labels(step, str(getattr(exc, "code", None) or "INTERNAL_ERROR")).inc()
        raise
    RENEWAL_STEP_LATENCY.labels(step).observe(time.perf_counter() - started)
    RENEWAL_STEPS.labels(step, "ok").inc()
    renewal_ended(view)
    return view


def renewal_ended(view: Mapping[str, Any]) -> None:
    """Count a session's outcome when `view` is its final one."""
    outcome = view.get("outcome")
    if outcome and view.get("current_step") is None:
        RENEWAL_OUTCOMES.labels(bounded(outcome, ("completed", "abandoned", "not_customer"))).inc()


def session_event(event: Mapping[str, Any]) -> None:
    """A supervision graph event on its way out: escalations into the queue are counted."""
    if event.get("type") == "status_change" and event.get("status") == "pending_manual":
        ESCALATIONS.labels(bounded(event.get("reason"), ESCALATION_REASONS)).inc()


def takeover_claimed(before: Mapping[str, Any], now: float) -> None:
    """An agent claimed a session that `before` showed escalated: its wait from the trigger."""
    TAKEOVERS.inc()
    trigger = (before.get("escalation") or {}).get("trigger_at")
    if before.get("status") == "pending_manual" and trigger is not None:
        TAKEOVER_WAIT.observe(max(0.0, now - float(trigger)))


class UsageLike(Protocol):
    """What the usage recorder knows of a call (`tools.llm.usage.UsageRecord`)."""

    @property
    def usage_type(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def prompt_tokens(self) -> int: ...
    @property
    def completion_tokens(self) -> int: ...
    @property
    def cost(self) -> Decimal: ...
    @property
    def latency_ms(self) -> int: ...
    @property
    def is_fallback(self) -> bool: ...


def llm_call(record: UsageLike) -> None:
    """One chat-model call as the usage recorder saw it."""
    kind = bounded(record.usage_type, USAGE_TYPES)
    LLM_CALLS.labels(kind, record.model, "true" if record.is_fallback else "false").inc()
    LLM_TOKENS.labels(record.model, "prompt").inc(record.prompt_tokens)
    LLM_TOKENS.labels(record.model, "completion").inc(record.completion_tokens)
    LLM_COST.labels(record.model).inc(float(record.cost))
    LLM_LATENCY.labels(kind).observe(record.latency_ms / 1000)


def timed_checkpoint(
    operation: str,
) -> Callable[[Callable[P, Coroutine[Any, Any, T]]], Callable[P, Coroutine[Any, Any, T]]]:
    """Decorator for a saver's async operation: its latency, success or failure."""
    child = CHECKPOINT_LATENCY.labels(operation)

    def wrap(fn: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, Coroutine[Any, Any, T]]:
        @functools.wraps(fn)
        async def timed(*args: P.args, **kwargs: P.kwargs) -> T:
            started = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                child.observe(time.perf_counter() - started)

        return timed

    return wrap


def db_error_kind(error: BaseException, *, is_disconnect: bool) -> str:
    """A failed statement's label (the class of the driver's error, never its text)."""
    if is_disconnect:
        return "disconnect"
    names = {cls.__name__ for cls in type(error).__mro__}
    if "IntegrityError" in names:
        return "integrity"
    if "OperationalError" in names or "InterfaceError" in names:
        return "operational"
    return OTHER


def watch_engine(sync_engine: Any) -> None:
    """Count a SQLAlchemy engine's failed statements and its pool's connections in use."""
    from sqlalchemy import event

    def failed(context: Any) -> None:
        error = context.original_exception
        DB_ERRORS.labels(db_error_kind(error, is_disconnect=context.is_disconnect)).inc()

    event.listen(sync_engine, "handle_error", failed)
    pool = sync_engine.pool
    size = getattr(pool, "size", None)
    if callable(size):
        DB_POOL_SIZE.inc(int(size()) + max(0, int(getattr(pool, "_max_overflow", 0))))
        event.listen(pool, "checkout", lambda *_: DB_IN_USE.inc())
        event.listen(pool, "checkin", lambda *_: DB_IN_USE.dec())


def renewal_step_streamed(step: str, view: Mapping[str, Any]) -> None:
    """A streamed renewal step (plans, comparison) that reached its result."""
    RENEWAL_STEPS.labels(step, "ok").inc()
    renewal_ended(view)
