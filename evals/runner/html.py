"""The HTML report: one self-contained file, charts as inline SVG, no scripts, no CDN.

It opens from a CI artifact or a mail attachment on an offline machine, so everything (style,
charts) is inline and every value from a dataset or a model answer is escaped. Splits are shown
side by side: a scores table (dev | blind | gates, with case counts), one bar per split in each
suite's chart, and the per-case table of each split.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from evals.runner.gate import gate_name
from evals.runner.results import UNNAMED_SPLITS, CaseResult, Report, RunResult, SuiteResult

PALETTE = ("#4f6bed", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6")
LABEL_W, BAR_W, VALUE_W, BAR_H = 190, 380, 70, 14

STYLE = """
body{font-family:system-ui,-apple-system,"Noto Sans TC",sans-serif;margin:2rem;color:#1f2937}
h1{margin-bottom:.2rem} h2{margin-top:2.2rem;border-bottom:1px solid #e5e7eb}
.meta{color:#6b7280} .charts{display:flex;flex-wrap:wrap;gap:1.5rem}
figure{margin:0} figcaption{font-weight:600;margin-bottom:.3rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.88rem}
th,td{border:1px solid #e5e7eb;padding:.25rem .5rem;vertical-align:top;text-align:left}
th{background:#f9fafb} td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#047857;font-weight:600} .fail{color:#b91c1c;font-weight:600}
.skip{color:#92400e} code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.82rem}
pre.diff{background:#f9fafb;padding:.8rem;overflow-x:auto;border:1px solid #e5e7eb}
pre.diff .add{background:#dcfce7;display:block} pre.diff .del{background:#fee2e2;display:block}
pre.diff .hunk{color:#6b7280;display:block} td pre{white-space:pre-wrap;margin:0;max-width:46rem}
.gate-ok{color:#047857} .gate-fail{color:#b91c1c}
"""


def _svg_text(x: float, y: float, text: str, **attrs: str) -> str:
    extra = " ".join(f'{k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" {extra}>{escape(text)}</text>'


def bar_chart(
    rows: list[str],
    series: list[tuple[str, list[float | None]]],
    thresholds: list[float | None] | None = None,
    series_thresholds: list[list[float | None]] | None = None,
) -> str:
    """Horizontal bars in [0, 1]: one group per row, one bar per series, red gate ticks
    (`thresholds` across a row's group, `series_thresholds` over one series' bar)."""
    thresholds = thresholds or [None] * len(rows)
    own = series_thresholds or [[None] * len(rows) for _ in series]
    group_h = BAR_H * len(series) + 10
    legend_h = 20 if len(series) > 1 else 0
    height = legend_h + group_h * len(rows) + 24
    width = LABEL_W + BAR_W + VALUE_W
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-size="11" role="img">'
    ]
    for i, (name, _) in enumerate(series if len(series) > 1 else []):
        left = LABEL_W + i * 150
        parts.append(f'<rect x="{left}" y="4" width="10" height="10" fill="{PALETTE[i % 5]}"/>')
        parts.append(_svg_text(left + 14, 13, name))
    top = legend_h
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = LABEL_W + tick * BAR_W
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" '
            f'y2="{top + group_h * len(rows)}" stroke="#e5e7eb"/>'
        )
        parts.append(
            _svg_text(
                x, top + group_h * len(rows) + 14, f"{tick:g}", text_anchor="middle", fill="#6b7280"
            )
        )
    for r, row in enumerate(rows):
        y0 = top + r * group_h + 5
        parts.append(_svg_text(LABEL_W - 6, y0 + group_h / 2, row, text_anchor="end"))
        for s, (_, values) in enumerate(series):
            value = values[r]
            y = y0 + s * BAR_H
            if value is None:
                parts.append(_svg_text(LABEL_W + 4, y + BAR_H - 3, "n/a", fill="#9ca3af"))
                continue
            w = max(0.0, min(1.0, value)) * BAR_W
            parts.append(
                f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H - 2}" '
                f'fill="{PALETTE[s % 5]}"><title>{escape(row)}: {value:.3f}</title></rect>'
            )
            parts.append(_svg_text(LABEL_W + w + 4, y + BAR_H - 3, f"{value:.3f}"))
            if (gate := own[s][r]) is not None:
                parts.append(_gate_tick(LABEL_W + gate * BAR_W, y - 1, y + BAR_H - 1, gate))
        if (threshold := thresholds[r]) is not None:
            gx = LABEL_W + threshold * BAR_W
            parts.append(_gate_tick(gx, y0 - 2, y0 + BAR_H * len(series), threshold))
    parts.append("</svg>")
    return "".join(parts)


def _gate_tick(x: float, y1: float, y2: float, threshold: float) -> str:
    return (
        f'<line x1="{x:.1f}" y1="{y1}" x2="{x:.1f}" y2="{y2}" stroke="#dc2626" '
        f'stroke-width="2" stroke-dasharray="3,2"><title>gate ≥ {threshold:g}</title></line>'
    )


def _short(value: Any, limit: int = 400) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + " …"


def _case_row(case: CaseResult) -> str:
    if case.error:
        verdict = '<span class="fail">ERROR</span>'
    else:
        verdict = (
            '<span class="pass">PASS</span>' if case.passed else '<span class="fail">FAIL</span>'
        )
    scores = " ".join(f"{k}={v:.2f}" for k, v in case.scores.items())
    extra = {k: v for k, v in case.details.items() if k not in ("expected", "actual")}
    if case.error:
        extra["error"] = case.error
    # strings (an answer, an error) keep their line breaks; the rest is compact JSON
    more = "".join(
        f"<b>{escape(k)}</b><pre>{escape(_short(v, 4000))}</pre>" for k, v in extra.items()
    )
    if more:
        more = f"<details><summary>more</summary>{more}</details>"
    source = "cache" if case.cached else f"{case.seconds:.2f}s"
    return (
        f"<tr><td><code>{escape(case.id)}</code></td><td>{verdict}</td>"
        f"<td><code>{escape(scores)}</code></td>"
        f"<td><pre>{escape(_short(case.details.get('expected', '')))}</pre></td>"
        f"<td><pre>{escape(_short(case.details.get('actual', '')))}</pre>{more}</td>"
        f'<td class="num">{source}</td></tr>'
    )


def case_table(suite: SuiteResult) -> str:
    head = "<tr><th>case</th><th>result</th><th>scores</th><th>expected</th><th>actual</th>"
    rows = "".join(_case_row(c) for c in sorted(suite.cases, key=lambda c: c.passed))
    return f"<table>{head}<th>time</th></tr>{rows}</table>"


def _suite_section(run: RunResult, name: str, report: Report) -> str:
    parts = run.splits_of(name)
    title = f"{escape(parts[0].title)} <code>{escape(name)}</code>"
    ok = [p for p in parts if p.status == "ok"]
    notes = "".join(
        f'<p class="skip">{escape(p.split)}: {escape(p.status)}: {escape(p.reason or "")}</p>'
        for p in parts
        if p.status != "ok"
    )
    if not ok:
        return f"<h3>{title}</h3>{notes}"
    gates = report.gates.get(name, {})
    metrics = list(dict.fromkeys(m for p in ok for m in p.metrics))
    chart = bar_chart(
        metrics,
        [(p.split, [p.metrics.get(m) for m in metrics]) for p in ok],
        series_thresholds=[[gates.get(p.split, {}).get(m) for m in metrics] for p in ok],
    )
    lines, tables = [], []
    for p in ok:
        info = ", ".join(f"{k}: {v}" for k, v in p.info.items())
        lines.append(
            f"<b>{escape(p.split)}</b>: {len(p.cases)} cases, {p.passed} passed · "
            f"{p.evaluated} evaluated, {p.cached} from cache · {p.seconds:.1f}s"
            + (f" · {escape(info)}" if info else "")
        )
        if p.split not in UNNAMED_SPLITS:  # blind misses are counted, never listed
            tables.append(
                f"<details><summary>{escape(p.split)}: per-case results "
                f"({len(p.cases) - p.passed} failing)</summary>{case_table(p)}</details>"
            )
    return (
        f"<h3>{title}</h3>{notes}<p class='meta'>{'<br>'.join(lines)}</p>{chart}{''.join(tables)}"
    )


def scores_html(report: Report) -> str:
    """The side-by-side table: one row per metric, one column per run and split, the gates."""
    many = len(report.runs) > 1
    splits = report.splits
    gate_splits = [s for s in splits if any(s in g for g in report.gates.values())] or ["dev"]
    columns = [(run.label, split) for run in report.runs for split in splits]
    head = "".join(
        f"<th>{escape(f'{label} {split}' if many else split)}</th>" for label, split in columns
    )
    head += "".join(
        f"<th>{'gate' if s == 'dev' else escape(s) + ' gate'}</th>" for s in gate_splits
    )
    by_key = {(s.run, s.suite): s for s in report.summary}
    rows = []
    for name in dict.fromkeys(s.name for s in report.runs[0].suites):
        found = [by_key.get((label, name)) for label, _ in columns]
        counts = []
        for summary, (_, split) in zip(found, columns, strict=True):
            part = summary.splits.get(split) if summary else None
            text = "-" if part is None else part.status if part.status != "ok" else part.cases
            counts.append(f'<td class="num">{escape(str(text))}</td>')
        blank = "<td></td>" * len(gate_splits)
        rows.append(
            f"<tr><th>{escape(name)}</th><td class='meta'>cases</td>{''.join(counts)}{blank}</tr>"
        )
        for row in found[0].metrics if found[0] else []:
            cells = []
            for summary, (_, split) in zip(found, columns, strict=True):
                score = summary.score(row.metric, split) if summary else None
                gate = row.gates.get(split)
                css = "num" + (
                    " fail" if score is not None and gate is not None and score < gate else ""
                )
                cells.append(f'<td class="{css}">{"-" if score is None else f"{score:.3f}"}</td>')
            gate_cells = "".join(
                f'<td class="num">{f"≥ {row.gates[s]:.2f}" if s in row.gates else ""}</td>'
                for s in gate_splits
            )
            rows.append(
                f"<tr><td></td><td>{escape(row.metric)}</td>{''.join(cells)}{gate_cells}</tr>"
            )
    return f"<table><tr><th>suite</th><th>metric</th>{head}</tr>{''.join(rows)}</table>"


def _diff_html(diff: str) -> str:
    lines = []
    for line in diff.splitlines():
        css = (
            "hunk"
            if line.startswith("@@")
            else "add"
            if line.startswith("+")
            else "del"
            if line.startswith("-")
            else ""
        )
        lines.append(f'<span class="{css}">{escape(line)}</span>' if css else escape(line))
    return '<pre class="diff">' + "\n".join(lines) + "</pre>"


def _comparison(report: Report) -> str:
    if not report.comparison or len(report.runs) < 2:
        return ""
    comp = report.comparison
    runs = report.runs
    parts = [
        f"<h2>Prompt versions: {escape(comp.prompt)} {' vs '.join(map(escape, comp.versions))}</h2>"
    ]
    head = "".join(f"<th>{escape(r.label)}</th>" for r in runs)
    rows, charts, changed = [], [], []
    for suite in runs[0].suites:
        others = [r.suite(suite.name, suite.split) for r in runs]
        where = f"{suite.name}/{suite.split}"
        if suite.status != "ok" or any(o is None or o.status != "ok" for o in others):
            continue
        metrics = list(suite.metrics)
        for m in metrics:
            values = [o.metrics.get(m) if o else None for o in others]
            cells = "".join(
                f'<td class="num">{v:.3f}</td>' if v is not None else "<td>-</td>" for v in values
            )
            first, last = values[0], values[-1]
            delta = f"{last - first:+.3f}" if first is not None and last is not None else ""
            rows.append(
                f"<tr><td>{escape(suite.name)}</td><td>{escape(suite.split)}</td>"
                f'<td>{escape(m)}</td>{cells}<td class="num">{delta}</td></tr>'
            )
        series = [
            (r.label, [o.metrics.get(m) if o else None for m in metrics])
            for r, o in zip(runs, others, strict=True)
        ]
        charts.append(
            f"<figure><figcaption>{escape(where)}</figcaption>{bar_chart(metrics, series)}</figure>"
        )
        passed = [{c.id: c.passed for c in o.cases} if o else {} for o in others]
        for case_id in passed[0]:
            if len({p.get(case_id) for p in passed}) > 1:
                verdicts = " → ".join("pass" if p.get(case_id) else "fail" for p in passed)
                changed.append(
                    f"<li><code>{escape(where)}/{escape(case_id)}</code>: {verdicts}</li>"
                )
    parts.append(
        "<table><tr><th>suite</th><th>split</th><th>metric</th>"
        f"{head}<th>Δ</th></tr>{''.join(rows)}</table>"
    )
    parts.append(f'<div class="charts">{"".join(charts)}</div>')
    parts.append(
        "<h3>Cases that changed</h3>"
        + (f"<ul>{''.join(changed)}</ul>" if changed else "<p>none</p>")
    )
    parts.append(
        f"<h3>Unified diff</h3>{_diff_html(comp.diff) if comp.diff else '<p>identical files</p>'}"
    )
    return "".join(parts)


def render_html(report: Report) -> str:
    first = report.runs[0]
    names = list(dict.fromkeys(s.name for s in first.suites))
    many = len(report.runs) > 1

    def pass_rate(run: RunResult, name: str, split: str) -> float | None:
        s = run.suite(name, split)
        return (s.passed / len(s.cases)) if s and s.status == "ok" and s.cases else None

    overview = bar_chart(
        names,
        [
            (f"{run.label} {split}" if many else split, [pass_rate(run, n, split) for n in names])
            for run in report.runs
            for split in report.splits
        ],
    )
    if report.gate_checked:
        failures = "".join(
            f"<li>{escape(gate_name(f.suite, f.split, f.metric))} [{escape(f.run)}]: "
            f"{escape(f.message)}</li>"
            for f in report.gate_failures
        )
        gate = (
            '<p class="gate-fail">Gate failed:</p><ul>' + failures + "</ul>"
            if report.gate_failures
            else '<p class="gate-ok">Gate passed.</p>'
        )
    else:
        gate = "<p class='meta'>Gate not checked (run with --gate).</p>"
    prompts = ", ".join(f"{k}={v}" for k, v in first.prompt_versions.items()) or "-"
    sections = "".join(
        f"<h2>Run {escape(run.label)}</h2>"
        + "".join(_suite_section(run, n, report) for n in dict.fromkeys(s.name for s in run.suites))
        for run in report.runs
    )
    meta = (
        f"{escape(report.started_at)} · data day {escape(report.today)} · model "
        f"<code>{escape(first.model)}</code> · prompts {escape(prompts)} · {report.seconds:.1f}s"
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Switchboard evals {escape(report.started_at)}</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Switchboard evals</h1><p class='meta'>{meta}</p>{gate}"
        f"<h2>Scores</h2>{scores_html(report)}"
        f"<h2>Case pass rate per suite</h2>{overview}{_comparison(report)}{sections}</body></html>"
    )
