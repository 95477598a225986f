"""What the renewal graph needs from outside, as narrow protocols.

The API and Studio hand in real implementations (the MCP toolbox, the service database, the
chat model); the graph never imports them, so it stays a thin map of steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel


class ToolCaller(Protocol):
    async def call(self, tool: str, **arguments: Any) -> Any: ...


class RenewalRecords(Protocol):
    """The service database's side of a renewal: the record and the service log."""

    async def completed(self, session_id: str, selections: dict[str, Any]) -> int: ...

    async def abandoned(self, session_id: str, reason: str | None) -> None: ...

    async def progressed(
        self,
        session_id: str,
        step: str,
        selections: dict[str, Any],
        customer: dict[str, Any] | None = None,
    ) -> None: ...


class NoRecords:
    """For Studio and tests of the graph alone: nothing is written."""

    async def completed(self, session_id: str, selections: dict[str, Any]) -> int:
        return 0

    async def abandoned(self, session_id: str, reason: str | None) -> None:
        return None

    async def progressed(
        self,
        session_id: str,
        step: str,
        selections: dict[str, Any],
        customer: dict[str, Any] | None = None,
    ) -> None:
        return None


@dataclass(frozen=True)
class RenewalDeps:
    tools: ToolCaller
    records: RenewalRecords
    # Builds the chat model for the comparison narrative (usage is logged against the session).
    chat_model: Callable[[str, dict[str, Any]], BaseChatModel]  # (usage_type, state)
