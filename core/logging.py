"""Structured logging (structlog) with national IDs masked in every line.

JSON lines in production (`LOG_JSON=true`), readable console lines in development. Our own
structlog calls and every stdlib logger (uvicorn's error and access logs, httpx, openai, mcp, ...)
go through the same processors, so a line has one format, carries the request id bound in
`request_context()` and can never skip the masking.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import structlog

from core.national_id import mask_in_text
from core.settings import Settings


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_in_text(value)
    if isinstance(value, dict):
        return {k: _mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_mask_value(v) for v in value)
    return value


def mask_national_ids(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: no national ID leaves the process unmasked."""
    return {k: _mask_value(v) for k, v in event_dict.items()}


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


def configure_logging(settings: Settings) -> None:
    """Configure structlog and the stdlib root logger (idempotent; every process entry point)."""
    level = getattr(logging, settings.log_level)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if settings.log_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    # masking after the traceback is rendered: an ID in an exception message is masked too
    last = [structlog.processors.format_exc_info, mask_national_ids, renderer]
    structlog.configure(
        processors=[*shared, *last],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(_Stderr()),  # type: ignore[arg-type]
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
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        logger = logging.getLogger(name)  # uvicorn's own handlers print plain text
        logger.handlers.clear()
        logger.propagate = True


@contextmanager
def request_context(request_id: str) -> Iterator[None]:
    """Every line logged inside (ours and libraries', uvicorn's access line) has `request_id`."""
    with structlog.contextvars.bound_contextvars(request_id=request_id):
        yield


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
