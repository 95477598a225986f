"""Redis names of tenant-owned data (`P:t:<tenant>:...`, P = REDIS_KEY_PREFIX) and per-tenant
process objects.

Here rather than in the API because the supervision graph (shift hours, auto-reply rules, model
settings) and the API's caches must name the same keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


def tenant_prefix(prefix: str, tenant: str) -> str:
    return f"{prefix}:t:{tenant}"


def tenant_stream(prefix: str, tenant: str, name: str) -> str:
    """The tenant's event stream `name` (api/realtime/hub.py: `session:<s>`, `workbench`); here
    because the key migration names it too."""
    return f"{tenant_prefix(prefix, tenant)}:events:{name}"


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
