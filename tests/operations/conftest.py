"""Fixtures of the mail worker tests: a running SMTP server, settings, a Redis client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from core.settings import Settings

from .mail_support import Mailbox


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture
def base_settings() -> Settings:
    """Only Redis and SMTP matter here (no back office, no search index)."""
    return Settings(_env_file=None, app_env="test")  # type: ignore[call-arg]


@pytest.fixture
async def redis(base_settings: Settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(base_settings.redis_url)
    yield client
    await client.aclose()
