"""Reciprocal Rank Fusion arithmetic and tie-breaking."""

from __future__ import annotations

import pytest

from mcp_servers.promotion.search.fusion import rrf


def test_scores_are_sums_of_reciprocal_ranks() -> None:
    fused = rrf({"bm25": ["a", "b", "c"], "vector": ["b", "d"]}, k=60)
    scores = {f.key: f.score for f in fused}
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["c"] == pytest.approx(1 / 63)
    assert scores["d"] == pytest.approx(1 / 62)
    assert [f.key for f in fused] == ["b", "a", "d", "c"]
    assert fused[0].ranks == {"bm25": 2, "vector": 1}


def test_k_zero_and_weights() -> None:
    fused = rrf({"x": ["a"], "y": ["b"]}, k=0, weights={"x": 0.5, "y": 1.0})
    assert [(f.key, f.score) for f in fused] == [("b", 1.0), ("a", 0.5)]


def test_ties_break_on_best_single_rank_then_side_order() -> None:
    # a: 1/61 + 1/63 ; c: 1/62 + 1/62 differ slightly; e and f tie exactly (both rank 2 once).
    fused = rrf({"bm25": ["a", "e"], "vector": ["b", "f"]}, k=60)
    assert [f.key for f in fused] == ["a", "b", "e", "f"]


def test_duplicates_in_one_list_count_once_and_limit() -> None:
    fused = rrf({"bm25": ["a", "a", "b"]}, k=60, limit=1)
    assert len(fused) == 1
    assert fused[0].score == pytest.approx(1 / 61)
    assert rrf({"bm25": []}) == []


def test_negative_k_rejected() -> None:
    with pytest.raises(ValueError):
        rrf({"bm25": ["a"]}, k=-1)
