"""A process that never calls `configure_logging` still masks national IDs: bench_mcp's
in-memory variant runs the CRM server inside the benchmark, whose `customer_lookup` line logs
the ID it was asked for."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

from core.settings import ROOT
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.golden import GOLDEN
from mcp_servers.backoffice.store import load

IN_MEMORY_CALL = textwrap.dedent(
    """
    import asyncio, sys
    from fastmcp import Client
    from mcp_servers.crm.server import mcp

    async def main() -> None:
        async with Client(mcp) as client:
            await client.call_tool("get_customer", {"id_number": sys.argv[1]})

    asyncio.run(main())
    """
)


def test_an_in_process_mcp_server_logs_the_national_id_masked(tmp_path: Path) -> None:
    db = tmp_path / "backoffice.db"
    load(generate(20261121, date.today()), db)
    national_id = GOLDEN.eligible.national_id
    env = {"PATH": "/usr/bin:/bin", "BACKOFFICE_DB_PATH": str(db), "LOG_LEVEL": "INFO"}
    done = subprocess.run(
        [sys.executable, "-c", IN_MEMORY_CALL, national_id],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    logged = done.stdout + done.stderr
    assert "customer_lookup" in logged
    assert national_id not in logged
    assert f"{national_id[:3]}****{national_id[-3:]}" in logged
