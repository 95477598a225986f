"""Masking rules for log lines: credentials and national IDs never reach a log, whatever field
or text they hide in; ordinary words that merely resemble them stay readable."""

from __future__ import annotations

from typing import Any

import pytest

from core.logging import mask_national_ids, mask_secrets_in_text

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwidHlwZSI6ImFjY2VzcyJ9.c2lnbmF0dXJlLWJ5dGVz"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"GET /api/agent/stream?token={JWT} 200", "GET /api/agent/stream?token=*** 200"),
        (f"Authorization: Bearer {JWT}", "Authorization: Bearer ***"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic ***"),
        (f"token issued: {JWT}", "token issued: ***"),
        ('{"employee_code": "E1001", "password": "Demo1234"}',
         '{"employee_code": "E1001", "password": "***"}'),
        ("login?user=E1&password=Demo1234&next=/", "login?user=E1&password=***&next=/"),
        ("api_key=sk-abc123 and api-key: sk-def456", "api_key=*** and api-key: ***"),
        ("prompt_tokens: 512, token_count=3", "prompt_tokens: 512, token_count=3"),
        ("the password was rejected", "the password was rejected"),
        ("Bearer", "Bearer"),
    ],
)  # fmt: skip
def test_secrets_in_text_are_masked(text: str, masked: str) -> None:
    assert mask_secrets_in_text(text) == masked


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"password": "Demo1234"}, {"password": "***"}),
        ({"Authorization": f"Bearer {JWT}"}, {"Authorization": "***"}),
        ({"headers": {"authorization": "x", "accept": "json"}},
         {"headers": {"authorization": "***", "accept": "json"}}),
        ({"refresh_token": JWT, "user_id": 7}, {"refresh_token": "***", "user_id": 7}),
        ({"args": ["A123456789", {"smtp_password": "s"}]},
         {"args": ["A12****789", {"smtp_password": "***"}]}),
        ({"event": f"customer A123456789 sent {JWT}"}, {"event": "customer A12****789 sent ***"}),
        ({"tokens": 42, "status": 401}, {"tokens": 42, "status": 401}),
    ],
)  # fmt: skip
def test_fields_of_a_line_are_masked_by_name_and_by_content(
    fields: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert mask_national_ids(None, "info", fields) == expected
