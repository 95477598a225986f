"""Per-tenant Redis names and per-tenant process objects, one way for every domain.

Redis keys of tenant-owned data live under `P:t:<tenant>:...` (P = REDIS_KEY_PREFIX), so one
tenant's cache versions, locks and counters never meet another's. Both helpers live in
core.tenant_keys: the supervision graph names the same keys (shift hours, auto-reply rules,
model settings).
"""

from __future__ import annotations

from core.tenant_keys import PerTenant, tenant_prefix

__all__ = ["PerTenant", "tenant_prefix"]
