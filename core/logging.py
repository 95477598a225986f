"""Structured logging (structlog) with national IDs and credentials masked in every line.

JSON lines in production (`LOG_JSON=true`), readable console lines in development. Our own
structlog calls and every stdlib logger (uvicorn's error and access logs, httpx, openai, mcp,
litestar, ...) go through the same processors, so a line has one format, carries the request's
fields bound in `request_context()` and can never skip the masking. Uncaught exceptions and
`warnings` become log lines too, so nothing prints a bare traceback beside the JSON.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import TracebackType
from typing import Any

import structlog

from core.national_id import mask_in_text
from core.settings import Settings

MASK = "***"
# a field under one of these names never shows its value (any case, `-` or `_`)
SECRET_KEYS = frozenset(
    {"password", "new_password", "old_password", "current_password", "token", "access_token",
     "refresh_token", "authorization", "secret", "jwt_secret", "api_key", "openai_api_key",
     "azure_openai_api_key", "azure_search_key", "cookie", "set_cookie", "smtp_password"}
)  # fmt: skip
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
# `password=..` in a query string or form, `"password": ".."` in a JSON text, `token: ..`
_KEYED = re.compile(
    r"(?i)([\"']?\b(?:password|passwd|pwd|token|access_token|refresh_token|api[_-]?key|secret)"
    r"[\"']?\s*[=:]\s*[\"']?)([^\s&\"',;}]+)"
)


def mask_secrets_in_text(text: str) -> str:
    """JWTs, bearer credentials and `password=`/`token=` values replaced by `***`."""
    text = _JWT.sub(MASK, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    return _KEYED.sub(lambda m: m.group(1) + MASK, text)


def _is_secret_key(key: object) -> bool:
    return isinstance(key, str) and key.lower().replace("-", "_") in SECRET_KEYS


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_secrets_in_text(mask_in_text(value))
    if isinstance(value, dict):
        return {k: MASK if _is_secret_key(k) else _mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_mask_value(v) for v in value)
    return value


def mask_national_ids(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: no national ID, token or password leaves the process unmasked."""
    return {k: MASK if _is_secret_key(k) else _mask_value(v) for k, v in event_dict.items()}


mask_sensitive = mask_national_ids  # the same processor under the name of what it does now

# The current request's late-known fields (route, status, user): a callable, asked per line
_request_fields: ContextVar[Callable[[], Mapping[str, Any]] | None] = ContextVar(
    "sb_request_fields", default=None
)


def add_request_fields(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Inside a request: its route template, status, user and elapsed ms, as far as known when
    the line is written (a line's own fields win)."""
    provider = _request_fields.get()
    if provider is not None:
        for key, value in provider().items():
            if value is not None:
                event_dict.setdefault(key, value)
    return event_dict


def _stdlib_fields(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A stdlib record's logger name; uvicorn's access line also as fields."""
    record = event_dict.get("_record")
    if record is None:
        return event_dict
    event_dict["logger"] = record.name
    args = event_dict.pop("positional_args", ())
    if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
        client, method, path, _, status = args
        event_dict.update(client=client, method=method, path=path, status=status)
    return event_dict


class _Stderr:
    """Whatever sys.stderr is when a line is written (test runners swap it per test)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class _NamedPrintLogger(structlog.PrintLogger):
    """A print logger that knows the name it was asked for (`get_logger(name)`)."""

    def __init__(self, name: str) -> None:
        super().__init__(_Stderr())  # type: ignore[arg-type]
        self.name = name


def _named_logger(*args: Any) -> _NamedPrintLogger:
    return _NamedPrintLogger(str(args[0]) if args else "app")


def _logger_name(logger: Any, __: str, event_dict: MutableMapping[str, Any]) -> Any:
    """Our lines name their logger in `logger`, as the stdlib loggers' lines do."""
    name = getattr(logger, "name", None)
    if name and "logger" not in event_dict:
        event_dict["logger"] = name
    return event_dict


def _log_uncaught(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    logging.getLogger("uncaught").critical("uncaught_exception", exc_info=(kind, value, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        exc_info = (args.exc_type, args.exc_value, args.exc_traceback)
        logging.getLogger("uncaught").critical(
            "uncaught_exception_in_thread", exc_info=exc_info, extra={"thread": str(args.thread)}
        )


def configure_logging(settings: Settings) -> None:
    """Configure structlog and the stdlib root logger (idempotent; every process entry point)."""
    level = getattr(logging, settings.log_level)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        add_request_fields,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False, default=str)
        if settings.log_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    # masking after the traceback is rendered: an ID or a token in an exception is masked too
    last = [structlog.processors.format_exc_info, mask_national_ids, renderer]
    structlog.configure(
        processors=[*shared, _logger_name, *last],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_named_logger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(_Stderr())  # type: ignore[arg-type]
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, _stdlib_fields],
            pass_foreign_args=True,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *last],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi", "litestar"):
        logger = logging.getLogger(name)  # their own handlers print plain text
        logger.handlers.clear()
        logger.propagate = True
    logging.captureWarnings(True)  # `warnings.warn` → the `py.warnings` logger, one line
    if settings.log_json:  # a crash is one JSON line too, not a bare traceback
        sys.excepthook = _log_uncaught
        threading.excepthook = _log_uncaught_in_thread


@contextmanager
def request_context(
    request_id: str, fields: Callable[[], Mapping[str, Any]] | None = None
) -> Iterator[None]:
    """Every line logged inside (ours and libraries', uvicorn's access line) has `request_id`,
    plus what `fields()` returns when the line is written (route, status, user, latency)."""
    token = _request_fields.set(fields) if fields is not None else None
    try:
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            yield
    finally:
        if token is not None:
            _request_fields.reset(token)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A structlog logger whose lines name it in `logger`, as the stdlib loggers' lines do."""
    return structlog.get_logger(name)  # type: ignore[no-any-return]


def _mask_by_default() -> None:
    """A process that logs without calling `configure_logging` (a server imported in-process by
    a benchmark or a test, a one-off script) still masks: structlog's defaults plus the masking,
    with tracebacks rendered first so they are masked too. `configure_logging` replaces it."""
    if structlog.is_configured():
        return
    *steps, renderer = structlog.get_config()["processors"]
    masked: list[Any] = [structlog.processors.format_exc_info, mask_national_ids, renderer]
    structlog.configure(processors=[*steps, *masked])


_mask_by_default()
