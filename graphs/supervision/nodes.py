"""Supervision nodes. Thin on purpose: the policy decides (policy.py), the status table allows
(transitions.py), the shift says who is on duty (shift.py); nodes call them, write history,
audit and events, and route.

`manual` runs once per resume: `interrupt()` first, side effects after (manual.py applies the
event), then it routes back to itself (a fresh interrupt) or to END. A node re-executed on resume
therefore never repeats an audit line or an event. An event the status does not allow is refused
with an `error` event and the session keeps waiting (the service checks the same rules before
resuming).
"""

from __future__ import annotations

import asyncio
import inspect
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from langchain_core.language_models import BaseChatModel
from langgraph.graph import END
from langgraph.types import Command, interrupt

from core.errors import InvalidInput, SwitchboardError, Unavailable
from core.logging import get_logger
from graphs.supervision import events as ev
from graphs.supervision.ai_turn import AiTurn
from graphs.supervision.auto_reply_nodes import AutoReplies, say, session_tenant
from graphs.supervision.graph import SupervisionDeps, provide, provide_for
from graphs.supervision.knowledge import Grounding, ground, sources_text
from graphs.supervision.language import Language, system_message
from graphs.supervision.manual import HumanSideEvents
from graphs.supervision.outbox import MailHandoff, mail_verdict, unsent_mail
from graphs.supervision.policy import (
    EscalationDecision,
    TurnContext,
    evaluate,
    evaluate_without_model,
)
from graphs.supervision.rules import PolicyRules, raise_severity
from graphs.supervision.shift import ShiftConfig, is_on_duty, offline_message
from graphs.supervision.state import (
    HistoryItem,
    SupervisionState,
    UserProfile,
    customer_language,
    inbox_request,
    new_message,
    parse_resume,
    recent_history,
    transcript_lines,
    user_texts,
)
from graphs.supervision.transitions import SessionEvent, apply, transition
from prompts import load_prompt

log = get_logger(__name__)
E = SessionEvent

AI_FALLBACK: Final[Mapping[Language, str]] = {
    "zh-TW": "抱歉，系統暫時無法回覆您的問題，請稍後再試；若需要協助，也可以要求轉接真人客服。",
    "zh-CN": "抱歉，系统暂时无法回复您的问题，请稍后再试；如需协助，也可以要求转接人工客服。",
    "en": "Sorry, I can't answer right now. Please try again shortly, or ask for a human agent.",
}


class SupervisionNodes:
    def __init__(self, deps: SupervisionDeps) -> None:
        self.deps = deps
        self.human_side = HumanSideEvents(deps)
        self.auto = AutoReplies(deps)
        self.ai = AiTurn(deps, self._model, self._shift)

    def _now(self) -> tuple[datetime, int]:
        at = self.deps.clock()
        return at, int(at.timestamp())

    async def _rules(self) -> PolicyRules:
        return await provide(self.deps.rules)  # type: ignore[no-any-return]

    async def _shift(self, state: SupervisionState) -> ShiftConfig:
        """The shift hours of the session's tenant."""
        shift: ShiftConfig = await provide_for(self.deps.shift, session_tenant(state))
        return shift

    async def _model(self, usage_type: str, state: SupervisionState) -> BaseChatModel:
        """The session's tenant's chat model (the factory may need a lookup: awaitable)."""
        model = self.deps.chat_model(usage_type, state)
        return await model if inspect.isawaitable(model) else model

    # --- entry -----------------------------------------------------------------------------

    async def receive(self, state: SupervisionState) -> Command[str]:
        """Route a new run: create the session, take a customer turn, or an explicit event."""
        incoming = dict(state.get("incoming") or {})
        kind = incoming.get("type")
        _, now = self._now()
        base: dict[str, Any] = {"incoming": None, "updated_at": now}
        if kind == "start":
            profile = UserProfile.model_validate(incoming.get("user_profile") or {})
            started: dict[str, Any] = {
                **base, "session_name": incoming["session_name"],
                "conversation_id": f"conv_{uuid.uuid4().hex[:16]}", "status": "bot_active",
                "tenant_id": str(incoming.get("tenant_id") or self.deps.knowledge_tenant),
                "user_profile": profile.model_dump(), "escalation": None,
                "escalation_epoch": 0, "assigned_agent": None,
                "mail": {"sent": False, "email_to": []}, "ai_fail_count": 0,
                "last_manual_end_at": None, "tags": [], "created_at": now,
            }  # fmt: skip
            hello = await self.auto.welcome(started, "conversation_start", now)  # type: ignore[arg-type]
            return Command(goto=END, update={**started, "history": hello.items})
        if kind == "user_message":
            transition(state["status"], E.USER_MESSAGE)
            message = new_message("user", str(incoming["content"]), now)
            said = [] if user_texts(state) else (await self.auto.welcome(state, "first_message",
                                                                           now)).items  # fmt: skip
            return Command(goto="policy", update={**base, "history": [message, *said]})
        if kind == "auto_reply":  # a delayed auto-reply falls due while the AI has the chat
            item = say(str(incoming["rule_type"]), str(incoming["content"]), now, "notice")
            return Command(goto=END, update={**base, "history": [item]})
        if kind == "timeout_check":  # nobody waits for an agent any more
            return Command(goto=END, update=base)
        if kind == "escalate":
            return Command(goto="escalate", update={**base, "escalation": await self._asked(
                state, incoming, now)})  # fmt: skip
        if kind in ("takeover", "close"):
            update, goto = await self.human_side.apply(state, parse_resume(incoming))
            return Command(goto=goto, update={**base, **update})
        raise InvalidInput(f"unknown supervision input {kind!r}")

    async def _asked(
        self, state: SupervisionState, incoming: Mapping[str, Any], now: int
    ) -> dict[str, Any]:
        """An explicit escalation (button, API): medium, raised for VIPs like the policy does."""
        rules = await self._rules()
        vip = bool((state.get("user_profile") or {}).get("vip"))
        raised = vip and rules.vip.raise_other_severities
        severity = raise_severity("medium") if raised else "medium"
        reason = str(incoming.get("reason") or "user_request")
        details = incoming.get("details") or "客戶要求真人服務（人工客服按鈕）"
        return {"reason": reason, "details": details, "severity": severity, "trigger_at": now}

    # --- bot turn ---------------------------------------------------------------------------

    def _turn(self, state: SupervisionState, fails: int | None = None) -> TurnContext:
        texts = user_texts(state)
        last = (state.get("history") or [])[-1]
        return TurnContext(
            text=texts[-1] if texts else "",
            at=int(last["timestamp"]),
            ai_fail_count=state.get("ai_fail_count", 0) if fails is None else fails,
            user_profile=state.get("user_profile") or {},  # type: ignore[arg-type]
            history=tuple(texts[-6:-1]),
        )

    async def _decide(self, turn: TurnContext) -> EscalationDecision | None:
        """The rules and the screen's first look on the loop (sub-millisecond); only a turn
        they leave open (including a keyword hit awaiting its veto check) goes to the semantic
        layer, whose embedding (~15-30 ms of CPU) runs off the event loop."""
        rules = await self._rules()
        matcher = self.deps.matcher
        decision = evaluate_without_model(turn, rules, self.deps.scorer, matcher)
        if not isinstance(decision, str):  # decided, or nothing to decide
            return decision
        return await asyncio.to_thread(evaluate, turn, rules, self.deps.scorer, matcher)

    async def policy(self, state: SupervisionState) -> Command[str]:
        decision = await self._decide(self._turn(state))
        if decision is None:
            _, now = self._now()
            said = await self.auto.keyword(state, self._turn(state).text, now)
            if said.matched:  # a keyword rule answers the turn instead of the AI
                return Command(goto=END, update={"history": said.items, "updated_at": now})
            return Command(goto="answer")
        return Command(goto="escalate", update={"escalation": decision.as_escalation()})

    async def answer(self, state: SupervisionState) -> Command[str]:
        """The AI's reply, streamed as `message` events, grounded in the knowledge base and
        ending with its sources (also a `citations` event and the item's `citations`). A
        failure gets the polite fallback; a degraded answer (the offline model stood in for the
        configured one) stays, but both count as an AI failure."""
        try:
            async with asyncio.timeout(self.deps.ai_timeout_seconds):
                grounding = await self._ground(state)
                text, degraded = await self.ai.reply(state, grounding)
            if not text.strip():
                raise ValueError("empty answer")
        except Exception as exc:  # the model, a tool or the timeout: the customer gets a reply
            log.warning("supervision_ai_failed", session=state.get("session_name"),
                        error=type(exc).__name__)  # fmt: skip
            return await self._ai_failed(state)
        _, now = self._now()
        reply = new_message("assistant", text, now)
        if cited := (grounding.cited(text) if grounding is not None else []):
            tail = sources_text(cited, customer_language(state))
            ev.emit(ev.message(tail))
            reply["content"] += tail
            reply["citations"] = [dict(c) for c in cited]
            ev.emit(ev.citations(reply["id"], reply["citations"]))
        if degraded:
            log.warning("supervision_ai_degraded", session=state.get("session_name"))
            return await self._ai_failed(state, answered=reply)
        return Command(goto=END, update={"history": [reply], "updated_at": now})

    async def _ground(self, state: SupervisionState) -> Grounding | None:
        """The knowledge base on the customer's last message (None: no knowledge base here)."""
        texts = user_texts(state)
        if self.deps.knowledge is None or not texts:
            return None
        tenant = state.get("tenant_id") or self.deps.knowledge_tenant
        return await ground(self.deps.knowledge, tenant, texts[-1], self.deps.knowledge_top_k)

    async def _ai_failed(
        self, state: SupervisionState, answered: HistoryItem | None = None
    ) -> Command[str]:
        """One more AI failure, then the policy again (3 → `ai_failure`). `answered`: the
        degraded reply the customer already saw; otherwise the polite fallback is sent."""
        _, now = self._now()
        if answered is None:
            text = AI_FALLBACK[customer_language(state)]
            ev.emit(ev.message(text))
            answered = new_message("assistant", text, now)
        fails = state.get("ai_fail_count", 0) + 1
        update: dict[str, Any] = {
            "history": [answered],
            "ai_fail_count": fails,
            "updated_at": now,
        }
        decision = await self._decide(self._turn(state, fails))
        if decision is None:
            return Command(goto=END, update=update)
        return Command(goto="escalate", update={**update, "escalation": decision.as_escalation()})

    # --- escalation -------------------------------------------------------------------------

    async def escalate(self, state: SupervisionState) -> Command[str]:
        """pending_manual on duty (then wait in `manual`); off duty: auto-reply + mail."""
        at, now = self._now()
        escalation = dict(state.get("escalation") or {})
        shift = await self._shift(state)
        language = customer_language(state)
        if not is_on_duty(shift, at):
            return await self._after_hours(state, escalation, shift, language, at)
        operator = "user" if escalation.get("reason") == "user_request" else "system"
        status = apply(state["status"], E.ESCALATE, operator=operator, at=now)[0].value
        epoch = state.get("escalation_epoch", 0) + 1
        await self.deps.audit.record(
            state["session_name"], status_from=state["status"], status_to=status,
            operator=operator, reason=str(escalation.get("reason")), at=now,
            detail={"event": "escalate", "epoch": epoch, "details": escalation.get("details"),
                    "severity": escalation.get("severity")},
        )  # fmt: skip
        notice = system_message("escalated", language)
        ev.emit(ev.status_change(status, str(escalation.get("reason")), now))
        ev.emit(ev.manual_message("system", notice, now))
        queued = await self.auto.queued(state, now)  # busy / queue auto-replies
        escalation["summary"] = await self._summary(state, escalation)
        return Command(goto="manual", update={
            "status": status, "escalation": escalation, "escalation_epoch": epoch,
            "assigned_agent": None, "history": [new_message("system", notice, now), *queued],
            "updated_at": now,
        })  # fmt: skip

    async def _after_hours(
        self,
        state: SupervisionState,
        escalation: dict[str, Any],
        shift: ShiftConfig,
        language: Language,
        at: datetime,
    ) -> Command[str]:
        """No agent on duty: no queue slot; one handoff mail per off-duty stretch."""
        now = int(at.timestamp())
        ruled = await self.auto.offline_text(state, now)
        reply = ruled or offline_message(shift, language)
        ev.emit(ev.message(reply))
        history = [new_message("assistant", reply, now)]
        if ruled is not None:
            history[0]["auto_reply"] = "offline"
        update: dict[str, Any] = {"history": history, "escalation": escalation,
                                  "ai_fail_count": 0, "updated_at": now}  # fmt: skip
        verdict = mail_verdict(state.get("mail") or {}, shift, at)
        if verdict == "already_sent":
            return Command(goto=END, update=update)
        if verdict == "not_configured":  # said as the email route says it: nothing was sent
            log.warning("supervision_mail_not_configured", session=state.get("session_name"))
            return Command(goto=END, update={**update, "mail": unsent_mail(now)})
        full = {**state, "escalation": escalation, "history": [*state.get("history", []), *history]}
        handoff = MailHandoff.for_session(full, shift.email_to, now)
        mail_id = await self.deps.outbox.send(handoff)
        update["mail"] = {"sent": True, "email_to": list(shift.email_to), "mail_id": mail_id,
                          "sent_at": now}  # fmt: skip
        await self.deps.audit.record(
            state["session_name"], status_from=state["status"], status_to=state["status"],
            operator="system", reason="after_hours_email", at=now,
            detail={"event": "escalate", "mail_id": mail_id, "escalation": escalation},
        )  # fmt: skip
        return Command(goto=END, update=update)

    async def _summary(self, state: SupervisionState, escalation: Mapping[str, Any]) -> str:
        """The agent's handoff summary (escalation_summary prompt); never blocks escalating."""
        lines = transcript_lines(recent_history(state, 30))
        reason = f"{escalation.get('reason')}：{escalation.get('details')}"
        try:
            model = await self._model("escalation_summary", state)
            prompt = load_prompt("escalation_summary").format_messages(
                transcript="\n".join(lines) or "（無）", reason=reason
            )
            async with asyncio.timeout(self.deps.summary_timeout_seconds):
                reply = await model.ainvoke(prompt)
            if reply.text.strip():
                return reply.text
        except Exception as exc:
            log.warning("supervision_summary_failed", error=type(exc).__name__)
        return f"轉接原因：{reason}"

    # --- waiting for humans -----------------------------------------------------------------

    async def manual(self, state: SupervisionState) -> Command[str]:
        """Wait for the next human-side event. Never fails after `interrupt()` returns: a
        failed task would replay this resume value on the next resume (LangGraph keeps it in
        the task's writes), so a refused or failed event becomes an `error` event instead and
        the session keeps waiting unchanged."""
        value = interrupt(inbox_request(state))
        try:
            update, goto = await self.human_side.apply(state, parse_resume(value))
        except SwitchboardError as exc:
            ev.emit(ev.error(exc.message, exc.code))
            return Command(goto="manual")
        except Exception as exc:
            log.warning("supervision_event_failed", error=type(exc).__name__)
            ev.emit(ev.error(f"{type(exc).__name__}: {exc}", Unavailable.code))
            return Command(goto="manual")
        return Command(goto=goto, update=update)
