"""Per-tenant Redis names and per-tenant process objects, one way for every domain.

Redis keys of tenant-owned data live under `P:t:<tenant>:...` (P = REDIS_KEY_PREFIX), so one
tenant's cache versions, locks and counters never meet another's. Exception, for now: tenant
`default`'s auto-reply rules keep the un-prefixed version key, because the supervision graph's
rule cache (graphs/supervision/tool_cache.py) reads that key and knows no tenant yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


def tenant_prefix(prefix: str, tenant: str) -> str:
    return f"{prefix}:t:{tenant}"


class PerTenant(Generic[T]):
    """One `T` per tenant, built on first use (caches, lock sets): a process serves few tenants
    at once, and each object is small."""

    def __init__(self, build: Callable[[str], T]) -> None:
        self.build = build
        self._made: dict[str, T] = {}

    def __call__(self, tenant: str) -> T:
        made = self._made.get(tenant)
        if made is None:
            made = self._made[tenant] = self.build(tenant)
        return made
