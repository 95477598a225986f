"""Fixtures: a fake OpenAI server per test and a list usage sink."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.llm.fake_openai import FakeOpenAI
from tools.llm import ListUsageSink, reset_breakers


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    reset_breakers()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sink() -> ListUsageSink:
    return ListUsageSink()
