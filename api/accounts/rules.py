"""Who an admin may remove: the pure rules behind 409 SELF_CHANGE_REFUSED and LAST_ADMIN.

"Removing" an account from the admins means deleting it, deactivating it or giving it another
role. The rules are plain functions of the before/after state so they are testable by table.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from core.db.models import UserRole
from core.errors import Conflict


@dataclass(frozen=True)
class Standing:
    """The part of an account these rules look at."""

    role: str
    is_active: bool

    @property
    def active_admin(self) -> bool:
        return self.is_active and self.role == UserRole.ADMIN.value


def is_removal(before: Standing, after: Standing) -> bool:
    """True when the change takes the account's active or admin standing away."""
    return (before.is_active and not after.is_active) or (
        before.active_admin and not after.active_admin
    )


def check_removal(
    actor_id: int,
    target_id: int,
    before: Standing,
    after: Standing,
    active_admin_ids: Collection[int],
) -> None:
    """Refuse (409) removing oneself, or the last active admin; anything else passes.

    An admin locking themselves out leaves nobody able to undo it, and a system without an
    active admin cannot manage accounts at all.
    """
    if not is_removal(before, after):
        return
    if target_id == actor_id:
        raise Conflict(
            "不能刪除、停用或降級自己的帳號 / you cannot delete, deactivate or demote yourself",
            code="SELF_CHANGE_REFUSED",
        )
    if before.active_admin and not (set(active_admin_ids) - {target_id}):
        raise Conflict(
            "至少需保留一位啟用中的管理員 / the last active admin cannot be removed",
            code="LAST_ADMIN",
        )
