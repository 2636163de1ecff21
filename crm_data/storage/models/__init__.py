"""SQLAlchemy 2 typed ORM tables, one module per part of the business; importing this package
registers every table on Base.metadata (what Alembic and the schema test compare).

Conventions:
- Money is integer đồng (BigInteger); VND has no minor unit in practice. Never float.
- Dates and times are Vietnam local time (Asia/Ho_Chi_Minh, UTC+7, no DST) stored naive, so
  that day / week / month buckets are the same on SQLite and PostgreSQL without conversion.
- Enumerations are short English keys stored as strings; labels live in the i18n catalogue.
"""


from crm_data.storage.models.accounts import (
    AppMeta,
    AuditLog,
    LoginThrottle,
    User,
    UserSession,
)
from crm_data.storage.models.activity import (
    Appointment,
    Feedback,
    FeedbackNote,
    Interaction,
    TodayMark,
)
from crm_data.storage.models.analytics import (
    CustomerClv,
    CustomerMerge,
    DuplicatePair,
    LeadLookalike,
    LookalikeFit,
    ModelFit,
    RuleVersion,
)
from crm_data.storage.models.base import (
    OPEN_ORDER_SQL,
    Base,
    Money,
)
from crm_data.storage.models.customers import (
    ChurnReason,
    Customer,
    CustomerStats,
    LeadAnswer,
    LeadOption,
    LeadQuestion,
    SavedSegment,
    StageChange,
    Tag,
)
from crm_data.storage.models.funnel import FunnelRollup
from crm_data.storage.models.loyalty import (
    LoyaltyEntry,
    LoyaltyGift,
    LoyaltyRedemption,
)
from crm_data.storage.models.rollups import (
    CustomerRollup,
    InteractionRollup,
    OrderRollup,
    PaymentRollup,
    StageFlowRollup,
)
from crm_data.storage.models.sales import (
    CashEntry,
    OpenOrder,
    Order,
    OrderLine,
    Payment,
    PaymentAllocation,
    Product,
)

__all__ = [
    "AppMeta",
    "Appointment",
    "AuditLog",
    "Base",
    "CashEntry",
    "ChurnReason",
    "Customer",
    "CustomerClv",
    "CustomerMerge",
    "CustomerRollup",
    "CustomerStats",
    "DuplicatePair",
    "Feedback",
    "FunnelRollup",
    "FeedbackNote",
    "Interaction",
    "InteractionRollup",
    "LeadAnswer",
    "LeadLookalike",
    "LeadOption",
    "LeadQuestion",
    "LoginThrottle",
    "LookalikeFit",
    "LoyaltyEntry",
    "LoyaltyGift",
    "LoyaltyRedemption",
    "ModelFit",
    "Money",
    "OPEN_ORDER_SQL",
    "OpenOrder",
    "Order",
    "OrderLine",
    "OrderRollup",
    "Payment",
    "PaymentAllocation",
    "PaymentRollup",
    "Product",
    "RuleVersion",
    "SavedSegment",
    "StageChange",
    "StageFlowRollup",
    "Tag",
    "TodayMark",
    "User",
    "UserSession",
]
