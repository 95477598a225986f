"""A back-office server that stops answering mid-step: the step fails with its code, the session
stays where it was, and the same answer goes through once the server is back."""

from __future__ import annotations

import os
import signal

import pytest

from core.errors import Unavailable
from core.settings import Settings
from graphs.renewal.flow import RenewalFlow
from graphs.renewal.steps import Step
from graphs.runtime import open_graph_runtime
from mcp_servers.backoffice.golden import GOLDEN
from tests.mcp_http import child_pids
from tests.renewal.conftest import Journey

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fresh_backoffice")]


async def test_a_hung_promotion_server_fails_list_plans_as_unavailable_and_it_can_be_retried(
    app_settings: Settings,
) -> None:
    settings = app_settings.model_copy(update={"mcp_call_timeout_seconds": 1.5})
    others = set(child_pids("mcp_servers.promotion"))
    async with open_graph_runtime(settings) as runtime:  # its own stdio servers
        [promotion] = set(child_pids("mcp_servers.promotion")) - others
        journey = Journey(RenewalFlow(runtime.renewal, runtime.sessions))
        await journey.start()
        await journey.answer(Step.QUERY_CUSTOMER, id_number=GOLDEN.eligible.national_id)
        await journey.answer(Step.SELECT_PHONE, phone_number=GOLDEN.eligible.phone)
        await journey.answer(Step.SELECT_DEVICE_TYPE, device_type="none")

        os.kill(promotion, signal.SIGSTOP)  # the search (and plan reads) hang; the CRM answers
        try:
            with pytest.raises(Unavailable, match="promotion"):  # itself, not an ExceptionGroup
                await journey.answer(Step.LIST_PLANS)
        finally:
            os.kill(promotion, signal.SIGCONT)
        assert journey.step == "list_plans"  # nothing lost: still waiting, earlier answers kept
        selections = journey.view["selections"]
        assert (selections["selected_phone"], selections["renewal_type"]) == (
            GOLDEN.eligible.phone, "single")  # fmt: skip

        await journey.answer(Step.LIST_PLANS)
        assert journey.step == "select_plan" and journey.show["plans"]
