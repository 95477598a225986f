"""Small helpers for the ticket HTTP suites."""

from __future__ import annotations

from typing import Any

import httpx

BODY: dict[str, Any] = {
    "title": "帳單金額異常",
    "description": "客戶反映上月帳單多扣 200 元",
    "category": "technical",
    "priority": "high",
    "customer_id": "customer_001",
    "department": "technical",
}


def create(http: httpx.Client, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    response = http.post("/api/tickets", json={**BODY, **fields}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    data: dict[str, Any] = body["data"]
    return data


def refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The envelope of a refusal: its status and code, and the body for more checks."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is False and body["code"] == code, body
    return body


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data
