"""The knowledge store on the real databases (PostgreSQL schema per run, SQLite file): version
flips, failed jobs, requeue after a crash, duplicates and tenant scoping."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import numpy as np
import pytest

from core.db.engine import create_engine
from core.db.migrate import upgrade_async
from core.db.models.knowledge import KnowledgeDocument
from core.errors import NotFound
from mcp_servers.knowledge.store import ChunkRow, KnowledgeStore
from tests.db.conftest import BACKENDS, pg_schema_engine, sqlite_url


@pytest.fixture(scope="module", params=BACKENDS)
async def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[KnowledgeStore]:
    if request.param == "sqlite":
        engine = create_engine(url=sqlite_url(tmp_path_factory.mktemp("kb") / "kb.db"))
        try:
            await upgrade_async(engine)
            yield KnowledgeStore(engine)
        finally:
            await engine.dispose()
    else:
        async with pg_schema_engine() as engine:
            await upgrade_async(engine)
            yield KnowledgeStore(engine)


def rows(texts: list[str]) -> list[ChunkRow]:
    return [
        ChunkRow(ordinal=i, heading_path=("Guide",), text=t, citation="Guide",
                 content_hash=f"h{t}", embedding=np.ones(4, dtype=np.float32) * (i + 1))
        for i, t in enumerate(texts)
    ]  # fmt: skip


async def upload(
    store: KnowledgeStore, tenant: str, data: bytes, doc_id: str | None = None
) -> tuple[KnowledgeDocument, bool]:
    return await store.queue_upload(
        tenant, filename="guide.txt", media_type="text/plain",
        sha256=hashlib.sha256(data).hexdigest(), content=data, document_id=doc_id,
    )  # fmt: skip


async def texts(store: KnowledgeStore, tenant: str) -> list[tuple[str, int]]:
    _sig, chunks, _vectors = await store.current_chunks(tenant)
    return [(c.text, c.document_version) for c in chunks]


async def run_job(store: KnowledgeStore, doc_id: str, texts_: list[str]) -> bool:
    claimed = await store.claim(doc_id)
    assert claimed is not None
    doc, _data = claimed
    await store.write_chunks(doc.tenant_id, doc_id, doc.version + 1, rows(texts_))
    return await store.flip(doc_id, doc.sha256, doc.version + 1, title="Guide", pages=None,
                            chunk_count=len(texts_))  # fmt: skip


async def test_new_version_is_invisible_until_the_flip(store: KnowledgeStore) -> None:
    doc, dup = await upload(store, "flip", b"version one")
    assert not dup and doc.status == "queued" and doc.version == 0
    claimed = await store.claim(doc.id)
    assert claimed is not None and claimed[1] == b"version one"
    await store.write_chunks("flip", doc.id, 1, rows(["old a", "old b"]))
    assert await texts(store, "flip") == []  # written, not current
    assert await store.flip(doc.id, doc.sha256, 1, title="Guide", pages=None, chunk_count=2)
    assert await texts(store, "flip") == [("old a", 1), ("old b", 1)]

    again, dup = await upload(store, "flip", b"version two", doc.id)
    assert not dup and again.id == doc.id and again.status == "queued"
    claimed = await store.claim(doc.id)
    assert claimed is not None
    await store.write_chunks("flip", doc.id, 2, rows(["new a"]))
    assert await texts(store, "flip") == [("old a", 1), ("old b", 1)]  # v1 still serves
    assert await store.flip(doc.id, again.sha256, 2, title="Guide", pages=None, chunk_count=1)
    assert await texts(store, "flip") == [("new a", 2)]
    assert set(await store.known_embeddings("flip", doc.id)) == {"hnew a"}  # v1 rows gone


async def test_a_job_superseded_by_a_reupload_never_becomes_current(store: KnowledgeStore) -> None:
    doc, _ = await upload(store, "race", b"first bytes")
    claimed = await store.claim(doc.id)
    assert claimed is not None
    await store.write_chunks("race", doc.id, 1, rows(["stale"]))
    await upload(store, "race", b"second bytes", doc.id)  # re-upload while processing
    assert not await store.flip(doc.id, doc.sha256, 1, title="x", pages=None, chunk_count=1)
    await store.drop_version(doc.id, 1)
    assert await texts(store, "race") == []
    assert await run_job(store, doc.id, ["fresh"])
    assert await texts(store, "race") == [("fresh", 1)]


async def test_a_failed_job_keeps_the_served_version_and_drops_its_chunks(
    store: KnowledgeStore,
) -> None:
    doc, _ = await upload(store, "fail", b"good bytes")
    assert await run_job(store, doc.id, ["good"])
    bad, _ = await upload(store, "fail", b"corrupt bytes", doc.id)
    await store.claim(doc.id)
    await store.write_chunks("fail", doc.id, 2, rows(["half"]))
    await store.fail(doc.id, bad.sha256, 2, "CORRUPT_DOCUMENT: truncated")
    status = await store.document("fail", doc.id)
    assert status.status == "failed" and status.reason == "CORRUPT_DOCUMENT: truncated"
    assert status.version == 1 and await texts(store, "fail") == [("good", 1)]


async def test_processing_documents_are_requeued_after_a_crash(store: KnowledgeStore) -> None:
    doc, _ = await upload(store, "crash", b"crash bytes")
    await store.claim(doc.id)
    await store.write_chunks("crash", doc.id, 1, rows(["partial"]))
    assert doc.id in await store.requeue_interrupted()  # the server restarts
    assert (await store.document("crash", doc.id)).status == "queued"
    await store.drop_version(doc.id, 1)  # what the job does after reading their embeddings
    assert await run_job(store, doc.id, ["complete a", "complete b"])
    assert await texts(store, "crash") == [("complete a", 1), ("complete b", 1)]


async def test_duplicates_are_per_tenant_and_other_tenants_get_not_found(
    store: KnowledgeStore,
) -> None:
    doc, dup = await upload(store, "dup-a", b"same bytes")
    again, dup2 = await upload(store, "dup-a", b"same bytes")
    assert not dup and dup2 and again.id == doc.id
    other, dup3 = await upload(store, "dup-b", b"same bytes")
    assert not dup3 and other.id != doc.id
    with pytest.raises(NotFound):
        await store.document("dup-b", doc.id)
    with pytest.raises(NotFound):
        await store.delete_document("dup-b", doc.id)
    with pytest.raises(NotFound):
        await upload(store, "dup-b", b"hijack", doc.id)
    assert (await store.document("dup-a", doc.id)).sha256 == doc.sha256


async def test_faq_versions_and_tenant_scope(store: KnowledgeStore) -> None:
    fields = {"question": "Q?", "answer": "A1", "category": "c", "tags": [], "language": "en",
              "published": True}  # fmt: skip
    faq = await store.save_faq("faq-a", fields, np.ones(4, dtype=np.float32))
    await store.save_faq("faq-a", {"answer": "A2"}, np.ones(4, dtype=np.float32), faq_id=faq.id)
    history = await store.faq_history("faq-a", faq.id)
    assert [(h.version, h.answer) for h in history] == [(2, "A2"), (1, "A1")]
    assert await texts(store, "faq-a") == [("Q?\nA2", 2)]
    assert await texts(store, "faq-b") == []
    with pytest.raises(NotFound):
        await store.save_faq("faq-b", {"answer": "x"}, None, faq_id=faq.id)
    assert await store.faq_history("faq-b", faq.id) == []
    await store.delete_faq("faq-a", faq.id)
    assert await texts(store, "faq-a") == []


async def test_every_change_of_the_served_chunks_moves_the_signature(
    store: KnowledgeStore,
) -> None:
    """The search cache rebuilds when the signature moves: an FAQ edit (SQLite gives its new
    chunk the deleted one's id), a delete and a new document must all move it, and the
    signature read with the chunks must equal the one read alone (else every search rebuilds)."""
    tenant = "t-signature"
    vector = np.ones(4, dtype=np.float32)
    seen = [await store.signature(tenant)]
    fields = {"category": "general", "tags": [], "language": "en", "published": True}
    faq = await store.save_faq(tenant, {**fields, "question": "Q?", "answer": "A."}, vector)
    seen.append(await store.signature(tenant))
    await store.save_faq(tenant, {"answer": "A, edited."}, vector, faq_id=faq.id)
    seen.append(await store.signature(tenant))
    assert (await store.current_chunks(tenant))[0] == seen[-1]
    doc, _ = await upload(store, tenant, b"signature guide")
    assert await run_job(store, doc.id, ["one", "two"])
    seen.append(await store.signature(tenant))
    await store.delete_document(tenant, doc.id)
    await store.delete_faq(tenant, faq.id)
    other = await store.save_faq(tenant, {**fields, "question": "Other?", "answer": "B."},
                                 vector)  # fmt: skip
    seen.append(await store.signature(tenant))
    assert (await store.current_chunks(tenant))[0] == seen[-1]
    assert len(set(seen)) == len(seen), seen
    assert other.id != faq.id
