"""Repositories: the service's queries, one class per table family.

They take an `AsyncSession`, flush but never commit; the caller's unit of work commits.
"""

from core.db.repositories.accounts import LoginLogRepository, StoreRepository, UserRepository
from core.db.repositories.agent_tools import (
    AutoReplyRuleRepository,
    QuickReplyRepository,
    TagRepository,
)
from core.db.repositories.audit import AuditRepository
from core.db.repositories.conversations import ConversationRepository, HistoryFilter
from core.db.repositories.renewal import (
    AiUsageRepository,
    CustomerServiceLogRepository,
    RenewalRecordRepository,
    usage_cost,
)
from core.db.repositories.stats import DailyStaffStats, StatsRepository, local_day
from core.db.repositories.tickets import TicketFilter, TicketRepository

__all__ = [
    "AiUsageRepository",
    "AuditRepository",
    "AutoReplyRuleRepository",
    "ConversationRepository",
    "CustomerServiceLogRepository",
    "DailyStaffStats",
    "HistoryFilter",
    "LoginLogRepository",
    "QuickReplyRepository",
    "RenewalRecordRepository",
    "StatsRepository",
    "StoreRepository",
    "TagRepository",
    "TicketFilter",
    "TicketRepository",
    "UserRepository",
    "local_day",
    "usage_cost",
]
