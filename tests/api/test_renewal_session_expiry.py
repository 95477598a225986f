"""An idle renewal session expires (seed 000: 1 hour; RENEWAL_SESSION_IDLE_SECONDS), over HTTP.

The server runs with a 3 s idle limit: a session answered within it goes on (every answer
restarts the clock); one left waiting longer answers 410 SESSION_EXPIRED on every step and on
its view, and its record becomes `abandoned` with an audit entry saying why.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from core.db.engine import create_engine
from core.db.models import AuditEntry, RenewalRecord
from core.settings import Settings
from mcp_servers.backoffice.golden import GOLDEN
from tests.api.conftest import HttpJourney, login
from tests.api_http import ApiServer, running_api

pytestmark = [pytest.mark.slow]
IDLE = 3


@pytest.fixture(scope="module")
def short_idle_server(
    app_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    log: Path = tmp_path_factory.mktemp("api-idle") / "api.log"
    with running_api(app_settings, log, RENEWAL_SESSION_IDLE_SECONDS=str(IDLE)) as server:
        yield server


def _db(server: ApiServer, statement: Any) -> list[Any]:
    async def run() -> list[Any]:
        engine = create_engine(url=server.env["DATABASE_URL"])
        try:
            async with engine.begin() as conn:
                return list((await conn.execute(statement)).all())
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_an_idle_session_expires_and_is_recorded_abandoned(short_idle_server: ApiServer) -> None:
    with short_idle_server.client() as http:
        j = HttpJourney(http, login(http, "E3001")["access_token"])
        j.start()
        # answers within the limit keep it alive, however long the whole journey takes
        time.sleep(IDLE * 0.6)
        j.step("step/query-customer", id_number=GOLDEN.eligible.national_id)
        time.sleep(IDLE * 0.6)
        j.step("step/select-phone", phone_number=GOLDEN.eligible.phone)
        assert j.view["current_step"] == "select_device_type"
        time.sleep(IDLE + 0.5)
        session_url = f"/api/renewal-workflow/session/{j.session_id}"
        answers = {
            "select-device-type": j.post("step/select-device-type", device_type="none"),
            "back": j.post("step/back", to="select_phone"),
            "view": http.get(session_url, headers=j.headers),
            "abandon": j.post("abandon"),
        }
        for name, answer in answers.items():
            assert answer.status_code == 410, (name, answer.text)
            body = answer.json()
            assert body["success"] is False and body["code"] == "SESSION_EXPIRED", body
    [(status,)] = _db(
        short_idle_server,
        sa.select(RenewalRecord.status).where(RenewalRecord.session_id == j.session_id),
    )
    assert status == "abandoned"
    audit = _db(
        short_idle_server,
        sa.select(AuditEntry.status_to, AuditEntry.reason).where(
            AuditEntry.entity_id == j.session_id
        ),
    )
    assert [(a.status_to, a.reason.split(":")[0]) for a in audit] == [("abandoned", "expired")]


def test_a_finished_session_does_not_expire(short_idle_server: ApiServer) -> None:
    with short_idle_server.client() as http:
        j = HttpJourney(http, login(http, "E3001")["access_token"])
        j.start()
        j.step("abandon", reason="customer left")
        time.sleep(IDLE + 0.5)
        view = http.get(f"/api/renewal-workflow/session/{j.session_id}", headers=j.headers)
        assert view.status_code == 200 and view.json()["data"]["outcome"] == "abandoned"
        again = j.post("step/query-customer", id_number=GOLDEN.eligible.national_id)
        assert again.status_code == 409 and again.json()["code"] == "WRONG_STEP"


def test_the_default_idle_limit_is_the_seeds_hour() -> None:
    assert Settings(_env_file=None).renewal_session_idle_seconds == 3600  # type: ignore[call-arg]
