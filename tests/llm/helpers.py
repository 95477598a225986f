"""Helpers shared by the chat-model tests: settings from code only, fallback counter reads."""

from __future__ import annotations

from typing import Any

from prometheus_client import REGISTRY

from core.settings import Settings
from tests.llm.fake_openai import FakeOpenAI


def llm_settings(**overrides: Any) -> Settings:
    """Settings from code only (no .env), fast retries unless a test says otherwise."""
    base: dict[str, Any] = {
        "llm_model": "gpt-4o",
        "llm_max_retries": 2,
        "llm_timeout_seconds": 10.0,
        "llm_fallback_after_seconds": 3.0,
    }
    return Settings(_env_file=None, **{**base, **overrides})  # type: ignore[call-arg]


def openai_settings(fake: FakeOpenAI, **overrides: Any) -> Settings:
    return llm_settings(
        llm_provider="openai", openai_base_url=fake.base_url, openai_api_key="sk-test", **overrides
    )


def fallbacks(reason: str) -> float:
    value = REGISTRY.get_sample_value("switchboard_llm_fallbacks_total", {"reason": reason})
    return value or 0.0
