"""Driving the renewal graph: start a session, answer the waiting step, read where it stands.

The API, the CLI and the tests use this instead of talking to the compiled graph directly, so
"which step is waiting" has one definition: the pending interrupt's `step`. An answer for any
other step is refused with WRONG_STEP before the graph is touched.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph._internal._constants import INTERRUPT, NULL_TASK_ID, RESUME
from langgraph.channels.last_value import LastValue
from langgraph.checkpoint.base import LATEST_VERSION, BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, Durability, Interrupt
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import InvalidInput, NotFound, WrongStep, error_from_code
from graphs.renewal.reads import Ahead, ReadOnceSaver, arm
from graphs.renewal.records import SqlRenewalRecords
from graphs.renewal.steps import INPUTS, Step, parse_answer

# A step is one run from one interrupt to the next; checkpointing only where it stops saves a
# checkpoint write per superstep (~8% of a step's CPU). A run cut off midway leaves the session
# waiting where it was, so the answer is simply sent again: the nodes' side effects are
# idempotent (progress is an UPDATE, reservations carry an idempotency key).
DURABILITY: Durability = "exit"

# Refusals that are answers, not errors: the staff see the reasons and pick again.
ANSWER_REFUSALS = frozenset({"NOT_ELIGIBLE"})


def resume_value(step: Step, value: dict[str, Any]) -> dict[str, Any]:
    """LangGraph reads `{}` as an (empty) map of interrupt ids, not as an answer: send the step's
    defaults instead (or refuse, naming the missing field)."""
    if value:
        return value
    try:
        return INPUTS[step]().model_dump(mode="json")
    except ValidationError:
        parse_answer(step, value, [])  # raises InvalidInput naming the missing field
        raise


def new_session_id(staff_id: str) -> str:
    return f"renewal_{staff_id}_{uuid.uuid4().hex[:12]}"


SELECTION_KEYS = (
    "customer",
    "selected_phone",
    "eligibility",
    "renewal_type",
    "device_type",
    "device_os",
    "selected_device",
    "selected_plan",
    "comparison",
    "summary",
    "submission",
)


def session_view(
    session_id: str, values: dict[str, Any], waiting: dict[str, Any] | None
) -> dict[str, Any]:
    """What every caller sees of a session: the waiting step's payload, or the outcome."""
    return {
        "session_id": session_id,
        "staff_id": values.get("staff_id"),
        "store_id": values.get("store_id"),
        "current_step": waiting["step"] if waiting else None,
        "waiting": waiting,
        "outcome": values.get("outcome"),
        "notice": values.get("notice"),
        "selections": {k: values.get(k) for k in SELECTION_KEYS},
    }


def idle_expired(
    view: dict[str, Any], last_moved: datetime | None, now: datetime, idle_seconds: float
) -> bool:
    """A session still waiting for an answer and untouched for longer than `idle_seconds`
    (seed 000: sessions live 1 hour). Finished sessions never expire: their outcome stays
    readable."""
    if view["current_step"] is None or last_moved is None:
        return False
    return (now - last_moved).total_seconds() > idle_seconds


def expect_step(view: dict[str, Any], step: Step) -> None:
    """WRONG_STEP (409, naming where the session waits) unless `step` is the waiting one."""
    if view["current_step"] != step.value:
        raise WrongStep(
            f"the session is waiting at {view['current_step'] or 'nothing (finished)'}, "
            f"not {step.value}",
            current_step=view["current_step"],
        )


class RenewalFlow:
    def __init__(self, graph: CompiledStateGraph, sessions: async_sessionmaker[AsyncSession]):
        self.graph = graph
        self.sessions = sessions
        self.records = SqlRenewalRecords(sessions)
        keys = graph.stream_channels_asis
        self._state_keys = [keys] if isinstance(keys, str) else list(keys)
        # a state channel's saved value is its value only for plain (last value) channels
        self._plain_channels = all(
            type(graph.channels.get(k)) is LastValue for k in self._state_keys
        )

    @staticmethod
    def config(session_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": session_id}}

    async def start(self, staff_id: int | str, store_id: str) -> dict[str, Any]:
        """A new session waiting at its first step (with its record for a member of staff)."""
        return await self.begin(await self.open(staff_id, store_id), staff_id, store_id)

    async def open(self, staff_id: int | str, store_id: str, *, active_store: bool = False) -> str:
        """A new session id, and its record when a member of staff (a numeric id) opens it.

        `active_store`: refuse (InvalidInput on `store_id`) a store that is not an active one,
        checked on the record's own connection (the API's start)."""
        session_id = new_session_id(str(staff_id))
        if str(staff_id).isdigit():
            opened = await self.records.opened(
                session_id,
                staff_id=int(staff_id),
                store_id=store_id,
                current_step=Step.QUERY_CUSTOMER.value,
                active_store=active_store,
            )
            if not opened:
                raise InvalidInput(f"store_id: no active store {store_id}", field="store_id")
        return session_id

    async def begin(self, session_id: str, staff_id: int | str, store_id: str) -> dict[str, Any]:
        """Run an opened session's graph to its first waiting step."""
        start: dict[str, Any] = {
            "session_id": session_id,
            "staff_id": str(staff_id),
            "store_id": store_id,
            "visited": [],
        }
        output = await self.graph.ainvoke(
            start, self.config(session_id), version="v2", durability=DURABILITY
        )
        return session_view(session_id, output.value, output.interrupts[0].value)

    async def view(self, session_id: str) -> dict[str, Any]:
        """Where the session stands: the waiting step's payload, or the outcome."""
        return (await self.read(session_id))[0]

    @property
    def reads_carry(self) -> bool:
        """Whether `read(..., ahead=)` sends `ahead` in the read's round trip (the graph's
        saver is a `ReadOnceSaver` over the Redis saver); else `ahead` is never sent."""
        saver = self.graph.checkpointer
        return isinstance(saver, ReadOnceSaver) and saver.carries

    async def read(
        self, session_id: str, *, ahead: Ahead | None = None
    ) -> tuple[dict[str, Any], datetime | None]:
        """The view and when the session last moved (its latest checkpoint: every answered
        step, refused or not, writes one; reads do not). The checkpoint read here is kept for
        a run that follows in this request (`graphs.renewal.reads`) and carries `ahead` (when
        `reads_carry`): commands sent before it in its round trip, e.g. the session lock's."""
        arm(session_id, ahead)
        fast = await self._read_saved(session_id)
        if fast is not None:
            return fast
        if ahead is not None and ahead.replies is not None:
            ahead = None  # sent with the fast read
        arm(session_id, ahead)  # the fast read used the kept one up: keep aget_state's for the run
        snapshot = await self.graph.aget_state(self.config(session_id))
        if not snapshot.values:
            raise NotFound(f"renewal session {session_id} not found")
        waiting = next((i.value for task in snapshot.tasks for i in task.interrupts), None)
        moved = datetime.fromisoformat(snapshot.created_at) if snapshot.created_at else None
        return session_view(session_id, snapshot.values, waiting), moved

    async def _read_saved(self, session_id: str) -> tuple[dict[str, Any], datetime | None] | None:
        """The view straight from the saved checkpoint, for the shape every waiting or
        finished renewal session has (plain state channels; pending writes, if any, only the
        waiting node's interrupt and answers): what `aget_state` would give, without building
        the graph's channels and next tasks (issue 24: most of a read's CPU). None for anything
        else, which then goes through `aget_state`."""
        saver = self.graph.checkpointer
        if not self._plain_channels or not isinstance(saver, BaseCheckpointSaver):
            return None
        saved = await saver.aget_tuple(self.config(session_id))
        if saved is None:
            raise NotFound(f"renewal session {session_id} not found")
        if saved.checkpoint.get("v", 0) < LATEST_VERSION:
            return None
        waiting: dict[str, Any] | None = None
        tasks = {task_id for task_id, _, _ in saved.pending_writes or ()}
        if len(tasks) > 1 or tasks & {NULL_TASK_ID}:
            return None
        for _, channel, value in saved.pending_writes or ():
            if channel == INTERRUPT:
                raised = value if isinstance(value, Sequence) else [value]
                if not raised or not isinstance(raised[0], Interrupt):
                    return None
                waiting = raised[0].value
            elif channel != RESUME:
                return None
        stored = saved.checkpoint["channel_values"]
        values = {k: stored[k] for k in self._state_keys if k in stored}
        if not values:
            raise NotFound(f"renewal session {session_id} not found")
        ts = saved.checkpoint.get("ts")
        return session_view(session_id, values, waiting), (
            datetime.fromisoformat(ts) if ts else None
        )

    def _check_refusal(self, view: dict[str, Any], step: Step) -> dict[str, Any]:
        error = (view.get("waiting") or {}).get("error")
        if view["current_step"] == step.value and error and error["code"] not in ANSWER_REFUSALS:
            raised = error_from_code(error["code"], error["message"])
            raised.details = {k: v for k, v in error.items() if k not in ("code", "message")}
            raised.details["current_step"] = step.value
            raise raised
        return view

    async def answer(
        self,
        session_id: str,
        step: Step,
        value: dict[str, Any],
        *,
        current: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Resume the waiting `step` with `value`; a refused answer raises its coded error.

        `current` is a view the caller read while holding the session's lock (it saves a state
        read); the next view comes from the run's own output, not from a second read."""
        expect_step(current or await self.view(session_id), step)
        resume: Command[Any] = Command(resume=resume_value(step, value))
        config = self.config(session_id)
        output = await self.graph.ainvoke(resume, config, version="v2", durability=DURABILITY)
        waiting = output.interrupts[0].value if output.interrupts else None
        return self._check_refusal(session_view(session_id, output.value, waiting), step)

    async def stream_answer(
        self,
        session_id: str,
        step: Step,
        value: dict[str, Any],
        *,
        current: dict[str, Any] | None = None,
    ) -> AsyncIterator[tuple[str, Any]]:
        """Like `answer`, yielding ("progress", event) and ("token", text) while the graph runs,
        then ("result", view)."""
        expect_step(current or await self.view(session_id), step)
        resume: Command[Any] = Command(resume=resume_value(step, value))
        values: dict[str, Any] = {}
        waiting: dict[str, Any] | None = None
        async for part in self.graph.astream(
            resume,
            self.config(session_id),
            stream_mode=["custom", "messages", "values"],
            version="v2",
            durability=DURABILITY,
        ):
            if part["type"] == "custom":
                yield "progress", part["data"]
            elif part["type"] == "messages":
                text = getattr(part["data"][0], "content", "")
                if text:
                    yield "token", text
            elif part["type"] == "values":
                values = part["data"]
                if part["interrupts"]:
                    waiting = part["interrupts"][0].value
        yield "result", self._check_refusal(session_view(session_id, values, waiting), step)
