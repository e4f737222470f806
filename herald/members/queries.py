"""Every non-trivial read of members data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from herald.core import keep

from .models import (
    ACCESS_STATUSES,
    RENEWAL_GRACE,
    CodeFailure,
    ComplimentaryAccess,
    LoginToken,
    MemberEvent,
    Offer,
    Payment,
    Subscription,
    SubscriptionStatus,
    Tier,
    User,
    newsroom_accounts_q,
)


def live_subscriptions(*, now: datetime | None = None) -> QuerySet[Subscription]:
    """Subscriptions that give access right now.

    A subscription in an access state gives access until its period ends; one
    that renews (not cancelling) keeps it for ``RENEWAL_GRACE`` more, so a late
    renewal webhook does not interrupt a paying member.
    """
    now = now or timezone.now()
    return Subscription.objects.filter(status__in=ACCESS_STATUSES).filter(
        Q(current_period_end__isnull=True)
        | Q(current_period_end__gt=now)
        | Q(
            current_period_end__gt=now - RENEWAL_GRACE,
            cancel_at_period_end=False,
            status__in=(SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE),
        )
    )


def live_comps(*, now: datetime | None = None) -> QuerySet[ComplimentaryAccess]:
    """Complimentary access that has not ended or been revoked."""
    now = now or timezone.now()
    return ComplimentaryAccess.objects.filter(revoked_at__isnull=True).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def access_grants(
    user: Any, *, now: datetime | None = None
) -> tuple[frozenset[int], bool]:
    """Return (tier ids the user can read now, whether any is paid) in one query."""
    if user is None or not getattr(user, "pk", None):
        return frozenset(), False
    subs = (
        live_subscriptions(now=now)
        .filter(user_id=user.pk, tier__isnull=False)
        .values_list("tier_id", "tier__is_paid")
        .order_by()
    )
    comps = (
        live_comps(now=now)
        .filter(user_id=user.pk)
        .values_list("tier_id", "tier__is_paid")
        .order_by()
    )
    free = (
        Tier.objects.filter(is_paid=False, is_active=True)
        .values_list("id", "is_paid")
        .order_by()
    )
    rows = list(subs.union(comps, free, all=True))
    return frozenset(t for t, _ in rows), any(paid for _, paid in rows)


def paid_tiers() -> list[Tier]:
    return list(Tier.objects.filter(is_active=True, is_paid=True))


def tiers_unlocking(article: Any) -> list[Tier]:
    """The active paid tiers that would let a member read ``article``."""
    level = getattr(article, "access_level", "public")
    # The same few tiers are offered under every gated article: kept per
    # process until a tier is saved (core.keep).
    if level == "tiers":
        ids = sorted(article.required_tier_ids())
        return keep.get_or_build(  # type: ignore[no-any-return]
            f"tiers-unlocking:{','.join(map(str, ids))}",
            lambda: list(Tier.objects.filter(pk__in=ids, is_active=True, is_paid=True)),
        )
    if level == "paid":
        return keep.get_or_build("paid-tiers", paid_tiers)  # type: ignore[no-any-return]
    return []


def get_offer(code: str) -> Offer | None:
    return (
        Offer.objects.select_related("tier")
        .filter(code=code, is_active=True, tier__is_active=True)
        .first()
    )


def get_tier(slug: str) -> Tier | None:
    return Tier.objects.filter(slug=slug, is_active=True, is_paid=True).first()


def member_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


def code_guesses_left(email: str, *, now: datetime | None = None) -> int:
    """Wrong codes still allowed for ``email`` in the window, across its tokens."""
    since = (now or timezone.now()) - CodeFailure.WINDOW
    used = CodeFailure.objects.filter(
        email_digest=CodeFailure.digest(email), created_at__gt=since
    ).count()
    return max(0, CodeFailure.LIMIT - used)


def code_attempts_left(token: LoginToken) -> int:
    """What the code page may promise: the token's and the address's guesses."""
    return min(token.attempts_left, code_guesses_left(token.email))


def pending_token(token_id: Any) -> LoginToken | None:
    if not token_id:
        return None
    try:
        return LoginToken.objects.filter(pk=int(token_id)).first()
    except (TypeError, ValueError):
        return None


def current_subscription(user: User) -> Subscription | None:
    """The member's most relevant subscription (live first, then the newest)."""
    live = live_subscriptions().filter(user=user).select_related("tier").first()
    if live is not None:
        return live
    return Subscription.objects.filter(user=user).select_related("tier").first()


def member_timeline(user: User, *, limit: int = 200) -> list[MemberEvent]:
    return list(MemberEvent.objects.filter(user=user).select_related("actor")[:limit])


def member_subscriptions(user: User) -> list[Subscription]:
    """Every subscription of ``user``, newest first, with its tier."""
    return list(Subscription.objects.filter(user=user).select_related("tier"))


def member_comps(user: User) -> list[ComplimentaryAccess]:
    """Every complimentary access of ``user``, newest first."""
    return list(
        ComplimentaryAccess.objects.filter(user=user).select_related(
            "tier", "granted_by"
        )
    )


def member_payments(user: User, *, limit: int = 100) -> list[Payment]:
    """The member's payments, newest first, with the subscription's tier."""
    return list(
        Payment.objects.filter(user=user).select_related("subscription__tier")[:limit]
    )


def tier_names() -> dict[str, str]:
    """Tier names by slug (history rows name tiers by slug)."""
    return dict(Tier.objects.values_list("slug", "name"))


def members() -> QuerySet[User]:
    """Reader accounts (no newsroom account), for the admin list and exports."""
    return User.objects.exclude(newsroom_accounts_q())


def member_counts() -> dict[str, int]:
    """Total members and members per status, in one query."""
    rows = members().values("status").annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in rows}
    counts["total"] = sum(counts.values())
    return counts
