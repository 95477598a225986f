"""The retrieval dev set: hybrid must beat each side on MRR and keep recall@5 above a floor.

The index is persisted in pytest's cache directory, so only the first run pays the ~16 s of
embedding the catalogue; later runs load it in milliseconds (which also exercises loading).
"""

from __future__ import annotations

from datetime import date

import pytest

from core.embeddings import E5Embedder
from core.settings import ROOT
from evals.retrieval import ModeResult, check_labels, evaluate, load_devset
from mcp_servers.backoffice.generator import generate
from mcp_servers.promotion.search.retriever import LocalHybridRetriever

# Issue 20's bar for the grown dev set (constraints parsed from the query); measured 0.966 /
# 0.974 on 114 queries. The blind split is never run here: it is not there to be tuned to.
RECALL_FLOOR = (
    0.90  # dev 0.924 / 0.940 (953 rows, four independent authors' among them), as the gate
)
HYBRID_MRR_FLOOR = 0.88


@pytest.fixture(scope="session")
def devset_results(e5: E5Embedder) -> dict[str, ModeResult]:
    today = date.today()
    plans = generate(20261121, today).plans
    devset = load_devset()
    check_labels(devset, plans, today)
    # the suite-wide index folder: content-keyed, so shared with the MCP tests and reused
    retriever = LocalHybridRetriever(e5, index_dir=ROOT / "var" / "test" / "search")
    retriever.ensure_index_sync(plans)
    return evaluate(retriever, devset, today=today)


def test_devset_is_big_enough() -> None:
    devset = load_devset()
    assert len(devset) >= 100
    assert len({q.id for q in devset}) == len(devset)
    assert {q.phrasing for q in devset} == {"staff", "customer"}
    assert sum(1 for q in devset if q.context) >= 5


def test_hybrid_mrr_at_least_each_side(devset_results: dict[str, ModeResult]) -> None:
    hybrid = devset_results["hybrid"].mrr
    assert hybrid >= devset_results["bm25"].mrr
    assert hybrid >= devset_results["vector"].mrr
    assert hybrid >= HYBRID_MRR_FLOOR


def test_recall_floor(devset_results: dict[str, ModeResult]) -> None:
    assert devset_results["hybrid"].recall >= RECALL_FLOOR
    assert devset_results["hybrid"].recall >= max(
        devset_results["bm25"].recall, devset_results["vector"].recall
    )
