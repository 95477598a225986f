"""Running suites: cache look-ups, progress, per-case errors, prompt variants, splits.

Every present split of a suite (dev, and blind once its file exists) is run and summarised on
its own. The split is not part of the cache key: a case is its id and content, so moving a case
between files cannot change its score, and a warm cache serves both splits.

A case that raises is a failed case (with its error), not a crashed run, and is not cached. A
resource that cannot open (`SuiteUnavailable`) ends that suite with status "error". Prompt
versions are pinned the way the service pins them (`PROMPT_VERSIONS`), so the graphs under test
load exactly the version being evaluated.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal, Protocol

from core.settings import ROOT, Settings, get_settings
from evals.runner.cache import ResultCache, cache_key, code_fingerprint
from evals.runner.results import (
    SPLITS,
    CaseResult,
    PromptComparison,
    Report,
    RunResult,
    SuiteResult,
)
from evals.runner.schema import DatasetError, content_hash, where
from evals.runner.suite import Resources, RunContext, Suite, SuiteUnavailable
from prompts import get_prompt

STOP_AFTER_ERRORS = 3  # a suite whose first cases all raise (endpoint down) stops early


class Progress(Protocol):
    def start(self, suite: str, total: int) -> None: ...

    def advance(self, suite: str, cached: bool) -> None: ...

    def finish(self, suite: str, result: SuiteResult) -> None: ...


class NoProgress:
    def start(self, suite: str, total: int) -> None:
        return None

    def advance(self, suite: str, cached: bool) -> None:
        return None

    def finish(self, suite: str, result: SuiteResult) -> None:
        return None


@dataclass(frozen=True)
class Compare:
    prompt: str
    versions: tuple[str, str]


@dataclass
class RunPlan:
    suites: Sequence[Suite[Any]]
    settings: Settings
    model_label: str
    pins: dict[str, str] = field(default_factory=dict)  # --prompt name=version
    compare: Compare | None = None
    cache: ResultCache = field(default_factory=ResultCache)
    splits: tuple[str, ...] = SPLITS  # --split dev|blind|all


@contextmanager
def pinned_prompts(versions: dict[str, str]) -> Iterator[None]:
    """`load_prompt(name)` inside the graphs reads the process settings' PROMPT_VERSIONS."""
    process = get_settings()
    before = process.prompt_versions
    process.prompt_versions = {**before, **versions}
    try:
        yield
    finally:
        process.prompt_versions = before


def progress_label(suite: str, split: str) -> str:
    return f"{suite}/{split}"


async def run_split(
    suite: Suite[Any], split: str, rows: Sequence[Any], ctx: RunContext, progress: Progress
) -> SuiteResult:
    """One split of one suite: cached cases read back, the others evaluated, then summarised."""
    started = time.perf_counter()
    label = progress_label(suite.name, split)
    try:
        suite.check(rows, ctx)
    except DatasetError as error:
        raise DatasetError(f"{where(suite.splits[split])}: {error}") from None
    base: dict[str, Any] = {
        "suite": suite.name,
        "code": code_fingerprint(suite.code),
        "model": ctx.model_label if suite.uses_model else None,
        "prompts": {name: ctx.prompt_label(name) for name in suite.prompts},
        **suite.key_extra(ctx),
    }
    cases: list[CaseResult] = []
    evaluated = errors_before_success = 0

    def stopped(reason: str) -> SuiteResult:
        result = SuiteResult(
            name=suite.name,
            title=suite.title,
            split=split,
            status="error",
            reason=reason,
            cases=cases,
            evaluated=evaluated,
            seconds=round(time.perf_counter() - started, 3),
        )
        progress.finish(label, result)
        return result

    progress.start(label, len(rows))
    for row in rows:
        key = cache_key(**base, case=row.id, content=content_hash(row))
        case = ctx.cache.get(suite.name, key)
        if case is None:
            evaluated += 1
            case_started = time.perf_counter()
            try:
                case = await suite.evaluate(row, ctx)
            except SuiteUnavailable as error:
                return stopped(str(error))
            except Exception as error:
                case = CaseResult(id=row.id, passed=False, error=f"{type(error).__name__}: {error}")
            case.seconds = round(time.perf_counter() - case_started, 3)
            if case.error is None:
                ctx.cache.put(suite.name, key, case)
        cases.append(case)
        progress.advance(label, case.cached)
        if case.error is None:
            errors_before_success = -len(rows)  # something works: never stop early
        elif (errors_before_success := errors_before_success + 1) == STOP_AFTER_ERRORS:
            return stopped(f"the first {STOP_AFTER_ERRORS} cases raised, stopped: {case.error}")
    metrics, info = suite.summarize(cases)
    result = SuiteResult(
        name=suite.name,
        title=suite.title,
        split=split,
        status="ok",
        metrics={k: round(v, 4) for k, v in metrics.items()},
        info=info,
        cases=cases,
        evaluated=evaluated,
        cached=len(cases) - evaluated,
        seconds=round(time.perf_counter() - started, 3),
    )
    progress.finish(label, result)
    return result


async def run_suite(
    suite: Suite[Any], ctx: RunContext, progress: Progress, wanted: Sequence[str] = SPLITS
) -> list[SuiteResult]:
    """Every wanted split present on disk, in report order; one result per split."""
    present = suite.present_splits(wanted)

    def marked(split: str, status: Literal["skipped", "error"], reason: str) -> SuiteResult:
        result = SuiteResult(
            name=suite.name, title=suite.title, split=split, status=status, reason=reason
        )
        progress.finish(progress_label(suite.name, split), result)
        return result

    if not present:  # --split blind on a suite without a blind file
        files = [where(suite.splits[s]) for s in wanted if s in suite.splits]
        absent = f"no {'/'.join(wanted)} split" + (f" ({', '.join(files)} not found)" * bool(files))
        return [marked(wanted[0], "skipped", absent)]
    if skip := suite.skip_reason(ctx):
        return [marked(split, "skipped", skip) for split in present]
    results: list[SuiteResult] = []
    for split, rows in suite.load_splits(wanted).items():
        if results and results[-1].status == "error":  # the endpoint or a server is down
            after = f"not run: the {results[-1].split} split errored"
            results.append(marked(split, "error", after))
        else:
            results.append(await run_split(suite, split, rows, ctx, progress))
    return results


def _variants(plan: RunPlan) -> list[tuple[str, dict[str, str]]]:
    if plan.compare is None:
        label = ",".join(f"{k}={v}" for k, v in plan.pins.items()) or "default"
        return [(label, dict(plan.pins))]
    name = plan.compare.prompt
    return [(f"{name}={v}", {**plan.pins, name: v}) for v in plan.compare.versions]


def prompt_diff(prompt: str, versions: tuple[str, str]) -> str:
    """Unified diff of the two prompt files, as `git diff` would show it."""
    old, new = (get_prompt(prompt, v).path for v in versions)
    lines = difflib.unified_diff(
        old.read_text(encoding="utf-8").splitlines(keepends=True),
        new.read_text(encoding="utf-8").splitlines(keepends=True),
        fromfile=str(old.relative_to(ROOT)),
        tofile=str(new.relative_to(ROOT)),
    )
    return "".join(lines)


async def execute(plan: RunPlan, progress: Progress | None = None) -> Report:
    """Run every suite of the plan under every prompt variant; resources closed at the end."""
    progress = progress or NoProgress()
    started = time.perf_counter()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    resources = Resources(plan.settings)
    runs: list[RunResult] = []
    try:
        for index, (label, pins) in enumerate(_variants(plan)):
            merged = {**plan.settings.prompt_versions, **pins}
            settings = plan.settings.model_copy(update={"prompt_versions": merged})
            ctx = RunContext(settings, plan.model_label, resources, plan.cache)
            run = RunResult(label=label, model=plan.model_label, prompt_versions={})
            with pinned_prompts(pins):
                for suite in plan.suites:
                    for name in suite.prompts:
                        run.prompt_versions[name] = (
                            f"v{get_prompt(name, settings=settings).version}"
                        )
                    if index and plan.compare and plan.compare.prompt not in suite.prompts:
                        same = runs[0].splits_of(suite.name)  # does not read the prompt
                        if same:
                            run.suites += same
                            continue
                    run.suites += await run_suite(suite, ctx, progress, plan.splits)
            runs.append(run)
    finally:
        await resources.aclose()
    comparison = None
    if plan.compare:
        diff = prompt_diff(plan.compare.prompt, plan.compare.versions)
        comparison = PromptComparison(
            prompt=plan.compare.prompt, versions=list(plan.compare.versions), diff=diff
        )
    return Report(
        started_at=started_at,
        seconds=round(time.perf_counter() - started, 2),
        today=date.today().isoformat(),
        runs=runs,
        comparison=comparison,
    )
