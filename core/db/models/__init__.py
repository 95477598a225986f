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
from core.db.models.agent_tools import (
    AutoReplyRule,
    AutoReplyType,
    QuickReply,
    QuickReplyCategory,
    SessionTag,
    Tag,
    TagCategory,
)
from core.db.models.audit import AuditEntry
from core.db.models.base import NAMING_CONVENTION, TABLE_ABBREVIATIONS, Base
from core.db.models.conversations import (
    ConversationMessage,
    ConversationRecord,
    ConversationStatus,
    MessageRole,
)
from core.db.models.knowledge import (
    DocumentStatus,
    Faq,
    FaqVersion,
    KnowledgeChunk,
    KnowledgeDocument,
)
from core.db.models.renewal import (
    AiUsageLog,
    AiUsageType,
    CustomerServiceLog,
    RenewalRecord,
    RenewalStatus,
)
from core.db.models.tenants import (
    DEFAULT_TENANT,
    TENANT_ID,
    TENANT_ID_PATTERN,
    ModelProvider,
    Tenant,
    TenantStatus,
)
from core.db.models.tickets import (
    Ticket,
    TicketActivity,
    TicketCategory,
    TicketComment,
    TicketCounter,
    TicketDepartment,
    TicketPriority,
    TicketStatus,
)

__all__ = [
    "DEFAULT_TENANT",
    "NAMING_CONVENTION",
    "STORE_ROLES",
    "TABLE_ABBREVIATIONS",
    "TENANT_ID",
    "TENANT_ID_PATTERN",
    "AiUsageLog",
    "AiUsageType",
    "AuditEntry",
    "AutoReplyRule",
    "AutoReplyType",
    "Base",
    "ConversationMessage",
    "ConversationRecord",
    "ConversationStatus",
    "CustomerServiceLog",
    "DocumentStatus",
    "Faq",
    "FaqVersion",
    "KnowledgeChunk",
    "KnowledgeDocument",
    "LoginEvent",
    "LoginLog",
    "MessageRole",
    "ModelProvider",
    "QuickReply",
    "QuickReplyCategory",
    "RenewalRecord",
    "RenewalStatus",
    "SessionTag",
    "Store",
    "Tag",
    "TagCategory",
    "Tenant",
    "TenantStatus",
    "Ticket",
    "TicketActivity",
    "TicketCategory",
    "TicketComment",
    "TicketCounter",
    "TicketDepartment",
    "TicketPriority",
    "TicketStatus",
    "User",
    "UserRole",
    "UserStatus",
]
