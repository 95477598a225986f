"""Structured logging (structlog) with national IDs masked in every line.

JSON lines in production (`LOG_JSON=true`), readable console lines in development. Masking is a
processor, so no call site can forget it.
"""

from __future__ import annotations

import logging
import sys
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


class _MaskingFilter(logging.Filter):
    """The same rule for stdlib loggers (uvicorn, libraries)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_in_text(str(record.msg))
        if record.args:
            record.args = tuple(_mask_value(a) for a in record.args)  # type: ignore[arg-type]
        return True


class _Stderr:
    """Whatever sys.stderr is when a line is written (test runners swap it per test)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(settings: Settings) -> None:
    level = getattr(logging, settings.log_level)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        mask_national_ids,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if settings.log_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(_Stderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(_Stderr())  # type: ignore[arg-type]
    handler.addFilter(_MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
