"""All service tables; importing this package registers them on `Base.metadata`."""

from core.db.models.accounts import (
    STORE_ROLES,
    LoginEvent,
    LoginLog,
    Store,
    User,
    UserRole,
    UserStatus,
)
from core.db.models.audit import AuditEntry
from core.db.models.base import NAMING_CONVENTION, TABLE_ABBREVIATIONS, Base
from core.db.models.renewal import (
    AiUsageLog,
    AiUsageType,
    CustomerServiceLog,
    RenewalRecord,
    RenewalStatus,
)

__all__ = [
    "NAMING_CONVENTION",
    "STORE_ROLES",
    "TABLE_ABBREVIATIONS",
    "AiUsageLog",
    "AiUsageType",
    "AuditEntry",
    "Base",
    "CustomerServiceLog",
    "LoginEvent",
    "LoginLog",
    "RenewalRecord",
    "RenewalStatus",
    "Store",
    "User",
    "UserRole",
    "UserStatus",
]
