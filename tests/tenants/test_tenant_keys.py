"""The supervision keys of a chat are its tenant's (claim, agent load, queue index, due items),
over the real API and Redis; keys an older deployment wrote (no tenant) are moved by
`core.migrate_tenant_keys` and the chats they describe keep working."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from redis import Redis
from redis.asyncio import Redis as AsyncRedis

from core.migrate_tenant_keys import Moved, migrate
from core.settings import Settings
from tests.api.handoff_support import ALWAYS_ON, SseReader, is_type
from tests.api_http import ApiServer
from tests.tenants.conftest import (
    ADMIN_A,
    ADMIN_B,
    AGENT_A,
    AGENT_B,
    SITE_A,
    SITE_B,
    bearer,
    token_of,
)
from tests.tenants.test_tenant_data import chat, escalate, history, put_shift, rule, say


@pytest.fixture(scope="module")
def redis(app_settings: Settings) -> Iterator[Redis]:
    client = Redis.from_url(app_settings.redis_url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture(scope="module")
def prefix(tenant_server: ApiServer) -> str:
    return tenant_server.env["REDIS_KEY_PREFIX"]


@pytest.fixture(scope="module")
def harbor(http: httpx.Client) -> dict[str, dict[str, str]]:
    """Bearer headers of harbor's admin and agent; harbor on duty around the clock."""
    admin = bearer(token_of(http, ADMIN_B))
    put_shift(http, admin, ALWAYS_ON)
    return {"admin": admin, "agent": bearer(token_of(http, AGENT_B))}


def live_chat(http: httpx.Client, agent: dict[str, str]) -> str:
    """A chat on harbor's widget that harbor's agent has taken over."""
    session = chat(http, SITE_B)
    assert escalate(http, session)["status"] == "pending_manual"
    taken = http.post(f"/api/sessions/{session[0]}/takeover", json={}, headers=agent)
    assert taken.status_code == 200, taken.text
    return session[0]


def queue(http: httpx.Client, headers: dict[str, str], status: str) -> list[dict[str, Any]]:
    response = http.get("/api/sessions", params={"status": status}, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]["items"]
    return items


def test_a_live_chats_keys_carry_its_tenant(
    http: httpx.Client, harbor: dict[str, dict[str, str]], redis: Redis, prefix: str
) -> None:
    name = live_chat(http, harbor["agent"])
    mine = f"{prefix}:t:harbor:sup"
    assert redis.hget(f"{mine}:claim:{name}", "agent") == AGENT_B
    assert redis.zscore(f"{mine}:load:{AGENT_B}", name) is not None
    assert redis.zscore(f"{{{mine}:idx}}:manual_live", name) is not None
    assert json.loads(redis.hget(f"{mine}:idx", name) or "{}")["tenant_id"] == "harbor"
    # nothing of this chat outside its tenant, and nothing left in the layout before tenants
    named = [k for k in redis.scan_iter(match=f"*{prefix}:*{name}*") if ":sup:" in k]
    assert named and all(k.startswith(f"{mine}:") for k in named), named
    assert redis.hget(f"{prefix}:sup:idx", name) is None
    # another tenant's agent reaching for it: 404, and no key of its own for that chat
    other = http.post(f"/api/sessions/{name}/takeover", json={},
                      headers=bearer(token_of(http, AGENT_A)))  # fmt: skip
    assert other.status_code == 404
    assert not [k for k in redis.scan_iter(match=f"{prefix}:t:default:*{name}*")]
    released = http.post(f"/api/sessions/{name}/release", json={}, headers=harbor["agent"])
    assert released.status_code == 200, released.text
    assert not redis.exists(f"{mine}:claim:{name}")
    assert redis.zscore(f"{mine}:load:{AGENT_B}", name) is None


def delayed_rule(http: httpx.Client, admin: dict[str, str], word: str, reply: str) -> str:
    return rule(http, admin, {"type": "keyword", "reply_content": reply, "delay_seconds": 2,
                              "trigger_condition": {"keywords": [word]}})  # fmt: skip


def arrives(http: httpx.Client, name: str, admin: dict[str, str], reply: str) -> None:
    deadline = time.monotonic() + 15
    while reply not in [m["content"] for m in history(http, name, admin)]:
        assert time.monotonic() < deadline, f"the delayed reply never came: {reply}"
        time.sleep(0.3)


def test_delayed_replies_wait_in_their_tenants_due_queue_and_all_arrive(
    http: httpx.Client, harbor: dict[str, dict[str, str]], redis: Redis, prefix: str
) -> None:
    word = f"暗號{uuid.uuid4().hex[:6]}"
    default_admin = bearer(token_of(http, ADMIN_A))
    made = [(harbor["admin"], delayed_rule(http, harbor["admin"], word, f"B 稍後 {word}")),
            (default_admin, delayed_rule(http, default_admin, word, f"A 稍後 {word}"))]  # fmt: skip
    try:
        b_chat = chat(http, SITE_B)
        assert f"B 稍後 {word}" not in say(http, b_chat, f"請問{word}")
        due = f"{prefix}:t:harbor:sup:due"
        items: list[str] = redis.zrange(due, 0, -1)  # type: ignore[assignment]
        assert any(json.loads(m)["session_name"] == b_chat[0] for m in items)
        assert "harbor" in redis.smembers(f"{prefix}:sup:due:tenants")
        assert not redis.exists(f"{prefix}:sup:due")
        arrives(http, b_chat[0], harbor["admin"], f"B 稍後 {word}")
        # the same sweeper, right after one of harbor's items: tenant default's still arrive
        a_chat = chat(http, SITE_A)
        say(http, a_chat, f"請問{word}")
        arrives(http, a_chat[0], default_admin, f"A 稍後 {word}")
    finally:
        for admin, rule_id in made:
            http.delete(f"/api/auto-reply-rules/{rule_id}", headers=admin)


def to_old_layout(redis: Redis, prefix: str, tenant: str, name: str, status: str) -> None:
    """What a deployment before tenant keys had written for this chat."""
    mine = f"{prefix}:t:{tenant}:sup"
    summary = json.loads(redis.hget(f"{mine}:idx", name) or "{}")
    if tenant == "default":
        summary.pop("tenant_id")  # summaries from before tenants name none
    redis.hset(f"{prefix}:sup:idx", name, json.dumps(summary, ensure_ascii=False))
    redis.hdel(f"{mine}:idx", name)
    score = redis.zscore(f"{{{mine}:idx}}:{status}", name)
    assert score is not None
    redis.zadd(f"{{{prefix}:sup:idx}}:{status}", {name: score})
    redis.zrem(f"{{{mine}:idx}}:{status}", name)
    if redis.exists(f"{mine}:claim:{name}"):
        redis.rename(f"{mine}:claim:{name}", f"{prefix}:sup:claim:{name}")
        redis.rename(f"{mine}:load:{AGENT_B}", f"{prefix}:sup:load:{AGENT_B}")


def run_migration(app_settings: Settings, prefix: str) -> Moved:
    async def run() -> Moved:
        client = AsyncRedis.from_url(app_settings.redis_url)
        try:
            return await migrate(client, prefix)
        finally:
            await client.aclose()

    return asyncio.run(run())


def test_keys_of_the_old_layout_are_migrated_and_still_honoured(
    http: httpx.Client,
    harbor: dict[str, dict[str, str]],
    redis: Redis,
    prefix: str,
    app_settings: Settings,
) -> None:
    live = live_chat(http, harbor["agent"])
    idle = chat(http, SITE_A)[0]  # tenant default, the AI's
    to_old_layout(redis, prefix, "harbor", live, "manual_live")
    to_old_layout(redis, prefix, "default", idle, "bot_active")
    item = {"kind": "timeout_check", "session_name": live, "since": int(time.time())}
    redis.zadd(f"{prefix}:sup:due", {json.dumps(item): (time.time() + 3600) * 1000})
    agent_a = bearer(token_of(http, AGENT_A))
    # not migrated yet: the new code does not see the old keys (the chats fell off the queues)
    assert live not in [s["session_name"] for s in queue(http, harbor["agent"], "manual_live")]
    assert idle not in [s["session_name"] for s in queue(http, agent_a, "bot_active")]

    moved = run_migration(app_settings, prefix)
    assert (moved.sessions, moved.claims, moved.loads, moved.due_items) == (2, 1, 1, 1)
    assert not [k for k in redis.scan_iter(match=f"{prefix}:sup:*") if not k.endswith(":tenants")]
    listed = {s["session_name"]: s for s in queue(http, harbor["agent"], "manual_live")}
    assert listed[live]["assigned_agent"]["id"] == AGENT_B
    assert idle in [s["session_name"] for s in queue(http, agent_a, "bot_active")]
    assert live not in [s["session_name"] for s in queue(http, agent_a, "manual_live")]
    due = redis.zrange(f"{prefix}:t:harbor:sup:due", 0, -1)
    assert json.dumps(item) in due
    # the migrated claim is the live one: releasing frees it and the agent's slot
    mine = f"{prefix}:t:harbor:sup"
    assert redis.hget(f"{mine}:claim:{live}", "agent") == AGENT_B
    released = http.post(f"/api/sessions/{live}/release", json={}, headers=harbor["agent"])
    assert released.status_code == 200, released.text
    assert not redis.exists(f"{mine}:claim:{live}")
    assert redis.zscore(f"{mine}:load:{AGENT_B}", live) is None
    assert run_migration(app_settings, prefix) == Moved()  # a second run finds nothing


def off_duty(email_to: str) -> dict[str, Any]:
    """Closed today (a holiday around the clock, Asia/Taipei), with a desk to mail."""
    today = (datetime.now(UTC) + timedelta(hours=8)).date()
    holidays = [str(today + timedelta(days=d)) for d in (-1, 0, 1)]
    return {"start": "09:00", "end": "18:00", "holidays": holidays, "email_to": [email_to]}


def test_a_chat_its_handoff_and_mail_leave_keys_under_its_tenant_only(
    http: httpx.Client, harbor: dict[str, dict[str, str]], redis: Redis, prefix: str
) -> None:
    before = set(redis.scan_iter(match=f"*{prefix}:*", count=1000))
    put_shift(http, harbor["admin"], off_duty("night@harbor.example"))
    try:
        session = chat(http, SITE_B)
        name = session[0]
        say(http, session, "你好，請問門號可以攜碼嗎？")
        asked = escalate(http, session)  # off duty: the graph queues the handoff mail
        assert asked["mail"]["sent"] is True, asked
        forced = http.post(f"/api/sessions/{name}/email", json={"force": True},
                           headers=harbor["agent"])  # fmt: skip
        assert forced.status_code == 200, forced.text
        detail = http.get(f"/api/sessions/{name}", headers=session[1]).json()["data"]
    finally:
        put_shift(http, harbor["admin"], ALWAYS_ON)
    created = set(redis.scan_iter(match=f"*{prefix}:*", count=1000)) - before
    mine = (f"{prefix}:t:harbor:", f"{{{prefix}:t:harbor:")
    # the platform's keys (docs/tenants.md): which tenants have a queue or mail, the
    # checkpoints (keyed by the thread, the session name), sign-in and tenant status caches
    registries = {f"{prefix}:sup:{queue}:tenants" for queue in ("idx", "due", "outbox")}
    platform = tuple(f"{prefix}:{root}:" for root in ("cp", "auth", "tenant:status"))
    strays = [k for k in created if not k.startswith(mine) and k not in registries
              and not k.startswith(platform)]  # fmt: skip
    assert not strays, sorted(strays)
    mail_ids = {asked["mail"]["mail_id"], forced.json()["data"]["mail_id"]}
    queued = [json.loads(raw) for raw in redis.lrange(f"{prefix}:t:harbor:sup:outbox", 0, -1)]
    assert mail_ids <= {m["mail_id"] for m in queued if m["session_name"] == name}
    assert detail["session"]["mail"]["mail_id"] in mail_ids
    record = json.loads(redis.get(f"{prefix}:t:harbor:sup:mail:{name}") or "{}")
    assert record["mail_id"] == forced.json()["data"]["mail_id"]
    stream = f"{prefix}:t:harbor:events:session:{name}"
    assert stream in created and detail["last_event_id"] != "0"
    assert entry_ids(redis, stream)[-1] == detail["last_event_id"]
    assert f"{prefix}:t:harbor:events:workbench" in redis.keys(f"{prefix}:t:harbor:events:*")
    assert not [k for k in redis.scan_iter(match=f"*{prefix}:t:default:*{name}*")]


def entry_ids(redis: Redis, stream: str) -> list[str]:
    rows: Any = redis.xrange(stream)
    return [str(entry_id) for entry_id, _ in rows]


def old_outbox(redis: Redis, prefix: str, live: str) -> dict[str, str]:
    """What the mail side of a deployment before tenant keys held: two queued handoffs (one
    of harbor's, one from before tenants), one in a worker's hands, one delivery record."""
    queue = f"{prefix}:sup:outbox"
    base = {"email_to": ["desk@example.com"], "subject": "s", "body": "b", "escalation": {},
            "created_at": int(time.time())}  # fmt: skip
    ids = {k: f"mail_{k}{uuid.uuid4().hex[:10]}" for k in ("queued", "legacy", "held", "sent")}
    queued = {**base, "mail_id": ids["queued"], "session_name": live, "tenant_id": "harbor"}
    legacy = {**base, "mail_id": ids["legacy"], "session_name": "session_before_tenants"}
    held = {**base, "mail_id": ids["held"], "session_name": live, "tenant_id": "harbor"}
    redis.rpush(queue, json.dumps(queued), json.dumps(legacy))
    redis.hset(f"{{{queue}}}:held", ids["held"], json.dumps(held))
    redis.zadd(f"{{{queue}}}:leases", {ids["held"]: time.time() + 60})
    redis.hset(f"{{{queue}}}:owner", ids["held"], "token-of-a-stopped-worker")
    sent = {"state": "sent", "attempts": 1, "session_name": live, "updated_at": time.time()}
    redis.hset(f"{{{queue}}}:status", ids["sent"], json.dumps(sent))  # no tenant: its session's
    return ids


def test_event_streams_and_the_outbox_of_the_old_layout_are_migrated(
    http: httpx.Client,
    tenant_server: ApiServer,
    harbor: dict[str, dict[str, str]],
    redis: Redis,
    prefix: str,
    app_settings: Settings,
) -> None:
    name, customer = chat(http, SITE_B)
    assert escalate(http, (name, customer))["status"] == "pending_manual"
    taken = http.post(f"/api/sessions/{name}/takeover", json={}, headers=harbor["agent"])
    assert taken.status_code == 200, taken.text
    stream, workbench = (f"{prefix}:t:harbor:events:{c}" for c in (f"session:{name}", "workbench"))
    ids = entry_ids(redis, stream)
    assert len(ids) >= 2
    redis.expire(stream, 3600)
    redis.rename(stream, f"{prefix}:events:session:{name}")  # as written before tenant keys
    redis.rename(workbench, f"{prefix}:events:t:harbor:workbench")
    redis.set(f"{prefix}:sup:mail:{name}", json.dumps({"mail_id": "mail_x", "sent_at": 1}), ex=99)
    mails = old_outbox(redis, prefix, name)
    # not migrated yet: the customer's stream has nothing to resume from
    position = http.get(f"/api/sessions/{name}", headers=customer).json()["data"]
    assert position["last_event_id"] == "0"

    moved = run_migration(app_settings, prefix)
    assert (moved.streams, moved.mails, moved.mail_records) == (2, 3, 2)
    assert not [k for k in redis.scan_iter(match=f"*{prefix}:sup:outbox*") if "t:" not in k
                and not k.endswith(":tenants")]  # fmt: skip
    assert not [k for k in redis.scan_iter(match=f"{prefix}:events:*")]
    assert 0 < redis.ttl(stream) <= 3600
    assert redis.ttl(f"{prefix}:t:harbor:sup:mail:{name}") > 0
    position = http.get(f"/api/sessions/{name}", headers=customer).json()["data"]
    assert position["last_event_id"] == ids[-1]
    # the customer resumes from an id the old stream gave: the rest, then what comes live
    resumed = SseReader(tenant_server.url, f"/api/sessions/{name}/stream",
                        {**customer, "Last-Event-ID": ids[0]}).start()  # fmt: skip
    try:
        assert [e.id for e in resumed.until(lambda e: e.id == ids[-1])] == ids[1:]
        body = {"session_name": name, "role": "agent", "content": "還在"}
        said = http.post("/api/manual/messages", headers=harbor["agent"], json=body)
        assert said.status_code == 200, said.text
        resumed.until(is_type("manual_message", content="還在"))
    finally:
        resumed.close()
    assert entry_ids(redis, f"{prefix}:t:harbor:events:workbench")

    outbox = f"{prefix}:t:harbor:sup:outbox"
    # each queued handoff at the end of its tenant's queue (harbor's has the earlier tests')
    assert json.loads(redis.lrange(outbox, -1, -1)[0])["mail_id"] == mails["queued"]
    legacy = redis.lrange(f"{prefix}:t:default:sup:outbox", -1, -1)
    assert json.loads(legacy[0])["mail_id"] == mails["legacy"]
    assert {"harbor", "default"} <= redis.smembers(f"{prefix}:sup:outbox:tenants")
    assert redis.hget(f"{{{outbox}}}:owner", mails["held"]) == "token-of-a-stopped-worker"
    assert redis.zscore(f"{{{outbox}}}:leases", mails["held"]) is not None
    assert json.loads(redis.hget(f"{{{outbox}}}:status", mails["sent"]) or "{}")["state"] == "sent"
    assert run_migration(app_settings, prefix) == Moved()
