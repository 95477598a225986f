"""Renewal journeys through the real MCP servers, the Redis checkpointer and the service DB."""

from __future__ import annotations

from typing import Any

import pytest

from graphs.renewal.flow import RenewalFlow
from graphs.renewal.steps import Step
from graphs.runtime import GraphRuntime

STAFF_ID = 2  # a seeded sales account (users.id) of store S001
STORE = "S001"


@pytest.fixture
def flow(graph_runtime: GraphRuntime) -> RenewalFlow:
    return RenewalFlow(graph_runtime.renewal, graph_runtime.sessions)


class Journey:
    """A staff member clicking through the steps; each call returns the next view."""

    def __init__(self, flow: RenewalFlow) -> None:
        self.flow = flow
        self.session_id = ""
        self.view: dict[str, Any] = {}

    async def start(self) -> dict[str, Any]:
        self.view = await self.flow.start(STAFF_ID, STORE)
        self.session_id = self.view["session_id"]
        return await self._as_reloaded()

    async def answer(self, step: Step, **value: Any) -> dict[str, Any]:
        try:
            self.view = await self.flow.answer(self.session_id, step, value)
        except Exception:
            self.view = await self.flow.view(self.session_id)
            raise
        return await self._as_reloaded()

    async def _as_reloaded(self) -> dict[str, Any]:
        """The view an answer returns (built from the run's output) must be what reloading the
        session shows (built from the checkpoint)."""
        reloaded = await self.flow.view(self.session_id)
        assert self.view == reloaded
        return self.view

    @property
    def step(self) -> str | None:
        return self.view["current_step"]

    @property
    def show(self) -> dict[str, Any]:
        return self.view["waiting"]["show"]


@pytest.fixture
async def journey(flow: RenewalFlow) -> Journey:
    j = Journey(flow)
    await j.start()
    return j
