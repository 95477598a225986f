"""The on-disk index: reused when the plans are unchanged, rebuilt (incrementally) when not."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mcp_servers.backoffice.records import Plan
from mcp_servers.promotion.search.models import SearchFilters, passage_text, plan_text
from mcp_servers.promotion.search.retriever import LocalHybridRetriever

from .conftest import HashEmbedder, make_plan


def fresh(index_dir: Path, embedder: HashEmbedder) -> LocalHybridRetriever:
    return LocalHybridRetriever(embedder, index_dir=index_dir)


def test_build_then_reuse_across_instances(tmp_path: Path, tiny_plans: list[Plan]) -> None:
    embedder = HashEmbedder()
    first = fresh(tmp_path, embedder).ensure_index_sync(tiny_plans)
    assert (first.action, first.embedded, first.documents) == ("built", 8, 8)
    generation = tmp_path / f"local-{first.content_hash}"
    assert {p.name for p in generation.iterdir()} == {"meta.json", "tokens.json", "vectors.npy"}
    assert json.loads((generation / "meta.json").read_text())["plan_ids"][0] == "T01"

    again = fresh(tmp_path, embedder)
    second = again.ensure_index_sync(tiny_plans)
    assert (second.action, second.embedded, second.content_hash) == (
        "loaded",
        0,
        first.content_hash,
    )
    assert embedder.passages_embedded == 8  # nothing embedded the second time
    assert again.search_sync("光世代")[0].plan_id == "T04"


def test_same_instance_same_texts_is_unchanged(tmp_path: Path, tiny_plans: list[Plan]) -> None:
    retriever = fresh(tmp_path, HashEmbedder())
    retriever.ensure_index_sync(tiny_plans)
    cheaper = [
        p.model_copy(update={"monthly_fee": 1}) if p.plan_id == "T01" else p for p in tiny_plans
    ]
    report = retriever.ensure_index_sync(cheaper)
    assert report.action == "unchanged"
    # Filter metadata is refreshed even though the texts (and the hash) did not change.
    hits = retriever.search_sync("吃到飽", filters=SearchFilters(max_monthly_fee=10), top_k=5)
    assert [h.plan_id for h in hits] == ["T01"]


def test_changed_text_rebuilds_and_reembeds_only_changed(
    tmp_path: Path, tiny_plans: list[Plan]
) -> None:
    embedder = HashEmbedder()
    before = fresh(tmp_path, embedder).ensure_index_sync(tiny_plans)
    edited = list(tiny_plans)
    edited[2] = edited[2].model_copy(update={"description": "長輩專屬，送大字體手機殼"})
    added = edited[0].model_copy(update={"plan_id": "T09", "name": "新方案 T09"})
    report = fresh(tmp_path, embedder).ensure_index_sync([*edited, added])
    assert report.action == "built"
    assert report.content_hash != before.content_hash
    assert report.embedded == 2  # the edited plan and the new one; six vectors were reused
    assert embedder.passages_embedded == 10


def test_model_change_rebuilds(tmp_path: Path, tiny_plans: list[Plan]) -> None:
    fresh(tmp_path, HashEmbedder(name="model-a")).ensure_index_sync(tiny_plans)
    other = HashEmbedder(name="model-b")
    report = fresh(tmp_path, other).ensure_index_sync(tiny_plans)
    assert (report.action, report.embedded) == ("built", 8)  # vectors of another model not reused


def test_corrupt_generation_is_rebuilt(tmp_path: Path, tiny_plans: list[Plan]) -> None:
    first = fresh(tmp_path, HashEmbedder()).ensure_index_sync(tiny_plans)
    vectors = tmp_path / f"local-{first.content_hash}" / "vectors.npy"
    np.save(vectors, np.zeros((3, 384), dtype=np.float32))  # wrong row count
    report = fresh(tmp_path, HashEmbedder()).ensure_index_sync(tiny_plans)
    assert report.action == "built"


def test_old_generations_are_pruned(tmp_path: Path, tiny_plans: list[Plan]) -> None:
    embedder = HashEmbedder()
    for i in range(5):
        plans = [p.model_copy(update={"name": f"{p.name} v{i}"}) for p in tiny_plans]
        fresh(tmp_path, embedder).ensure_index_sync(plans)
    assert len(list(tmp_path.glob("local-*"))) == 3
    assert not list(tmp_path.glob(".building-*"))


def test_memory_only_without_index_dir(tiny_plans: list[Plan]) -> None:
    report = LocalHybridRetriever(HashEmbedder()).ensure_index_sync(tiny_plans)
    assert report.action == "memory"


def test_duplicate_ids_rejected(tiny_plans: list[Plan]) -> None:
    with pytest.raises(ValueError, match="duplicate"):
        LocalHybridRetriever(HashEmbedder()).ensure_index_sync([*tiny_plans, tiny_plans[0]])


def test_passage_text_drops_conditions_but_keeps_the_offer() -> None:
    plan = _plan_with_conditions()
    assert "違約金" in plan_text(plan)  # BM25 still finds the legal terms
    passage = passage_text(plan)
    assert "違約金" not in passage and "在網滿" not in passage and "學生證" not in passage
    assert "學生限定 5G 吃到飽" in passage and "無綁約" in passage


def _plan_with_conditions() -> Plan:
    return make_plan(
        "C01",
        "學生 5G 599",
        "學生限定 5G 吃到飽只要 599。申辦需出示有效學生證，限在網滿 12 個月之用戶。"
        "合約 30 個月，提前解約依比例收取違約金（最高 NT$4,500）。無綁約專案另洽門市。",
    )
