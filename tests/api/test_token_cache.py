"""Verified tokens are cached per process (a click no longer re-verifies the same JWT), but a
cached token still expires on time and a tampered one is never taken for it."""

from __future__ import annotations

import time

import pytest

from api.auth.tokens import Subject, TokenCodec
from core.errors import Unauthorized
from core.settings import Settings

SECRET = "test-secret-for-the-token-cache-0123456789"


def codec() -> TokenCodec:
    return TokenCodec(Settings(_env_file=None, jwt_secret=SECRET))  # type: ignore[call-arg]


def test_a_cached_token_still_expires_on_time() -> None:
    tokens = codec()
    subject = Subject(7, "sales", "S001", 0, "t1")
    ttl = tokens.access_ttl
    token = tokens.access(subject, "sid", now=int(time.time()) - ttl + 1)  # 1 s left
    assert tokens.decode(token, "access").sub == 7
    assert tokens.decode(token, "access").sub == 7  # from the cache
    time.sleep(1.2)
    with pytest.raises(Unauthorized) as expired:
        tokens.decode(token, "access")
    assert expired.value.code == "TOKEN_EXPIRED"


def test_a_cached_token_is_not_taken_for_another_type_or_a_tampered_copy() -> None:
    tokens = codec()
    token = tokens.access(Subject(7, "sales", "S001", 0, "t1"), "sid")
    assert tokens.decode(token, "access").type == "access"
    with pytest.raises(Unauthorized):
        tokens.decode(token, "refresh")
    with pytest.raises(Unauthorized):
        tokens.decode(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1], "access")
