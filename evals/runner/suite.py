"""What a suite is, and what it gets to work with.

A suite loads its dataset, evaluates one case at a time and summarises the case results into
metrics. A suite may declare more splits than dev (`extra_splits = {"blind": path}`): each split
present on disk is scored on its own, so a dev figure and a blind figure are never averaged
together. The engine does the rest (cache, progress, errors, timing), so a suite module stays a
description of *how to score one case*. Expensive things (MCP servers, a search index) are
opened through `Resources` on first use: a fully cached re-run never starts them.
"""

from __future__ import annotations

import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date
from hashlib import sha256
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar, cast

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel

from core.settings import Settings
from evals.runner.cache import ResultCache
from evals.runner.results import SPLITS, CaseResult
from evals.runner.schema import DatasetError, load_jsonl, where
from prompts import get_prompt

T = TypeVar("T")
RowT = TypeVar("RowT", bound=BaseModel)


class SuiteUnavailable(RuntimeError):
    """A resource the suite needs cannot be opened (Redis down, MCP server crashed)."""


class Resources:
    """Lazily opened, shared by every suite and prompt variant of one run, closed at the end."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stack = AsyncExitStack()
        self._opened: dict[str, Any] = {}

    async def get(self, name: str, factory: Callable[[AsyncExitStack], Awaitable[T]]) -> T:
        if name not in self._opened:
            try:
                self._opened[name] = await factory(self.stack)
            except Exception as error:
                raise SuiteUnavailable(f"{name}: {type(error).__name__}: {error}") from error
        value: T = self._opened[name]
        return value

    async def aclose(self) -> None:
        await self.stack.aclose()


@dataclass
class RunContext:
    """One prompt variant of one run: settings (model, pinned prompts), cache, resources."""

    settings: Settings
    model_label: str
    resources: Resources
    cache: ResultCache
    today: date = field(default_factory=date.today)

    def prompt_label(self, name: str) -> str:
        """`free_chat_system@v2#<hash>`: the version that will load and its text's hash."""
        spec = get_prompt(name, settings=self.settings)
        return f"{spec.label}#{sha256(spec.path.read_bytes()).hexdigest()[:12]}"

    def chat_model(self, usage_type: str, context: dict[str, Any]) -> BaseChatModel:
        """The model under evaluation, without the offline fallback: a failing endpoint must
        show up as failing cases, not as offline answers scored as if they were the model's."""
        from graphs.runtime import workflow_context
        from tools.llm import build_chat_model

        return build_chat_model(
            self.settings,
            usage_type=usage_type,
            session_id=context.get("session_id"),
            context=workflow_context(context),
            degraded_mode=False,
        )


class Suite(ABC, Generic[RowT]):
    name: ClassVar[str]
    title: ClassVar[str]
    dataset: ClassVar[Path]
    row_model: ClassVar[type[BaseModel]]
    uses_model: ClassVar[bool] = False  # the model is part of the cache key
    prompts: ClassVar[tuple[str, ...]] = ()  # prompts whose version is part of the cache key
    code: ClassVar[tuple[str, ...]] = ()  # globs of the code under test (cache fingerprint)
    # Splits other than dev (`{"blind": path}`); dev is always `dataset`. A split whose file is
    # missing is absent from the run, not an error (blind sets are written on their own clock).
    extra_splits: ClassVar[dict[str, Path]] = {}
    # The row field that says what a case asks (text / query / question): a blind row may not
    # repeat a dev row's, nor its id, so a case cannot be "moved" to flatter a split.
    text_field: ClassVar[str | None] = None

    @property
    def splits(self) -> dict[str, Path]:
        """Every declared split, present or not, in report order."""
        declared = {"dev": self.dataset, **self.extra_splits}
        return {name: declared[name] for name in (*SPLITS, *declared) if name in declared}

    def present_splits(self, wanted: Sequence[str] = SPLITS) -> dict[str, Path]:
        """The wanted splits this run evaluates: dev always (a missing dev file is a dataset
        error when loaded), another split only when its file exists."""
        return {
            name: path
            for name, path in self.splits.items()
            if name in wanted and (name == "dev" or path.exists())
        }

    def skip_reason(self, ctx: RunContext) -> str | None:
        """Why this suite cannot run in this context (None: it can)."""
        return None

    def load(self, split: str = "dev") -> list[RowT]:
        return cast(list[RowT], load_jsonl(self.splits[split], self.row_model))

    def load_splits(self, wanted: Sequence[str] = SPLITS) -> dict[str, list[RowT]]:
        """Rows of every present split, refused when a split repeats another's id or text."""
        loaded = {name: self.load(name) for name in self.present_splits(wanted)}
        if problems := split_overlaps(self, loaded):
            raise DatasetError("; ".join(problems))
        return loaded

    def check(self, rows: Sequence[RowT], ctx: RunContext) -> None:
        """Extra validation against live data; raise `DatasetError`."""

    def key_extra(self, ctx: RunContext) -> dict[str, Any]:
        """Anything else a result depends on (the day the demo data is generated for)."""
        return {}

    @abstractmethod
    async def evaluate(self, row: RowT, ctx: RunContext) -> CaseResult: ...

    @abstractmethod
    def summarize(self, cases: Sequence[CaseResult]) -> tuple[dict[str, float], dict[str, Any]]:
        """(metrics in [0, 1] for the gate, info for people)."""


def normalised(text: str) -> str:
    """What counts as "the same text": NFKC, case-folded, without whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def split_overlaps(suite: Suite[Any], loaded: Mapping[str, Sequence[BaseModel]]) -> list[str]:
    """Ids and texts (`text_field`) a non-dev split shares with dev, one message each."""
    dev = loaded.get("dev")
    if dev is None:
        return []
    dev_ids = {str(getattr(r, "id", "")) for r in dev}
    field_name = suite.text_field
    dev_texts = (
        {normalised(str(getattr(r, field_name))): str(getattr(r, "id", "")) for r in dev}
        if field_name
        else {}
    )
    problems = []
    for split, rows in loaded.items():
        if split == "dev":
            continue
        file = where(suite.splits[split])
        for row in rows:
            row_id = str(getattr(row, "id", ""))
            if row_id in dev_ids:
                problems.append(f"{file}: id {row_id!r} is also in the dev split")
            if field_name and (same := dev_texts.get(normalised(str(getattr(row, field_name))))):
                problems.append(f"{file}: {row_id!r} repeats the {field_name} of dev {same!r}")
    return problems


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def mean_score(cases: Sequence[CaseResult], name: str) -> float:
    return mean([c.scores.get(name, 0.0) for c in cases])
