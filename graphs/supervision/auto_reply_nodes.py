"""The graph's side of auto-replies: at each moment a node reports, pick the rule
(auto_reply.py), fill its variables from the chat, and say it — now, or after the rule's
`delay_seconds` through the due queue (due.py).

How a reply reaches the customer:
* inside the customer's own turn (welcome, keyword) it streams as a `message` event, like the
  AI's words, so clients that only know `message`/`done` show it;
* around an escalation (offline, busy, queue), when it falls due later (delay) and when a
  customer is left waiting (timeout) it is a `manual_message` with role `system`, like the
  other notices of the human phase.
In history it is an `assistant` message marked `auto_reply: <type>`.

Rules, busy agents and queue positions are the session's tenant's (`tenant_id` in the state).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from core.db.models.tenants import DEFAULT_TENANT
from core.logging import get_logger
from graphs.supervision import events as ev
from graphs.supervision.auto_reply import (
    Match,
    Moment,
    Rule,
    chat_variables,
    fill,
    first_of,
    select,
    timeout_seconds,
)
from graphs.supervision.graph import SupervisionDeps
from graphs.supervision.state import HistoryItem, SupervisionState, new_message

log = get_logger(__name__)
Channel = Literal["message", "notice"]


@dataclass
class Said:
    """What a moment produced: whether a rule matched, and the history items said now."""

    matched: bool = False
    items: list[HistoryItem] = field(default_factory=list)
    text: str = ""


def session_tenant(state: Mapping[str, Any]) -> str:
    """The tenant whose rules, shift and agents serve this chat (set when it started; older
    sessions are tenant `default`'s)."""
    return str(state.get("tenant_id") or DEFAULT_TENANT)


def auto_message(rule_type: str, text: str, at: int) -> HistoryItem:
    item = new_message("assistant", text, at)
    item["auto_reply"] = rule_type
    return item


def say(rule_type: str, text: str, at: int, channel: Channel) -> HistoryItem:
    """Emit one auto-reply on its channel and return its history item."""
    if channel == "message":  # the turn's answer may follow: keep it a paragraph of its own
        ev.emit(ev.message(f"{text}\n\n"))
    else:
        ev.emit(ev.manual_message("system", text, at))
    return auto_message(rule_type, text, at)


class AutoReplies:
    def __init__(self, deps: SupervisionDeps) -> None:
        self.deps = deps

    async def rules(self, state: Mapping[str, Any]) -> Sequence[Rule]:
        """The chat's tenant's rules now; a failing source costs the auto-reply, never the
        customer's turn."""
        if self.deps.auto_replies is None:
            return ()
        try:
            return await self.deps.auto_replies.rules(session_tenant(state))
        except Exception as exc:
            log.warning("auto_reply_rules_unavailable", error=type(exc).__name__)
            return ()

    async def fire(
        self,
        state: SupervisionState,
        moment: Moment,
        now: int,
        channel: Channel,
        **variables: Any,
    ) -> Said:
        """The moment's rule, said now (delay 0 or no due queue) or scheduled."""
        found: Match | None = select(await self.rules(state), moment)
        if found is None:
            return Said()
        rule = found.rule
        text = fill(rule.reply_content, chat_variables(state, **variables))
        if rule.delay_seconds > 0 and self.deps.due is not None:
            item = {"kind": "deliver", "session_name": state["session_name"],
                    "rule_type": rule.type, "content": text, "at": now}  # fmt: skip
            await self.deps.due.schedule(item, due_after(now, rule.delay_seconds))
            return Said(matched=True, text=text)
        return Said(matched=True, items=[say(rule.type, text, now, channel)], text=text)

    async def welcome(self, state: SupervisionState, event: str, now: int) -> Said:
        return await self.fire(state, Moment("welcome", event=event), now, "message")

    async def keyword(self, state: SupervisionState, text: str, now: int) -> Said:
        return await self.fire(state, Moment("keyword", text=text), now, "message")

    async def offline_text(self, state: SupervisionState, now: int) -> str | None:
        """The offline rule's text (said by the caller in place of the shift's reply)."""
        found = select(await self.rules(state), Moment("offline"))
        if found is None:
            return None
        return fill(found.rule.reply_content, chat_variables(state))

    async def queued(self, state: SupervisionState, now: int) -> list[HistoryItem]:
        """An escalation entered the queue: busy (every agent at capacity), then queue."""
        availability = self.deps.availability
        wanted = [r for r in await self.rules(state) if r.enabled and r.type in ("busy", "queue")]
        if availability is None or not wanted:
            return []
        items: list[HistoryItem] = []
        try:
            tenant = session_tenant(state)
            position = await availability.queue_position(state["session_name"], tenant)
            busy = await availability.all_agents_busy(tenant)
        except Exception as exc:
            log.warning("auto_reply_availability_failed", error=type(exc).__name__)
            return []
        if busy:
            items += (await self.fire(state, Moment("busy"), now, "notice",
                                      queue_position=position)).items  # fmt: skip
        moment = Moment("queue", queue_position=position)
        items += (await self.fire(state, moment, now, "notice", queue_position=position)).items
        return items

    async def watch_wait(self, state: SupervisionState, now: int) -> None:
        """A customer wrote under human handling: check back when the timeout rule's wait is
        over (the check fires the rule only if no agent answered meanwhile)."""
        rule = first_of(await self.rules(state), "timeout")
        if rule is None or self.deps.due is None:
            return
        item = {"kind": "timeout_check", "session_name": state["session_name"], "since": now}
        await self.deps.due.schedule(item, due_after(now, timeout_seconds(rule)))

    async def still_waiting(self, state: SupervisionState, since: int, now: int) -> Said:
        """The timeout check: the latest customer message is still the one of `since` and no
        agent has spoken after it → the timeout rule's reply (a notice)."""
        history = state.get("history") or []
        users = [m for m in history if m.get("role") == "user"]
        if not users or int(users[-1]["timestamp"]) != since:
            return Said()  # a later message scheduled its own check
        if any(m.get("role") == "agent" and int(m["timestamp"]) >= since for m in history):
            return Said()
        moment = Moment("timeout", waited_seconds=now - since)
        waited_minutes = max(1, (now - since) // 60)
        return await self.fire(state, moment, now, "notice", wait_minutes=waited_minutes)


def due_after(now: int, seconds: float) -> float:
    """When something `seconds` from now falls due. `now` is the graph's whole-second clock: a
    due time built on it could fire up to a second early (a 2 s delay after 1.1 s), so the
    wall clock's fraction counts too (the sweeper takes items by the wall clock)."""
    return max(float(now), time.time()) + seconds
