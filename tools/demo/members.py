"""Demo readers: a free member, paying members on both tiers, a complimentary
one and one whose membership lapsed, each with a history that reads true.

The rows are written as they would have been over the past months (the actions
stamp everything "now", so the demo writes its past directly, once). Payments
use the test provider's names (``dummy``): no payment provider knows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from herald.members.models import (
    ComplimentaryAccess,
    EventKind,
    EventSource,
    Label,
    MemberEvent,
    MemberStatus,
    Payment,
    Subscription,
    SubscriptionStatus,
    Tier,
    User,
)

DOMAIN = "readers.avenell.example"


@dataclass(frozen=True)
class Reader:
    email: str
    first_name: str
    last_name: str
    joined_days_ago: int
    labels: tuple[str, ...] = ()
    note: str = ""
    # (tier slug, interval, started days ago, payments made) for a subscription
    plan: tuple[str, str, int, int] | None = None
    lapsed_days_ago: int | None = None
    comp: tuple[str, int, int, str] | None = None  # tier, granted, lasts days, why


READERS = (
    Reader(
        f"ilse.varnum@{DOMAIN}",
        "Ilse",
        "Varnum",
        joined_days_ago=19,
        labels=("harbour district",),
    ),
    Reader(
        f"tomas.erlund@{DOMAIN}",
        "Tomas",
        "Erlund",
        joined_days_ago=96,
        plan=("supporter", "month", 88, 3),
    ),
    Reader(
        f"hanne.solberg@{DOMAIN}",
        "Hanne",
        "Solberg",
        joined_days_ago=230,
        labels=("founding member",),
        note="Offered to host the reader panel on housing in the spring.",
        plan=("patron", "year", 214, 1),
    ),
    Reader(
        f"rafael.okonjo@{DOMAIN}",
        "Rafael",
        "Okonjo",
        joined_days_ago=14,
        labels=("press",),
        comp=("patron", 12, 180, "Press pass: reporter at a partner newsroom"),
    ),
    Reader(
        f"greta.lindqvist@{DOMAIN}",
        "Greta",
        "Lindqvist",
        joined_days_ago=160,
        plan=("supporter", "month", 150, 2),
        lapsed_days_ago=90,
    ),
)


def make_members(*, currency: str = "USD", editor: User | None = None) -> list[User]:
    """Create the demo readers once; a second call changes nothing."""
    tiers = {t.slug: t for t in Tier.objects.all()}
    made = []
    for spec in READERS:
        if User.objects.filter(email__iexact=spec.email).exists():
            continue
        made.append(_make(spec, tiers=tiers, currency=currency, editor=editor))
    return made


def _event(user: User, kind: str, when: datetime, **fields: Any) -> None:
    MemberEvent.objects.create(user=user, kind=kind, created_at=when, **fields)


def _make(
    spec: Reader, *, tiers: dict[str, Tier], currency: str, editor: User | None
) -> User:
    now = timezone.now()
    joined = now - timedelta(days=spec.joined_days_ago, hours=3, minutes=17)
    user = User.objects.create_user(
        spec.email,
        first_name=spec.first_name,
        last_name=spec.last_name,
        date_joined=joined,
        email_confirmed_at=joined,
        note=spec.note,
    )
    _event(
        user,
        EventKind.SIGNED_UP,
        joined,
        source=EventSource.MEMBER,
        actor=user,
        data={"choices": [], "offer": ""},
    )
    for name in spec.labels:
        label, _created = Label.objects.get_or_create(name=name)
        user.labels.add(label)
        _event(
            user,
            EventKind.LABEL_ADDED,
            joined + timedelta(days=1),
            source=EventSource.STAFF,
            actor=editor,
            data={"label": name},
        )
    status = MemberStatus.FREE
    if spec.plan is not None:
        status = _subscribe(user, spec, tiers=tiers, currency=currency, now=now)
    if spec.comp is not None:
        slug, granted_days_ago, lasts, why = spec.comp
        granted = now - timedelta(days=granted_days_ago, hours=1)
        ends = (granted + timedelta(days=lasts)).replace(
            hour=23, minute=59, second=0, microsecond=0
        )
        comp = ComplimentaryAccess.objects.create(
            user=user, tier=tiers[slug], ends_at=ends, reason=why, granted_by=editor
        )
        ComplimentaryAccess.objects.filter(pk=comp.pk).update(starts_at=granted)
        common = {"source": EventSource.STAFF, "actor": editor, "reason": why}
        _event(
            user,
            EventKind.COMP_GRANTED,
            granted,
            data={"tier": slug, "ends_at": ends.isoformat()},
            **common,
        )
        _event(
            user,
            EventKind.STATUS_CHANGED,
            granted + timedelta(milliseconds=40),
            data={"from": MemberStatus.FREE, "to": MemberStatus.COMPED},
            **common,
        )
        status = MemberStatus.COMPED
    last_seen = now - timedelta(days=min(spec.joined_days_ago, 2), hours=5)
    User.objects.filter(pk=user.pk).update(status=status, last_login=last_seen)
    user.refresh_from_db()
    return user


def _subscribe(
    user: User, spec: Reader, *, tiers: dict[str, Tier], currency: str, now: datetime
) -> str:
    assert spec.plan is not None
    slug, interval, started_days_ago, payments = spec.plan
    tier = tiers[slug]
    started = now - timedelta(days=started_days_ago, hours=2, minutes=41)
    step = timedelta(days=365 if interval == "year" else 30)
    amount = tier.price_for(interval) or 0
    period_end = started + step * payments
    lapsed = spec.lapsed_days_ago is not None
    sub = Subscription.objects.create(
        user=user,
        tier=tier,
        provider="dummy",
        provider_subscription_id=f"demo_sub_{user.pk}",
        provider_customer_id=f"demo_cus_{user.pk}",
        status=SubscriptionStatus.CANCELED if lapsed else SubscriptionStatus.ACTIVE,
        interval=interval,
        current_period_end=period_end,
        cancel_at_period_end=lapsed,
        canceled_at=period_end if lapsed else None,
    )
    Subscription.objects.filter(pk=sub.pk).update(created_at=started)
    User.objects.filter(pk=user.pk).update(stripe_customer_id=f"demo_cus_{user.pk}")
    provider = {"source": EventSource.PROVIDER}
    end_text = (started + step).isoformat()
    _event(
        user,
        EventKind.SUBSCRIPTION_CHANGED,
        started,
        data={
            "subscription": sub.provider_subscription_id,
            "status": "active",
            "previous_status": None,
            "tier": slug,
            "current_period_end": end_text,
            "cancel_at_period_end": False,
        },
        reason=f"test-checkout demo_in_{user.pk}_0",
        **provider,
    )
    _event(
        user,
        EventKind.STATUS_CHANGED,
        started + timedelta(milliseconds=40),
        data={"from": MemberStatus.FREE, "to": MemberStatus.PAID},
        reason=f"test-checkout demo_in_{user.pk}_0",
        **provider,
    )
    for number in range(payments):
        paid_at = started + step * number + timedelta(seconds=2)
        invoice = f"demo_in_{user.pk}_{number}"
        Payment.objects.create(
            user=user,
            subscription=sub,
            provider="dummy",
            provider_invoice_id=invoice,
            amount=amount,
            currency=currency,
            paid_at=paid_at,
        )
        _event(
            user,
            EventKind.PAYMENT,
            paid_at,
            data={"amount": amount, "currency": currency},
            reason=f"invoice.paid {invoice}",
            **provider,
        )
    if not lapsed:
        return MemberStatus.PAID
    assert spec.lapsed_days_ago is not None
    asked = period_end - timedelta(days=9, hours=4)
    _event(
        user,
        EventKind.SUBSCRIPTION_CHANGED,
        asked,
        data={
            "subscription": sub.provider_subscription_id,
            "status": "active",
            "previous_status": "active",
            "tier": slug,
            "current_period_end": period_end.isoformat(),
            "cancel_at_period_end": True,
        },
        reason=f"customer.subscription.updated demo_evt_{user.pk}_cancel",
        **provider,
    )
    _event(
        user,
        EventKind.SUBSCRIPTION_CHANGED,
        period_end,
        data={
            "subscription": sub.provider_subscription_id,
            "status": "canceled",
            "previous_status": "active",
            "tier": slug,
            "current_period_end": period_end.isoformat(),
            "cancel_at_period_end": True,
        },
        reason=f"customer.subscription.deleted demo_evt_{user.pk}_end",
        **provider,
    )
    _event(
        user,
        EventKind.STATUS_CHANGED,
        period_end + timedelta(minutes=11),
        source=EventSource.SYSTEM,
        data={"from": MemberStatus.PAID, "to": MemberStatus.FREE},
        reason="access period ended",
    )
    return MemberStatus.FREE
