"""Renewal suite: scripted staff journeys through the real renewal graph.

Each case answers the steps as a staff member would and is scored the way agentevals scores
trajectories: the waiting steps in order (strict) and as a set (unordered), and the MCP tool
calls the same two ways. Tool calls are captured by a recording proxy in front of the toolbox
(`RenewalDeps.tools` takes any `ToolCaller`), so no graph code is patched. The strict tool
sequence collapses consecutive repeats of one tool (a tool called several times in a row).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.errors import SwitchboardError
from evals.runner.environment import (
    STAFF_ID,
    STORE_ID,
    RecordingTools,
    args_match,
    environment,
    resolve_refs,
)
from evals.runner.results import CaseResult
from evals.runner.schema import DATASETS_DIR, RenewalRow
from evals.runner.suite import RunContext, Suite, mean_score
from graphs.renewal.steps import Step

SCORES = (
    "trajectory_strict",
    "trajectory_unordered",
    "tools_strict",
    "tools_unordered",
    "tool_args",
    "outcome",
)
PASS_ON = ("trajectory_strict", "tools_strict", "tool_args", "outcome")


def collapse(names: Sequence[str]) -> list[str]:
    """`a a b a` → `a b a`: one entry per run of the same tool."""
    return [n for i, n in enumerate(names) if i == 0 or names[i - 1] != n]


def screen_refs(view: dict[str, Any]) -> dict[str, Any]:
    """What `$plans[0]` and friends can point at on the current screen."""
    show = (view.get("waiting") or {}).get("show") or {}
    refs: dict[str, Any] = {}
    if show.get("plans"):
        refs["plans"] = [p["plan_id"] for p in show["plans"]]
    if show.get("devices"):
        refs["devices"] = [d["device_id"] for d in show["devices"]]
    if show.get("phones"):
        refs["phones"] = [p["phone_number"] for p in show["phones"]]
    return refs


def score_journey(
    row: RenewalRow,
    steps: list[str],
    calls: list[tuple[str, dict[str, Any]]],
    outcome: str | None,
    errors: list[str],
    refs: dict[str, Any],
) -> tuple[dict[str, float], list[str]]:
    """Scores of one journey, and the expected tool arguments no call carried."""
    names = [tool for tool, _ in calls]
    missing = [
        f"{e.tool}({e.args})"
        for e in row.expected_tool_args
        if not any(t == e.tool and args_match(resolve_refs(e.args, refs), a) for t, a in calls)
    ]
    scores = {
        "trajectory_strict": float(steps == row.expected_steps),
        "trajectory_unordered": float(set(steps) == set(row.expected_steps)),
        "tools_strict": float(collapse(names) == row.expected_tools),
        "tools_unordered": float(set(names) == set(row.expected_tools)),
        "tool_args": float(not missing),
        "outcome": float(outcome == row.expected_outcome and errors == row.expected_errors),
    }
    return scores, missing


class RenewalSuite(Suite[RenewalRow]):
    name = "renewal"
    title = "Renewal journeys (trajectory and tool calls)"
    dataset = DATASETS_DIR / "renewal.jsonl"
    row_model = RenewalRow
    uses_model = True  # the comparison narrative
    prompts = ("comparison_narrative",)
    code = (
        "graphs/renewal/*.py",
        "graphs/runtime.py",
        "mcp_servers/**/*.py",
        "tools/**/*.py",
        "evals/runner/environment.py",
        "evals/suites/renewal.py",
    )

    def key_extra(self, ctx: RunContext) -> dict[str, Any]:
        return {"today": ctx.today.isoformat(), "seed": ctx.settings.demo_seed}

    async def evaluate(self, row: RenewalRow, ctx: RunContext) -> CaseResult:
        env = await environment(ctx)
        env.reload_backoffice()
        recorder = RecordingTools(env.runtime.toolbox)
        flow = env.renewal_flow(recorder, ctx.chat_model)
        view = await flow.start(STAFF_ID, STORE_ID)
        session_id = view["session_id"]
        steps: list[str] = [view["current_step"]]
        errors: list[str] = []
        refs = screen_refs(view)
        for answer in row.answers:
            if view["current_step"] is None:
                errors.append("FINISHED_EARLY")  # answers left but the flow ended
                break
            value = resolve_refs(answer.value, refs)
            try:
                view = await flow.answer(session_id, Step(answer.step), value)
            except SwitchboardError as error:
                errors.append(error.code)
                view = await flow.view(session_id)
            else:
                refused = (view.get("waiting") or {}).get("error")
                if refused and view["current_step"] == answer.step:
                    errors.append(refused["code"])
            refs.update(screen_refs(view))
            if view["current_step"] is not None:
                steps.append(view["current_step"])
        scores, missing = score_journey(row, steps, recorder.calls, view["outcome"], errors, refs)
        names = [tool for tool, _ in recorder.calls]
        return CaseResult(
            id=row.id,
            passed=all(scores[k] for k in PASS_ON),
            scores=scores,
            details={
                "description": row.description,
                "expected": {
                    "steps": row.expected_steps,
                    "outcome": row.expected_outcome,
                    "errors": row.expected_errors,
                    "tools": row.expected_tools,
                },
                "actual": {
                    "steps": steps,
                    "outcome": view["outcome"],
                    "errors": errors,
                    "tools": collapse(names),
                },
                "tool_calls": len(names),
                "missing_tool_args": missing,
            },
        )

    def summarize(self, cases: Sequence[CaseResult]) -> tuple[dict[str, float], dict[str, Any]]:
        metrics = {name: mean_score(cases, name) for name in SCORES}
        metrics["pass_rate"] = sum(c.passed for c in cases) / len(cases) if cases else 0.0
        calls = [int(c.details.get("tool_calls", 0)) for c in cases]
        return metrics, {"journeys": len(cases), "tool_calls": sum(calls)}
