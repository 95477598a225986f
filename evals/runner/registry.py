"""The suites `python -m evals run` knows, in report order. Adding one is one line here plus a
module in `evals/suites/` with a `Suite` subclass (see docs/evals.md)."""

from __future__ import annotations

import importlib
from typing import Any

from evals.runner.suite import Suite

SUITES: dict[str, str] = {
    "retrieval": "evals.suites.retrieval:RetrievalSuite",
    "eligibility": "evals.suites.eligibility:EligibilitySuite",
    "escalation": "evals.suites.escalation:EscalationSuite",
    "renewal": "evals.suites.renewal:RenewalSuite",
    "side_chat": "evals.suites.side_chat:SideChatSuite",
    "answers": "evals.suites.answers:AnswersSuite",
    "knowledge": "evals.knowledge.suite:KnowledgeSuite",
}


class UnknownSuite(KeyError):
    pass


def load_suite(name: str) -> Suite[Any]:
    """Imported on demand: `list` and a single-suite run do not import every graph."""
    if name not in SUITES:
        raise UnknownSuite(f"unknown suite {name!r} (known: {', '.join(SUITES)}, all)")
    module, _, attribute = SUITES[name].partition(":")
    suite: Suite[Any] = getattr(importlib.import_module(module), attribute)()
    return suite


def select(names: list[str]) -> list[Suite[Any]]:
    """`all` or names, de-duplicated, in registry order."""
    wanted = list(SUITES) if "all" in names else names
    for name in wanted:
        if name not in SUITES:
            raise UnknownSuite(f"unknown suite {name!r} (known: {', '.join(SUITES)}, all)")
    return [load_suite(name) for name in SUITES if name in wanted]
