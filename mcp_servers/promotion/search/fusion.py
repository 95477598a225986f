"""Reciprocal Rank Fusion (Cormack et al., 2009), the method Azure AI Search uses for hybrid.

RRF uses ranks only, so BM25 scores (unbounded) and cosines (bunched in 0.8-0.9 for E5) never
need to be put on one scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

DEFAULT_K = 60


@dataclass(frozen=True)
class Fused:
    key: str
    score: float
    ranks: dict[str, int] = field(default_factory=dict)  # side -> 1-based rank


def rrf(
    rankings: Mapping[str, Sequence[str]],
    *,
    k: int = DEFAULT_K,
    weights: Mapping[str, float] | None = None,
    limit: int | None = None,
) -> list[Fused]:
    """Fuse ranked id lists: score(d) = sum over sides of weight / (k + rank(d)).

    Ties are broken by the best single-side rank, then by side order, so equal inputs always
    produce the same output.
    """
    if k < 0:
        raise ValueError("k must be >= 0")
    scores: dict[str, float] = {}
    ranks: dict[str, dict[str, int]] = {}
    for side, ids in rankings.items():
        weight = 1.0 if weights is None else weights.get(side, 1.0)
        seen: set[str] = set()
        for position, key in enumerate(ids, start=1):
            if key in seen:  # a duplicate in one list must not count twice
                continue
            seen.add(key)
            scores[key] = scores.get(key, 0.0) + weight / (k + position)
            ranks.setdefault(key, {})[side] = position
    order = sorted(scores, key=lambda key: (-scores[key], min(ranks[key].values())))
    fused = [Fused(key, scores[key], ranks[key]) for key in order]
    return fused if limit is None else fused[:limit]
