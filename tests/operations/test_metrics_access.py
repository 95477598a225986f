"""Who may read /metrics: the rule's table, the settings that refuse an open endpoint in
production, and the error code an envelope carries into the error counter."""

from __future__ import annotations

import pytest

from api.metrics.access import verdict
from api.metrics.middleware import error_code
from core.settings import Settings

TOKEN = "s3cret-metrics-token"
LOOPBACK = ("127.0.0.0/8", "::1/128")


@pytest.mark.parametrize(
    ("client", "authorization", "token", "networks", "expected"),
    [
        ("127.0.0.1", None, None, LOOPBACK, (True, 200, "")),
        ("::1", None, None, LOOPBACK, (True, 200, "")),
        ("::ffff:127.0.0.1", None, None, LOOPBACK, (True, 200, "")),
        ("10.1.2.3", None, None, LOOPBACK, (False, 403, "METRICS_FORBIDDEN")),
        ("10.1.2.3", None, None, ("10.0.0.0/8",), (True, 200, "")),
        ("10.1.2.3", f"Bearer {TOKEN}", None, LOOPBACK, (False, 403, "METRICS_FORBIDDEN")),
        ("10.1.2.3", f"Bearer {TOKEN}", TOKEN, LOOPBACK, (True, 200, "")),
        ("10.1.2.3", f"bearer {TOKEN}", TOKEN, (), (True, 200, "")),
        ("10.1.2.3", None, TOKEN, LOOPBACK, (False, 401, "METRICS_TOKEN_REQUIRED")),
        ("10.1.2.3", "Bearer nope", TOKEN, LOOPBACK, (False, 401, "METRICS_TOKEN_INVALID")),
        ("127.0.0.1", "Bearer nope", TOKEN, LOOPBACK, (False, 401, "METRICS_TOKEN_INVALID")),
        ("10.1.2.3", f"Basic {TOKEN}", TOKEN, LOOPBACK, (False, 401, "METRICS_TOKEN_REQUIRED")),
        (None, None, None, LOOPBACK, (False, 403, "METRICS_FORBIDDEN")),
        ("testclient", None, None, LOOPBACK, (False, 403, "METRICS_FORBIDDEN")),
        ("127.0.0.1", None, None, (), (False, 403, "METRICS_FORBIDDEN")),
    ],
)
def test_access_rule(
    client: str | None,
    authorization: str | None,
    token: str | None,
    networks: tuple[str, ...],
    expected: tuple[bool, int, str],
) -> None:
    got = verdict(client, authorization, token=token, networks=networks)
    assert (got.allowed, got.status, got.code) == expected


PRODUCTION = {"app_env": "production", "jwt_secret": "j" * 40, "demo_password": "Str0ngPass!"}


@pytest.mark.parametrize(
    ("overrides", "networks", "refusal"),
    [
        ({}, None, "METRICS_TOKEN: production needs /metrics protected"),
        ({"metrics_allowed_networks": ["0.0.0.0/0"]}, None, "production refuses every address"),
        ({"metrics_allowed_networks": ["::/0"]}, None, "production refuses every address"),
        ({"metrics_token": TOKEN}, [], None),
        ({"metrics_allowed_networks": ["10.0.0.0/8"]}, ["10.0.0.0/8"], None),
        ({"metrics_allowed_networks": [], "metrics_token": TOKEN}, [], None),
    ],
)
def test_production_refuses_an_unprotected_endpoint(
    overrides: dict[str, object], networks: list[str] | None, refusal: str | None
) -> None:
    kwargs = {"_env_file": None, **PRODUCTION, **overrides}
    if refusal is not None:
        with pytest.raises(ValueError, match=refusal):
            Settings(**kwargs)  # type: ignore[arg-type]
    else:
        assert Settings(**kwargs).metrics_networks == networks  # type: ignore[arg-type]


def test_development_defaults_to_loopback_and_checks_networks() -> None:
    assert Settings(_env_file=None).metrics_networks == list(LOOPBACK)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="METRICS_ALLOWED_NETWORKS: 'ten' is not a network"):
        Settings(_env_file=None, metrics_allowed_networks=["ten"])  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="at least 16 characters"):
        Settings(_env_file=None, metrics_token="short")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            b'{"success": false, "error": "x", "code": "MANUAL_IN_PROGRESS"}',
            409,
            "MANUAL_IN_PROGRESS",
        ),
        (b'{"success": false, "error": "x", "code": "free text from somewhere"}', 400, "HTTP_400"),
        (b'{"code": 7}', 400, "HTTP_400"),
        (b"[1, 2]", 400, "HTTP_400"),
        (b"not json", 502, "HTTP_502"),
        (b"", 500, "HTTP_500"),
        (b'{"code": "' + b"A" * 60 + b'"}', 400, "HTTP_400"),
    ],
)
def test_error_code_label_is_bounded(body: bytes, status: int, code: str) -> None:
    assert error_code(body, status) == code
