"""Drive a renewal from the shell, one step per process (state lives in Redis):

    python -m graphs.renewal start --staff 2 --store S001
    python -m graphs.renewal answer <session_id> query_customer '{"id_number": "A123456789"}'
    python -m graphs.renewal show <session_id>

Each command prints the session view as JSON: the waiting step, what it shows, or the outcome.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from core.errors import SwitchboardError
from core.settings import load_settings
from graphs.renewal.flow import RenewalFlow
from graphs.renewal.steps import Step
from graphs.runtime import open_graph_runtime


async def run(args: argparse.Namespace) -> dict[str, Any]:
    async with open_graph_runtime(load_settings()) as runtime:
        flow = RenewalFlow(runtime.renewal, runtime.sessions)
        if args.command == "start":
            return await flow.start(args.staff, args.store)
        if args.command == "answer":
            return await flow.answer(args.session_id, Step(args.step), json.loads(args.value))
        return await flow.view(args.session_id)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m graphs.renewal",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start")
    start.add_argument("--staff", default="2")
    start.add_argument("--store", default="S001")
    answer = sub.add_parser("answer")
    answer.add_argument("session_id")
    answer.add_argument("step", choices=[s.value for s in Step])
    answer.add_argument("value", nargs="?", default="{}")
    sub.add_parser("show").add_argument("session_id")
    args = parser.parse_args()
    try:
        view = asyncio.run(run(args))
    except SwitchboardError as exc:
        print(json.dumps(exc.to_envelope(), ensure_ascii=False))
        raise SystemExit(1) from None
    print(json.dumps(view, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
