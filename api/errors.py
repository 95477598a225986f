"""Exceptions → seed 003's envelope `{"success": false, "error": "...", "code": "..."}`.

One place maps every failure to a status and a code; handlers never build error bodies.
Unexpected errors are logged with the request id and answered 500 without internals.
"""

from __future__ import annotations

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
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE

from core.errors import SwitchboardError
from core.logging import get_logger

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


def envelope(status: int, message: str, code: str, **extra: Any) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"success": False, "error": message, "code": code, **extra}
    return Response(body, status_code=status, media_type=MediaType.JSON)


def _on_domain_error(_: Request[Any, Any, Any], exc: SwitchboardError) -> Response[Any]:
    extra = {"details": exc.details} if exc.details else {}
    return envelope(exc.status, exc.message, exc.code, **extra)


def _on_validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    fields = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            fields.append({"field": item.get("key"), "message": item.get("message")})
    named = ", ".join(f"{f['field']}: {f['message']}" for f in fields if f["field"])
    message = f"invalid request: {named}" if named else str(exc.detail or "invalid request")
    return envelope(422 if fields else 400, message, "VALIDATION_ERROR", fields=fields)


def _on_http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    headers = exc.headers or {}
    response = envelope(exc.status_code, str(exc.detail), _HTTP_CODES.get(exc.status_code, "ERROR"))
    response.headers.update(headers)
    return response


def _on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    log.error("unhandled_error", request_id=request_id, path=request.url.path, exc_info=exc)
    return envelope(500, "internal error", "INTERNAL_ERROR", request_id=request_id)


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    SwitchboardError: _on_domain_error,
    ValidationException: _on_validation_error,
    NotAuthorizedException: _on_http_error,
    PermissionDeniedException: _on_http_error,
    NotFoundException: _on_http_error,
    HTTPException: _on_http_error,
    Exception: _on_unexpected,
}
