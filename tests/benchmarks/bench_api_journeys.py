"""The renewal journeys `bench_api` drives, and the fixed-window driver that counts them.

Both targets are driven the same way: aiohttp, one HTTP request per click, staff members who
start a new renewal as soon as one ends (or fails) until the window closes. Only clicks whose
answer was read before the window closed count; those still in flight are cut off. A refused
click (503, back-pressure) waits its `Retry-After` (1 s) and is sent again; a click that
takes longer than the client timeout ends that journey.

- **API**: the service's routes (`/api/renewal-workflow/...`), SSE steps read to `complete`.
- **`langgraph dev`**: its HTTP API directly, `POST /threads/{id}/runs/wait` per click (the
  first creates the thread, `if_not_exists: create`), which answers the thread's values with
  `__interrupt__` (what the step shows), with `durability: "exit"` like the API's resumes.

With `free_text`, a share of the journeys has the staff member type their own words in the
promotion search (list-plans `query`), drawn from a vocabulary, so the search is not always
the same cached query for the same golden customer.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from api.overload import RETRY_AFTER_SECONDS
from mcp_servers.backoffice.golden import GOLDEN

WORDS = (
    "iPhone", "5G", "吃到飽", "上網", "學生", "家庭", "商務", "月租", "499", "999", "1399",
    "網內互打", "國際漫遊", "影音", "遊戲", "老人", "優惠", "續約", "平板", "手錶", "便宜",
    "高速", "雙門號", "Netflix", "熱點分享", "30GB", "無限", "預算低", "通話多", "出國",
)  # fmt: skip


def free_words(rng: random.Random) -> str:
    """What a member of staff might type: 1-4 words and sometimes a number of their own."""
    words = rng.sample(WORDS, rng.randint(1, 4))
    if rng.random() < 0.4:
        words.append(f"{rng.randint(3, 120)}GB")
    return " ".join(words)


class ClickFailed(RuntimeError):
    """An error answer, already counted under its step and status."""


class Recorder:
    """One window: latency of accepted clicks by step, refusals and timeouts inside it."""

    def __init__(self, deadline: float = 0.0) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.refusal_ms: list[float] = []
        self.errors: dict[str, int] = defaultdict(int)
        self.clicks = 0
        self.late = 0  # clicks sent inside the window that finished after it (CPU still spent)
        self.journeys = 0
        self.timeouts = 0
        self.deadline = deadline

    def inside(self) -> bool:
        return time.perf_counter() < self.deadline


class Staff:
    """Staff members doing renewals back to back on one target, only while a window is open.

    When a window closes, no new click is sent; the clicks already in flight finish (counted
    nowhere) before the next window opens, so two windows (of two targets) never overlap and
    journeys carry on across windows as they would at a counter.
    """

    def __init__(self, http: aiohttp.ClientSession, target: str, tokens: list[str],
                 *, think: float, free_text: float, click_timeout: float) -> None:  # fmt: skip
        self.http = http
        self.journey = JOURNEYS[target]
        self.tokens = tokens
        self.think = think
        self.free_text = free_text
        self.click_timeout = click_timeout
        self.rec = Recorder()
        self.open = asyncio.Event()
        self.in_flight = 0
        self.drained = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    async def window(self, members: int, seconds: float) -> tuple[Recorder, float]:
        """Open the gate for `seconds` with `members` staff (more start if needed)."""
        while len(self.tasks) < members:
            self.tasks.append(asyncio.create_task(self._member(len(self.tasks))))
        started = time.perf_counter()
        self.rec = rec = Recorder(started + seconds)
        self.open.set()
        await asyncio.sleep(seconds)
        self.open.clear()
        if self.in_flight:
            self.drained.clear()
            await self.drained.wait()
        return rec, seconds

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def pause(self, first: bool = False) -> None:
        """A person's time between two clicks (0 when measuring saturation)."""
        if self.think > 0:
            scale = random.uniform(0, 1) if first else random.uniform(0.5, 1.5)
            await asyncio.sleep(scale * self.think)

    async def click(self, step: str, send: Callable[[], Awaitable[tuple[int, Any]]]) -> Any:
        """One click: retried after each refusal, timed when accepted, counted in its window."""
        await self.pause()
        while True:
            await self.open.wait()
            rec = self.rec
            self.in_flight += 1
            started = time.perf_counter()
            try:
                async with asyncio.timeout(self.click_timeout):
                    status, value = await send()
            except TimeoutError:
                rec.timeouts += rec.inside()
                raise
            finally:
                self.in_flight -= 1
                if not self.in_flight:
                    self.drained.set()
            took = (time.perf_counter() - started) * 1000
            if status == 503 and b'"OVERLOADED"' in value:  # back-pressure, not a failure
                if rec.inside():
                    rec.refusal_ms.append(took)
                await asyncio.sleep(RETRY_AFTER_SECONDS)  # what the refusal asked for
                continue
            if status >= 400:
                rec.errors[f"{step} {status}"] += rec.inside()
                raise ClickFailed(f"{step}: {status} {str(value)[:200]}")
            sse = isinstance(value, tuple)  # an SSE step: (ms to its first event, data)
            rec.late += not rec.inside()
            if rec.inside():
                rec.clicks += 1
                if sse:
                    rec.samples[f"{step}: first event"].append(value[0])
                rec.samples[f"{step}: complete" if sse else step].append(took)
            return value[1] if sse else value

    async def _member(self, n: int) -> None:
        rng = random.Random(n * 7919 + time.time_ns())
        first = True
        while True:
            words = free_words(rng) if rng.random() < self.free_text else None
            try:
                if first:
                    await self.pause(first=True)
                    first = False
                await self.journey(self.http, self.tokens[n % len(self.tokens)], self, words)
                self.rec.journeys += self.rec.inside()
            except (TimeoutError, RuntimeError, AssertionError, aiohttp.ClientError) as exc:
                if self.rec.inside() and not isinstance(exc, TimeoutError | ClickFailed):
                    self.rec.errors[type(exc).__name__] += 1


def _complete(stream: str) -> dict[str, Any]:
    for block in stream.replace("\r\n", "\n").split("\n\n"):
        if "event: complete" in block:
            line = next(x for x in block.split("\n") if x.startswith("data: "))
            data: dict[str, Any] = json.loads(line[6:])["data"]
            return data
    raise RuntimeError(f"stream without complete: {stream[-300:]}")


async def _post(http: aiohttp.ClientSession, path: str, **kwargs: Any) -> tuple[int, Any]:
    started = time.perf_counter()
    async with http.post(path, **kwargs) as response:
        if response.content_type != "text/event-stream" or response.status >= 400:
            body = await response.read()
            if response.status >= 400:
                return response.status, body
            return response.status, json.loads(body)
        first: float | None = None
        text = ""
        async for chunk in response.content.iter_any():
            if first is None and b"event:" in chunk:
                first = (time.perf_counter() - started) * 1000
            text += chunk.decode()
        return response.status, ((first or 0.0), {"data": _complete(text)})


async def api_journey(
    http: aiohttp.ClientSession, token: str, rec: Staff, words: str | None
) -> None:
    """One staff member through the whole renewal with a device, over this service's API."""
    headers = {"Authorization": f"Bearer {token}"}
    base = "/api/renewal-workflow"
    session: dict[str, str] = {}

    async def step(name: str, path: str, **body: Any) -> dict[str, Any]:
        def send() -> Awaitable[tuple[int, Any]]:
            sid = session.get("id")
            payload = {"session_id": sid, **body} if sid else None
            return _post(http, f"{base}/{path}", json=payload, headers=headers)

        answer: dict[str, Any] = (await rec.click(name, send))["data"]
        return answer

    await renewal_clicks(step, words, lambda sid: session.update(id=sid))


async def langgraph_dev_journey(
    http: aiohttp.ClientSession, _: str, rec: Staff, words: str | None
) -> None:
    """The same journey through `langgraph dev`'s HTTP API: one `runs/wait` per click."""
    thread = str(uuid.uuid4())

    async def run(name: str, **body: Any) -> dict[str, Any]:
        payload = {"assistant_id": "renewal", "durability": "exit", **body}

        async def send() -> tuple[int, Any]:
            return await _post(http, f"/threads/{thread}/runs/wait", json=payload)

        values: dict[str, Any] = await rec.click(name, send)
        if "__error__" in values:
            raise RuntimeError(f"{name}: {str(values['__error__'])[:300]}")
        waiting = values.get("__interrupt__") or [{}]
        return {"waiting": waiting[0].get("value"), "values": values}

    def answer(name: str, **value: Any) -> Awaitable[dict[str, Any]]:
        return run(name, command={"resume": value or {"query": None}})

    start = {"session_id": thread, "staff_id": "2", "store_id": "S001", "visited": []}
    await run("start", input=start, if_not_exists="create")
    await answer("query-customer", id_number=GOLDEN.eligible.national_id)
    await answer("select-phone", phone_number=GOLDEN.eligible.phone)
    await answer("select-device-type", device_type="smartphone")
    view = await answer("select-device-os", os_type="ios")
    device = next(d for d in view["waiting"]["show"]["devices"] if d["in_stock"])
    color = next(c["color"] for c in device["colors"] if c["available"])
    await answer("select-device", device_id=device["device_id"], color=color)
    view = await answer("list-plans (SSE)", query=words)
    plans = [p["plan_id"] for p in view["waiting"]["show"]["plans"]]
    if len(plans) >= 2:
        await answer("compare (SSE, LLM)", compare=plans[:2])
    if not plans:
        view = await answer("list-plans (SSE)")
        plans = [p["plan_id"] for p in view["waiting"]["show"]["plans"]]
    await answer("select-plan", plan_id=plans[0])
    await answer("confirm", confirmed=True)
    done = await answer("submit", submit=True)
    assert done["values"].get("outcome") == "completed", str(done)[:600]


Journey = Callable[[aiohttp.ClientSession, str, Staff, str | None], Awaitable[None]]
JOURNEYS: dict[str, Journey] = {"api": api_journey, "langgraph-dev": langgraph_dev_journey}


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def step_table(rec: Recorder) -> list[str]:
    lines = ["| step | n | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|"]
    for step, samples in rec.samples.items():
        lines.append(f"| {step} | {len(samples)} | {statistics.median(samples):.0f} "
                     f"| {p95(samples):.0f} | {max(samples):.0f} |")  # fmt: skip
    return lines


Step = Callable[..., Awaitable[dict[str, Any]]]


async def renewal_clicks(step: Step, words: str | None, started: Callable[[str], None]) -> None:
    """The renewal with a device, click by click, through `step(name, path, **body)`; `started`
    gets the new session id (each journey's `step` sends it with every later click)."""
    started((await step("start", "start"))["session_id"])
    await step("query-customer", "step/query-customer", id_number=GOLDEN.eligible.national_id)
    await step("list-phones", "step/list-phones")
    await step("select-phone", "step/select-phone", phone_number=GOLDEN.eligible.phone)
    await step("select-device-type", "step/select-device-type", device_type="smartphone")
    view = await step("select-device-os", "step/select-device-os", os_type="ios")
    device = next(d for d in view["waiting"]["show"]["devices"] if d["in_stock"])
    color = next(c["color"] for c in device["colors"] if c["available"])
    await step("select-device", "step/select-device", device_id=device["device_id"], color=color)
    search = {"query": words} if words else {}
    view = await step("list-plans (SSE)", "step/list-plans", **search)
    plans = [p["plan_id"] for p in view["waiting"]["show"]["plans"]]
    if len(plans) >= 2:
        await step("compare (SSE, LLM)", "step/compare", compare=plans[:2])
    if not plans:  # the typed words found nothing this customer qualifies for: a new search
        view = await step("list-plans (SSE)", "step/list-plans")
        plans = [p["plan_id"] for p in view["waiting"]["show"]["plans"]]
    await step("select-plan", "step/select-plan", plan_id=plans[0])
    await step("confirm", "step/confirm", confirmed=True)
    done = await step("submit", "submit", submit=True)
    assert done["outcome"] == "completed", done
