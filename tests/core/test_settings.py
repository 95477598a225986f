"""Settings: documented, validated, and strict in production."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from core.settings import ROOT, Settings

LOAD = "from core.settings import load_settings; load_settings(); print('ok')"


def run_load(**env: str) -> subprocess.CompletedProcess[str]:
    """Load settings in a fresh process, away from any .env file."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "JWT_", "DEMO_"))}
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-c", LOAD], env={**clean, **env}, cwd="/",
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_env_example_documents_every_setting() -> None:
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))
    assert documented == {name.upper() for name in Settings.model_fields}


def test_env_example_parses_to_the_defaults() -> None:
    from_file = Settings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert from_file.redis_url == defaults.redis_url
    assert from_file.llm_prices == defaults.llm_prices
    assert from_file.checkpoint_ttl_seconds is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"APP_PORT": "eighty"}, "APP_PORT: Input should be a valid integer"),
        ({"LLM_PROVIDER": "gemini"}, "LLM_PROVIDER: Input should be 'offline', 'azure' or"),
        ({"APP_ENV": "production"}, "JWT_SECRET: production needs a secret of at least 32"),
        (
            {"APP_ENV": "production", "JWT_SECRET": "x" * 40},
            "DEMO_PASSWORD: production refuses the default password",
        ),
        ({"JWT_ACCESS_TTL_MINUTES": "600"}, "JWT_ACCESS_TTL_MINUTES"),
    ],
)
def test_bad_setting_exits_2_naming_the_variable(env: dict[str, str], message: str) -> None:
    result = run_load(**env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_production_starts_with_real_secrets() -> None:
    result = run_load(
        APP_ENV="production",
        JWT_SECRET="s" * 32,
        DEMO_PASSWORD="Str0ngDemoPass",
        METRICS_TOKEN="m" * 16,
    )
    assert result.returncode == 0, result.stderr


def test_production_refuses_an_unprotected_metrics_endpoint() -> None:
    result = run_load(APP_ENV="production", JWT_SECRET="s" * 32, DEMO_PASSWORD="Str0ngDemoPass")
    assert result.returncode == 2
    assert "METRICS_TOKEN" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("port", [8000, 8123])
def test_default_cors_origins_follow_the_port(port: int) -> None:
    settings = Settings(_env_file=ROOT / ".env.example", app_port=port)  # type: ignore[call-arg]
    assert settings.cors_allow_origins == [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]


def test_configured_cors_origins_are_kept() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, app_port=8123, cors_allow_origins=["https://shop.example"]
    )
    assert settings.cors_allow_origins == ["https://shop.example"]
