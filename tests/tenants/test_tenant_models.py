"""The LLM factory builds a tenant's own model (tools/llm/tenant.py): the real OpenAI client
against the protocol-level fake server, cached per tenant and settings, the offline model marked
degraded when the key variable is unset, and the deployment's model for tenants without one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain_core.messages import HumanMessage

from core.settings import Settings
from tests.llm.fake_openai import FakeOpenAI, Reply
from tests.llm.helpers import fallbacks
from tools.llm import (
    FallbackChatModel,
    ListUsageSink,
    OfflineChatModel,
    TenantModel,
    build_chat_model,
    reset_breakers,
    reset_tenant_models,
)
from tools.llm.fallback import is_degraded
from tools.llm.tenant import tenant_primary

KEY_ENV = "SB_TEST_FACTORY_TENANT_KEY"
QUESTION = [HumanMessage("請問帳單怎麼繳？")]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(Reply(text="租戶模型的回答")).start()
    reset_breakers()
    reset_tenant_models()
    try:
        yield server
    finally:
        server.stop()
        reset_tenant_models()


def tenant_of(fake: FakeOpenAI, **changes: object) -> TenantModel:
    base: dict[str, object] = {"tenant_id": "harbor", "provider": "openai",
                               "model": "gpt-4o-mini", "endpoint": fake.base_url,
                               "api_key_env": KEY_ENV}  # fmt: skip
    return TenantModel(**{**base, **changes})  # type: ignore[arg-type]


async def test_a_tenant_with_its_own_model_is_answered_by_it(
    fake: FakeOpenAI, test_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-harbor")
    sink = ListUsageSink()
    model = build_chat_model(test_settings, usage_type="customer_chat", sink=sink,
                             session_id="s1", tenant=tenant_of(fake, temperature=0.4))  # fmt: skip
    assert isinstance(model, FallbackChatModel)
    reply = await model.ainvoke(QUESTION)
    assert reply.text == "租戶模型的回答" and not is_degraded(reply)
    [request] = fake.requests
    assert request.headers["authorization"] == "Bearer sk-harbor"
    assert (request.body["model"], request.body["temperature"]) == ("gpt-4o-mini", 0.4)
    [record] = sink.records
    assert (record.model, record.is_fallback, record.session_id) == ("gpt-4o-mini", False, "s1")


def test_models_are_cached_per_tenant_and_settings(
    fake: FakeOpenAI, test_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-harbor")
    first = tenant_primary(test_settings, tenant_of(fake)).primary
    assert first is not None
    assert tenant_primary(test_settings, tenant_of(fake)).primary is first
    assert tenant_primary(test_settings, tenant_of(fake, model="gpt-4o")).primary is not first
    assert tenant_primary(test_settings, tenant_of(fake, tenant_id="other")).primary is not first
    monkeypatch.setenv(KEY_ENV, "sk-rotated")  # a rotated key builds a new client
    assert tenant_primary(test_settings, tenant_of(fake)).primary is not first


async def test_an_unset_key_variable_answers_offline_marked_degraded_and_logged(
    fake: FakeOpenAI,
    test_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    sink = ListUsageSink()
    before = fallbacks("key_missing")
    model = build_chat_model(test_settings, usage_type="customer_chat", sink=sink,
                             tenant=tenant_of(fake))  # fmt: skip
    reply = await model.ainvoke(QUESTION)
    assert reply.text.strip() and is_degraded(reply)
    assert fake.requests == []
    assert sink.records[0].is_fallback is True
    assert fallbacks("key_missing") == before + 1  # counted like any other fallback
    captured = capsys.readouterr()  # structlog's lines: stdout until configure_logging ran in
    logged = captured.out + captured.err  # this process, stderr after (order of the suite)
    assert "llm_tenant_key_missing" in logged and KEY_ENV in logged
    assert "reason=key_missing" in logged  # every call says why it fell back (llm_fallback)


def test_tenants_without_a_model_of_their_own_get_the_deployments(
    fake: FakeOpenAI, test_settings: Settings
) -> None:
    offline = TenantModel("default")  # provider offline: the deployment's model
    assert test_settings.llm_provider == "offline"
    assert isinstance(build_chat_model(test_settings, tenant=offline), OfflineChatModel)
    unsupported = tenant_of(fake, provider="anthropic")
    built = tenant_primary(test_settings, unsupported)
    assert built.primary is None and built.unavailable == "provider_unsupported"


async def test_an_azure_openai_tenant_calls_its_deployment(
    fake: FakeOpenAI, test_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, "azure-key")
    tenant = tenant_of(fake, provider="azure_openai", endpoint=fake.url, deployment="harbor-4o")
    reply = await build_chat_model(test_settings, tenant=tenant).ainvoke(QUESTION)
    assert reply.text == "租戶模型的回答" and not is_degraded(reply)
    [request] = fake.requests
    assert request.path == "/openai/deployments/harbor-4o/chat/completions"
    assert request.headers["api-key"] == "azure-key"
