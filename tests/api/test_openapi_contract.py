"""The published contract matches the server: refused CORS preflights in the envelope, closed
request bodies, nested constraints, and the 400/422 envelopes on every route that validates.

All against the real server over HTTP; tests/api/test_schemathesis.py fuzzes the same contract.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.conftest import HttpJourney
from tests.api_http import ApiServer

ENVELOPE_REF = "#/components/schemas/ErrorBody"
PREFLIGHT = {"Access-Control-Request-Method": "POST"}


@pytest.fixture(scope="module")
def openapi(http: httpx.Client) -> dict[str, Any]:
    document: dict[str, Any] = http.get("/schema/openapi.json").json()
    return document


def operations(openapi: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in ("get", "put", "post", "delete", "patch")
    }


def test_a_refused_preflight_answers_the_envelope(
    http: httpx.Client, api_server: ApiServer
) -> None:
    own = api_server.url  # allowed by default: the service's own origin
    foreign = http.options(
        "/api/auth/login", headers={"Origin": "https://evil.example", **PREFLIGHT}
    )
    assert foreign.status_code == 403
    assert foreign.headers["content-type"].startswith("application/json")
    body = foreign.json()
    assert body["success"] is False and body["code"] == "CORS_ORIGIN_REFUSED"
    assert "https://evil.example" in body["error"]
    assert "access-control-allow-origin" not in foreign.headers
    assert foreign.headers["x-request-id"] and foreign.headers["x-content-type-options"]

    odd = {"Origin": own, "Access-Control-Request-Headers": "X-Odd", **PREFLIGHT}
    odd_header = http.options("/api/auth/login", headers=odd)
    assert odd_header.status_code == 403
    assert odd_header.json()["code"] == "CORS_PREFLIGHT_REFUSED"
    assert "headers" in odd_header.json()["error"]

    allowed = http.options("/api/auth/login", headers={"Origin": own, **PREFLIGHT})
    assert allowed.status_code == 204 and allowed.headers["access-control-allow-origin"] == own


def test_request_bodies_are_closed_as_the_server_refuses_extras(
    http: httpx.Client, openapi: dict[str, Any]
) -> None:
    extra = http.post(
        "/api/auth/login", json={"employee_code": "E1001", "password": "x", "remember": True}
    )
    assert extra.status_code == 422 and extra.json()["fields"][0]["field"] == "remember"
    schemas = openapi["components"]["schemas"]
    bodies = {}
    for name, operation in operations(openapi).items():
        for media in operation.get("requestBody", {}).get("content", {}).values():
            schema = media["schema"]  # `T | None` bodies: oneOf [$ref, null]
            ref = next(s["$ref"] for s in [schema, *schema.get("oneOf", [])] if "$ref" in s)
            bodies[name] = ref.rsplit("/", 1)[-1]
    assert "POST /api/auth/login" in bodies and "POST /api/manual/escalate" in bodies
    # Every body model of this API refuses unknown fields (their `_Body` bases): all closed.
    assert {
        name: model for name, model in bodies.items()
        if schemas[model].get("additionalProperties") is not False
    } == {}  # fmt: skip


def test_nested_constraints_are_published(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    compare = schemas["CompareRequest"]["properties"]["compare"]
    assert compare["items"]["pattern"] == r"^P[0-9]{3,}$"  # the server refuses "" with 422
    agent_id = schemas["ManualMessageRequest"]["properties"]["agent_id"]["oneOf"]
    assert {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}.items() <= agent_id[0].items()
    assert agent_id[1]["pattern"] == r"^[A-Za-z0-9_.-]{1,32}$"
    # Account updates: a field may be omitted but not null (422), except email (clears it).
    update = schemas["AgentUpdate"]["properties"]
    assert update["name"]["type"] == "string" and update["role"]["type"] == "string"
    assert update["max_sessions"] == {"type": "integer", "minimum": 0, "maximum": 100,
                                      "examples": [5]}  # fmt: skip
    assert {"type": "null"} in update["email"]["oneOf"]


def _envelope(response: dict[str, Any]) -> bool:
    return any(m["schema"].get("$ref") == ENVELOPE_REF for m in response["content"].values())


def test_validation_errors_are_documented_in_the_envelope(
    http: httpx.Client, tokens: dict[str, str], openapi: dict[str, Any]
) -> None:
    ops = operations(openapi)
    for name in (
        "GET /api/statistics/daily-stats",
        "GET /api/statistics/store-rankings",
        "GET /api/statistics/staff-list",
        "GET /api/statistics/export",
        "GET /api/sessions/{session_name}",
        "GET /api/sessions/{session_name}/stream",
    ):
        assert _envelope(ops[name]["responses"]["422"]), name
    # Wherever Litestar validates input, 400 and 422 are the envelope (not Litestar's body).
    for name, operation in ops.items():
        if operation.get("parameters") or operation.get("requestBody"):
            responses = operation["responses"]
            assert _envelope(responses["400"]) and _envelope(responses["422"]), name
    # URL parameters as the server reads text: an optional string is absent, never null
    # ("null" is the string, which the pattern refuses); a flag is also 0 or 1.
    store_id = next(
        p for p in ops["GET /api/statistics/daily-stats"]["parameters"] if p["name"] == "store_id"
    )
    assert store_id["schema"]["type"] == "string" and "oneOf" not in store_id["schema"]
    stats = ops["GET /api/sessions/stats"]["parameters"]
    refresh = next(p for p in stats if p["name"] == "refresh")
    assert {"type": "integer", "enum": [0, 1]} in refresh["schema"]["oneOf"]

    agent = {"Authorization": f"Bearer {tokens['agent']}"}
    refused = http.get("/api/sessions/%C2%A2", headers=agent)
    assert refused.status_code == 422 and refused.json()["code"] == "VALIDATION_ERROR"
    assert http.get("/api/sessions/stats?refresh=0", headers=agent).status_code == 200
    manager = {"Authorization": f"Bearer {tokens['manager']}"}
    refused = http.get("/api/statistics/daily-stats", params={"store_id": "x"}, headers=manager)
    assert refused.status_code == 422 and refused.json()["fields"][0]["field"] == "store_id"


ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"  # digits to Python's and pydantic's \d, not to the published [0-9]


def _foreign(text: str) -> str:
    return "".join(ARABIC_INDIC[int(c)] if c.isascii() and c.isdigit() else c for c in text)


@pytest.mark.parametrize(
    ("step", "body"),
    [
        ("step/select-phone", {"phone_number": "0912345678"}),
        ("step/select-plan", {"plan_id": "P029"}),
        ("step/select-device", {"device_id": "D003", "color": "黑色"}),
    ],
)
def test_ids_spelled_with_other_digits_are_refused_as_published(
    http: httpx.Client, tokens: dict[str, str], step: str, body: dict[str, str]
) -> None:
    journey = HttpJourney(http, tokens["sales"])
    journey.start()
    foreign = {k: _foreign(v) for k, v in body.items()}
    answer = journey.post(step, **foreign)
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "VALIDATION_ERROR"


def test_a_store_spelled_with_other_digits_is_refused(
    http: httpx.Client, tokens: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    answer = http.get("/api/users", params={"store_id": _foreign("S001")}, headers=headers)
    assert answer.status_code in (400, 422), answer.text
    assert answer.json()["success"] is False
