"""Exceptions → seed 003's envelope `{"success": false, "error": "...", "code": "..."}`.

One place maps every failure to a status and a code; handlers never build error bodies.
Unexpected errors are logged with the request id (the client's `X-Request-ID` when it is sane,
else a new one; echoed on every response) and answered 500 without internals.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE
from litestar.types import Scope
from pydantic import BaseModel, Field

from core.errors import SwitchboardError
from core.logging import get_logger
from core.redis_clients import REDIS_DOWN, RETRY_AFTER_SECONDS, redis_down, redis_unavailable

log = get_logger(__name__)

_HTTP_CODES: dict[int, str] = {
    400: "INVALID_INPUT",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    HTTP_413_REQUEST_ENTITY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
    503: "SERVICE_UNAVAILABLE",
}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID_NAME = REQUEST_ID_HEADER.encode("latin-1")


def request_id_of(scope: Scope) -> str:
    """The request's id: the client's X-Request-ID if it is a plain token, else a new one."""
    state: dict[str, Any] = scope.setdefault("state", {})  # type: ignore[typeddict-item,assignment]
    found = state.get("request_id")
    if isinstance(found, str):
        return found
    given = ""
    for name, value in scope.get("headers", []):
        if name.lower() == _REQUEST_ID_NAME:
            given = value.decode("latin-1")
            break
    request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    state["request_id"] = request_id
    return request_id


def envelope(status: int, message: str, code: str, **extra: Any) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"success": False, "error": message, "code": code, **extra}
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="switchboard"'
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)


def _on_domain_error(_: Request[Any, Any, Any], exc: SwitchboardError) -> Response[Any]:
    extra = {"details": exc.details} if exc.details else {}
    response = envelope(exc.status, exc.message, exc.code, **extra)
    retry_after = exc.details.get("retry_after")
    if isinstance(retry_after, int):
        response.headers["Retry-After"] = str(retry_after)
    elif exc.status == 503:  # a dependency is down: say when to try again
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _on_redis_down(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Redis unreachable (after the client's one retry): 503, whichever route asked."""
    log.warning("redis_unavailable", path=request.url.path, error=type(exc).__name__)
    return _on_domain_error(request, redis_unavailable())


def _on_validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    fields = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            fields.append({"field": item.get("key"), "message": item.get("message")})
    named = ", ".join(f"{f['field']}: {f['message']}" for f in fields if f["field"])
    message = f"invalid request: {named}" if named else str(exc.detail or "invalid request")
    return envelope(422 if fields else 400, message, "VALIDATION_ERROR", fields=fields)


def on_http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    headers = exc.headers or {}
    response = envelope(exc.status_code, str(exc.detail), _HTTP_CODES.get(exc.status_code, "ERROR"))
    response.headers.update(headers)
    return response


def _on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if redis_down(exc):  # wrapped on its way up (a graph run, a task group)
        return _on_redis_down(request, exc)
    request_id = request_id_of(request.scope)
    log.error("unhandled_error", request_id=request_id, path=request.url.path, exc_info=exc)
    return envelope(500, "internal error", "INTERNAL_ERROR", request_id=request_id)


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    SwitchboardError: _on_domain_error,
    ValidationException: _on_validation_error,
    NotAuthorizedException: on_http_error,
    PermissionDeniedException: on_http_error,
    NotFoundException: on_http_error,
    HTTPException: on_http_error,
    **dict.fromkeys(REDIS_DOWN, _on_redis_down),
    Exception: _on_unexpected,
}


# --- OpenAPI: the envelope and the statuses each route can answer --------------------------------
class ErrorBody(BaseModel):
    """Every error: a human message, a machine code, and sometimes details or field errors."""

    success: bool = Field(False, examples=[False])
    error: str = Field(examples=["the session is waiting at select_phone, not select_plan"])
    code: str = Field(examples=["WRONG_STEP"])
    details: dict[str, Any] | None = Field(None, examples=[{"current_step": "select_phone"}])


_ERROR_EXAMPLES: dict[int, tuple[str, str, str]] = {
    400: ("Refused input", "INVALID_INPUT", "id_number: 身分證字號檢查碼錯誤"),
    401: ("No valid token", "UNAUTHORIZED", "missing bearer token"),
    403: ("Wrong role or not your session", "FORBIDDEN", "role agent may not use this route"),
    404: ("Unknown session", "NOT_FOUND", "renewal session renewal_2_0123456789ab not found"),
    409: ("Wrong step or a run in progress", "WRONG_STEP", "the session is waiting at ..."),
    410: ("Session expired", "SESSION_EXPIRED", "the renewal session expired after 1 hour idle"),
    413: ("Body too large", "PAYLOAD_TOO_LARGE", "Request Entity Too Large"),
    422: ("Body failed validation", "VALIDATION_ERROR", "invalid request: device_type: ..."),
    423: ("Account locked", "ACCOUNT_LOCKED", "too many failed logins, account locked"),
    429: ("Too many requests", "RATE_LIMITED", "slow down"),
    503: ("A dependency is down", "SERVICE_UNAVAILABLE", "MCP server crm unavailable"),
}


def error_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """`responses=` for a route: the envelope with an example for each listed status."""
    specs = {}
    for status in statuses:
        summary, code, message = _ERROR_EXAMPLES[status]
        example = {"success": False, "error": message, "code": code}
        specs[status] = ResponseSpec(
            data_container=ErrorBody,
            generate_examples=False,
            description=summary,
            examples=[Example(summary=summary, value=example)],
        )
    return specs
