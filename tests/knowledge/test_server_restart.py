"""The knowledge MCP server's process life: its upload limit setting, a kill -9 mid-ingestion.

Each test starts its own server process on the module's database (conftest.py `database_url`).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from core.db.engine import create_engine

from .documents import EN_SENTENCES, Section, pdf_bytes
from .kb_process import ServerProcess, b64, call, connect, refused, tenant, upload, wait_done

pytestmark = pytest.mark.postgres


@pytest.mark.slow  # ~55 s: a 40-page PDF embedded on a shared 2-core box, twice in part
async def test_the_upload_limit_follows_the_setting(database_url: str, tmp_path: Path) -> None:
    proc = ServerProcess(database_url, tmp_path)
    proc.env["KNOWLEDGE_MAX_UPLOAD_BYTES"] = "4096"
    proc.start()
    t = tenant()
    try:
        async with connect(proc.url) as client:
            error = await refused(client, "ingest_document", tenant_id=t, filename="big.txt",
                                  content_base64=b64(b"roaming rates. " * 300))  # fmt: skip
            assert error.code == "TOO_LARGE"
            doc = await upload(client, t, "small.txt", b"roaming rates. " * 200)
            assert doc["status"] in ("queued", "processing", "ready")
    finally:
        proc.stop()


# Long enough to be caught mid-embedding by a 50 ms poll, short enough not to embed a long
# manual twice: 40 chapters took 66 s of a loaded suite run; 20 take 39 s alone at load 4.
CHAPTERS = 20


async def test_restart_mid_ingestion_resumes(database_url: str, tmp_path: Path) -> None:
    proc = ServerProcess(database_url, tmp_path)
    proc.start()
    t = tenant()
    long_pdf = pdf_bytes([
        Section(f"Chapter {i}", [f"Topic {i}: " + " ".join(EN_SENTENCES)] * 4, new_page=True)
        for i in range(CHAPTERS)
    ], title="Long manual")  # fmt: skip
    try:
        async with connect(proc.url) as client:
            doc = await upload(client, t, "long.pdf", long_pdf)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                status = await call(client, "document_status", tenant_id=t,
                                    document_id=doc["document_id"])  # fmt: skip
                if status["status"] == "processing" and status["progress"] >= 0.45:
                    break
                assert status["status"] != "ready", "finished before the kill: make it longer"
                await asyncio.sleep(0.05)
        proc.kill()  # mid-embedding: some chunks of version 1 are written, none current
        proc.start()
        async with connect(proc.url) as client:
            status = await wait_done(client, t, doc["document_id"], wait_s=240)
            assert status["status"] == "ready" and status["version"] == 1
            hits = (await call(client, "search_knowledge", tenant_id=t, query="Topic 7",
                               top_k=5))["hits"]  # fmt: skip
            assert hits and {h["document_version"] for h in hits} == {1}
        engine = create_engine(url=database_url)
        try:  # exactly one copy of each chunk: the killed attempt's rows were dropped
            async with engine.connect() as conn:
                rows, ordinals, versions = (
                    await conn.execute(
                        text(
                            "SELECT count(*), count(DISTINCT ordinal),"
                            " count(DISTINCT document_version)"
                            " FROM chunks WHERE document_id = :d"
                        ),
                        {"d": doc["document_id"]},
                    )
                ).one()
        finally:
            await engine.dispose()
        assert rows == ordinals == status["chunk_count"] >= CHAPTERS and versions == 1
    finally:
        proc.stop()
