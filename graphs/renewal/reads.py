"""One checkpoint read per step: the run reuses the read its request just checked.

A step reads the session (who may touch it, which step waits) and then resumes the graph, whose
loop reads the same latest checkpoint again: a second Redis round trip and a second decode of
the whole state for data the API holds already (under the session's lock nothing can move it
in between). `ReadOnceSaver` wraps the renewal graph's checkpointer: after `arm(thread_id)`
(`RenewalFlow.read` does it) the next read of that thread's latest checkpoint is kept, and the
run's read that follows gets it instead of asking Redis. A kept read is used once, only in the
request (context) that made it, and dropped on any write to the thread.

An armed read may also carry commands that ride ahead of it in its round trip (`Ahead`): the
API's session lock is taken that way, before the read on the server, without a round trip of
its own (issue 24). Only a saver with `aget_tuple_after` (the Redis one) carries them
(`ReadOnceSaver.carries`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
)


class Ahead:
    """Redis commands to send ahead of a thread's next latest-checkpoint read, in its round
    trip; `replies` (errors as values) once they went."""

    __slots__ = ("commands", "replies")

    def __init__(self, commands: Sequence[tuple[Any, ...]]) -> None:
        self.commands = list(commands)
        self.replies: list[Any] | None = None


class _Kept:
    """The latest checkpoint of one thread, read in this request, not used yet."""

    __slots__ = ("ahead", "full", "saved", "thread_id")

    def __init__(self, thread_id: str, ahead: Ahead | None) -> None:
        self.thread_id = thread_id
        self.saved: CheckpointTuple | None = None
        self.full = False
        self.ahead = ahead


_kept: ContextVar[_Kept | None] = ContextVar("renewal_kept_read", default=None)


def arm(thread_id: str, ahead: Ahead | None = None) -> None:
    """Keep the next read of `thread_id`'s latest checkpoint for the run that follows it in
    this request (a read that is never followed by a run is simply dropped with the request);
    `ahead` goes in that read's round trip, before it."""
    _kept.set(_Kept(thread_id, ahead))


def _latest_of(config: RunnableConfig, thread_id: str) -> bool:
    conf = config.get("configurable") or {}
    return (
        str(conf.get("thread_id")) == thread_id
        and not conf.get("checkpoint_ns")
        and get_checkpoint_id(config) is None
    )


def _delegate(name: str) -> Callable[..., Any]:
    def call(self: ReadOnceSaver, *args: Any, **kwargs: Any) -> Any:
        return getattr(self.inner, name)(*args, **kwargs)

    call.__name__ = name
    return call


class ReadOnceSaver(BaseCheckpointSaver[str]):
    """The wrapped saver, except that an armed read is reused once (see the module)."""

    def __init__(self, inner: BaseCheckpointSaver[Any]) -> None:
        super().__init__(serde=inner.serde)
        self.inner = inner

    @property
    def config_specs(self) -> list[Any]:
        return list(self.inner.config_specs)

    def __getattr__(self, name: str) -> Any:  # the wrapped saver's own extras (setup, aclose)
        return getattr(self.inner, name)

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        kept = _kept.get()
        if kept is None or not _latest_of(config, kept.thread_id):
            return await self.inner.aget_tuple(config)
        if kept.full:
            saved, kept.saved, kept.full = kept.saved, None, False
            return saved
        ahead, kept.ahead = kept.ahead, None
        if ahead is None:
            saved = await self.inner.aget_tuple(config)
        else:
            carry = self.inner.aget_tuple_after  # type: ignore[attr-defined]  # see `carries`
            ahead.replies, saved = await carry(config, ahead.commands)
        kept.saved, kept.full = saved, True
        return saved

    @property
    def carries(self) -> bool:
        """Whether an armed read can carry `Ahead` commands (the wrapped saver sends them)."""
        return callable(getattr(self.inner, "aget_tuple_after", None))

    def _drop(self, config: RunnableConfig) -> None:
        kept = _kept.get()
        conf = config.get("configurable") or {}
        if kept is not None and str(conf.get("thread_id")) == kept.thread_id:
            kept.saved, kept.full = None, False

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        self._drop(config)
        return await self.inner.aput(config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Any,
        task_id: str,
        task_path: str = "",
    ) -> None:
        self._drop(config)
        await self.inner.aput_writes(config, writes, task_id, task_path)


for _name in (
    "get_tuple", "list", "put", "put_writes", "delete_thread", "alist", "adelete_thread",
    "get_next_version", "get", "aget", "copy_thread", "acopy_thread", "delete_for_runs",
    "adelete_for_runs", "prune", "aprune", "get_delta_channel_history",
    "aget_delta_channel_history", "with_allowlist",
):  # fmt: skip
    setattr(ReadOnceSaver, _name, _delegate(_name))
