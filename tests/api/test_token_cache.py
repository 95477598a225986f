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


def test_the_signed_tenant_is_read_from_our_tokens_only_expired_or_not() -> None:
    tokens = codec()
    now = int(time.time())
    fresh = tokens.access(Subject(7, "agent", None, 0, "harbor"), "sid")
    expired = tokens.access(Subject(7, "agent", None, 0, "harbor"), "sid", now=now - 86_400)
    untenanted = tokens.access(Subject(8, "sales", "S001", 0, None), "sid")
    foreign = TokenCodec(Settings(_env_file=None, jwt_secret="x" * 40))  # type: ignore[call-arg]
    forged = foreign.access(Subject(7, "agent", None, 0, "harbor"), "sid")
    assert tokens.signed_tenant(fresh) == "harbor"
    assert tokens.signed_tenant(fresh) == "harbor"  # the verified cache's answer
    assert tokens.signed_tenant(expired) == "harbor"  # authentication refuses it later
    assert tokens.signed_tenant(untenanted) == ""
    assert tokens.signed_tenant(forged) is None
    assert tokens.signed_tenant("not.a.token") is None
