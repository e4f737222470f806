"""Members' models. Other apps import from here (``herald.members.models``)."""

from .accounts import (
    RENEWAL_GRACE,
    Label,
    LoginToken,
    MemberStatus,
    TokenPurpose,
    User,
    UserManager,
)
from .billing import (
    ACCESS_STATUSES,
    FINAL_STATUSES,
    ComplimentaryAccess,
    Payment,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
)
from .history import EventKind, EventSource, MemberEvent
from .tiers import (
    AccessLevel,
    DiscountDuration,
    DiscountKind,
    Interval,
    MembershipSettings,
    MeteredLevels,
    Offer,
    Tier,
    format_money,
)

__all__ = [
    "ACCESS_STATUSES",
    "FINAL_STATUSES",
    "RENEWAL_GRACE",
    "AccessLevel",
    "ComplimentaryAccess",
    "DiscountDuration",
    "DiscountKind",
    "EventKind",
    "EventSource",
    "Interval",
    "Label",
    "LoginToken",
    "MemberEvent",
    "MemberStatus",
    "MembershipSettings",
    "MeteredLevels",
    "Offer",
    "Payment",
    "Subscription",
    "SubscriptionStatus",
    "Tier",
    "TokenPurpose",
    "User",
    "UserManager",
    "WebhookEvent",
    "format_money",
]
