"""Repositories: the service's queries, one class per table family.

They take an `AsyncSession`, flush but never commit; the caller's unit of work commits.
"""

from core.db.repositories.accounts import LoginLogRepository, StoreRepository, UserRepository
from core.db.repositories.audit import AuditRepository
from core.db.repositories.renewal import (
    AiUsageRepository,
    CustomerServiceLogRepository,
    RenewalRecordRepository,
    usage_cost,
)
from core.db.repositories.stats import DailyStaffStats, StatsRepository, local_day

__all__ = [
    "AiUsageRepository",
    "AuditRepository",
    "CustomerServiceLogRepository",
    "DailyStaffStats",
    "LoginLogRepository",
    "RenewalRecordRepository",
    "StatsRepository",
    "StoreRepository",
    "UserRepository",
    "local_day",
    "usage_cost",
]
