"""Agent tools under the seed's load (seed 003 v3.0 性能要求): 100+ concurrent quick-reply reads,
50+ concurrent tag writes, and the auto-reply trigger latency (budget < 100 ms).

Run: .venv/bin/python -m tests.benchmarks.bench_agent_tools [--rounds 5] [--db sqlite]
It starts its own API (PostgreSQL service database by default, Redis prefix `sbbench-tools`)
with 300 quick replies, 60 custom tags and a keyword rule, then measures over HTTP:

* `GET /api/quick-replies` (all, and one category with a keyword): `--rounds` bursts of 100
  concurrent agents each;
* `POST /api/sessions/{s}/tags`: `--rounds` bursts of 50 concurrent writes (50 sessions, one new
  tag each per burst, so the 10-tag limit is never what answers);
* the auto-reply trigger: a customer message that a keyword rule answers, end to end over
  `POST /api/chat` (graph run, rule read through the cache, checkpoint, events), against the same
  turn answered by the offline model; and in process, rule selection + variable filling over 60
  rules.

Prints p50 / p95 / max per route, and the API's CPU per request in each phase (wall-clock
latency on a shared 2-core machine mixes in the load generator and other work; CPU does not).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import aiohttp
from redis.asyncio import Redis

from graphs.supervision.auto_reply import Moment, Rule, chat_variables, fill, select
from tests.api_http import WIDGET_HEADERS, api_env, start_api, stop_api
from tests.benchmarks.bench_servers import bench_settings, service_database
from tests.benchmarks.proc_cpu import cpu_by_role
from tests.mcp_http import free_port, wait_for_port

FILTER = {"category": "logistics", "keyword": "回覆 1"}
CATEGORIES = ("pre_sales", "after_sales", "logistics", "technical", "policy")
Samples = dict[str, list[float]]


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def table(samples: Samples) -> str:
    lines = ["| route | n | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|"]
    for name, values in samples.items():
        lines.append(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | "
            f"{p95(values):.1f} | {max(values):.1f} |"
        )
    return "\n".join(lines)


class Bench:
    """aiohttp, as bench_api: on 2 shared cores the load generator's own CPU per request
    decides how much is left for the server (printed next to the server's)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=200), timeout=aiohttp.ClientTimeout(total=120)
        )
        self.samples: Samples = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.headers: dict[str, dict[str, str]] = {}
        self._ip = 0

    async def request(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        async with self.http.request(method, self.url + path, **kwargs) as response:
            return response.status, await response.json()

    async def login(self, part: str, username: str) -> None:
        body = {"employee_code": username, "password": "Demo1234"}
        status, data = await self.request("POST", "/api/auth/login", json=body)
        assert status == 200, data
        self.headers[part] = {"Authorization": f"Bearer {data['data']['access_token']}"}

    def ip(self) -> dict[str, str]:
        self._ip += 1
        return {"X-Forwarded-For": f"10.77.{self._ip // 256 % 256}.{self._ip % 256}"}

    async def timed(self, name: str, method: str, path: str, **kwargs: Any) -> Any:
        started = time.perf_counter()
        status, data = await self.request(method, path, **kwargs)
        self.samples[name].append((time.perf_counter() - started) * 1000)
        if status != 200:
            self.errors[f"{name} {status}"] += 1
        return data

    async def ok(self, method: str, path: str, part: str, **kwargs: Any) -> Any:
        status, data = await self.request(method, path, headers=self.headers[part], **kwargs)
        assert status == 200, data
        return data["data"]

    async def customer(self) -> tuple[str, dict[str, str]]:
        ip = self.ip()
        body = {"user_profile": {"nickname": "壓測客人"}}
        _, data = await self.request(
            "POST", "/api/conversation/new", headers={**ip, **WIDGET_HEADERS}, json=body
        )
        session = data["data"]
        return session["session_name"], {"Authorization": f"Bearer {session['token']}", **ip}


async def prepare(bench: Bench) -> list[str]:
    await bench.login("admin", "admin")
    await bench.login("agent", "agent001")
    for i in range(300):
        body = {
            "category": CATEGORIES[i % 5],
            "title": f"快捷回覆 {i}",
            "content": f"您好{{customer_name}}，這是第 {i} 則回覆，{{agent_name}}為您服務。",
        }
        await bench.ok("POST", "/api/quick-replies", "admin", json=body)
    tags = []
    for i in range(60):
        body = {"name": f"壓測標籤{i}", "color": "#3B82F6"}
        tags.append((await bench.ok("POST", "/api/tags", "agent", json=body))["id"])
    rule = {
        "type": "keyword",
        "trigger_condition": {"keywords": ["營業時間"]},
        "reply_content": "{customer_name}您好，門市營業時間為每日 11:00-21:30。",
    }
    await bench.ok("POST", "/api/auto-reply-rules", "admin", json=rule)
    return tags


async def quick_reply_reads(bench: Bench, rounds: int) -> None:
    agent = bench.headers["agent"]
    everything, filtered = (
        "GET /api/quick-replies (300 rows)",
        "GET /api/quick-replies?category&keyword",
    )
    for _ in range(rounds):
        await asyncio.gather(
            *(
                bench.timed(everything, "GET", "/api/quick-replies", headers=agent)
                for _ in range(100)
            )
        )
        await asyncio.gather(
            *(
                bench.timed(filtered, "GET", "/api/quick-replies", params=FILTER, headers=agent)
                for _ in range(100)
            )
        )


async def tag_writes(bench: Bench, tags: list[str], rounds: int) -> None:
    agent = bench.headers["agent"]
    sessions = [(await bench.customer())[0] for _ in range(50)]
    for r in range(rounds):
        await asyncio.gather(
            *(
                bench.timed("POST /api/sessions/{s}/tags", "POST", f"/api/sessions/{s}/tags",
                            json={"tag_id": tags[(i + r) % len(tags)]}, headers=agent)
                for i, s in enumerate(sessions)
            )
        )  # fmt: skip
        await asyncio.gather(
            *(bench.timed("GET /api/tags", "GET", "/api/tags", headers=agent) for _ in range(50))
        )


async def trigger_latency(bench: Bench, turns: int) -> None:
    cases = (
        ("請問門市營業時間？", "auto-reply turn (keyword rule)"),
        ("你好", "AI turn, no rule (offline model)"),
    )
    for text, name in cases:
        for _ in range(turns):
            session, headers = await bench.customer()
            body = {"session_name": session, "message": text}
            data = await bench.timed(f"POST /api/chat: {name}", "POST", "/api/chat", json=body,
                                     headers=headers)  # fmt: skip
            if name.startswith("auto") and "營業時間" not in data["data"]["answer"]:
                bench.errors["keyword rule did not answer"] += 1


def selection_in_process() -> str:
    """Rule selection + variable filling in process, in microseconds (the graph's own cost of
    an auto-reply once the rules are in the cache)."""
    rules = [
        Rule(
            f"r{i}",
            ("keyword", "welcome", "queue")[i % 3],
            "{customer_name}您好 {x}",
            {"keywords": [f"詞{i}", f"word{i}"]},
            True,
            0,
            float(i),
        )
        for i in range(60)
    ]
    state = {"session_name": "s", "user_profile": {"nickname": "王小明"}}
    micros = []
    for _ in range(2000):
        started = time.perf_counter()
        found = select(rules, Moment("keyword", text="請問 word57 的價格是多少"))
        assert found is not None
        fill(found.rule.reply_content, chat_variables(state, x="1"))
        micros.append((time.perf_counter() - started) * 1e6)
    return (f"in process, select + fill over 60 rules: p50 {statistics.median(micros):.0f} µs, "
            f"p95 {p95(micros):.0f} µs")  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-tools-"))
    async with service_database(args.db, work) as url:
        settings = await bench_settings(url, work)
        prefix = f"sbbench-tools-{uuid.uuid4().hex[:6]}"
        settings = settings.model_copy(update={"redis_key_prefix": prefix})
        port = free_port()
        env = api_env(settings, port)
        env.update(
            LOG_LEVEL="WARNING", CHAT_RATE_PER_IP="100000", CONVERSATION_RATE_PER_IP="100000"
        )
        process = start_api(env, work / "api.log")
        try:
            await asyncio.to_thread(wait_for_port, port, process, 120)
            bench = Bench(f"http://127.0.0.1:{port}")
            tags = await prepare(bench)
            await trigger_latency(bench, 3)  # warm-up: first graph runs, caches
            bench.samples.clear()
            cpu: dict[str, float] = {}
            phases = (
                ("quick-reply reads", lambda: quick_reply_reads(bench, args.rounds)),
                ("tag writes + tag list", lambda: tag_writes(bench, tags, args.rounds)),
                ("chat turns", lambda: trigger_latency(bench, args.turns)),
            )
            for phase, run in phases:
                before, count = cpu_by_role(process.pid), sum(map(len, bench.samples.values()))
                mine = time.process_time()
                await run()
                spent = sum((cpu_by_role(process.pid) - before).values())
                requests = sum(map(len, bench.samples.values())) - count
                cpu[phase] = spent * 1000 / max(1, requests)
                cpu[f"(load generator: {phase})"] = (
                    (time.process_time() - mine) * 1000 / max(1, requests)
                )
            in_process = selection_in_process()
            await bench.http.close()
        finally:
            stop_api(process)
            redis = Redis.from_url(settings.redis_url)
            keys = [key async for key in redis.scan_iter(match=f"{prefix}:*", count=5000)]
            if keys:
                await redis.unlink(*keys)
            await redis.aclose()
    print(f"service_db={args.db} rounds={args.rounds} turns={args.turns}")
    print(table(bench.samples))
    print(in_process)
    print(
        "API CPU per request (ms, all its processes): "
        + ", ".join(f"{phase} {ms:.1f}" for phase, ms in cpu.items())
    )
    print(f"errors: {dict(bench.errors) or 'none'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5, help="bursts of 100 reads / 50 writes")
    parser.add_argument("--turns", type=int, default=30, help="chat turns per trigger case")
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    asyncio.run(main(parser.parse_args()))
