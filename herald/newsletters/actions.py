"""Every write to newsletters and subscriptions.

States move only here, along ``models.SUBSCRIPTION_TRANSITIONS``; each move
appends a ``SubscriptionEvent``. Emails are queued after the commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from . import emails, queries
from .models import (
    EventKind,
    Newsletter,
    Subscription,
    SubscriptionEvent,
    SubscriptionSource,
    SubscriptionState,
    UnsubscribeReason,
)

if TYPE_CHECKING:
    from herald.members.models import User


def normalise_email(email: str) -> str:
    """The form we store: trimmed, domain lower-cased, local part as given.

    Addresses are compared case-insensitively (``email__iexact``) because
    almost every mailbox provider ignores case in the local part too.
    """
    local, _sep, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else email.strip()


def record_event(
    subscription: Subscription,
    kind: str,
    *,
    reason: str = "",
    source: str = "",
    actor: User | None = None,
    data: dict[str, Any] | None = None,
) -> SubscriptionEvent:
    """Append one row to a subscription's history."""
    return SubscriptionEvent.objects.create(
        newsletter_id=subscription.newsletter_id,
        subscription=subscription,
        kind=kind,
        reason=reason,
        source=source,
        actor=actor,
        data=data or {},
    )


def _row(newsletter: Newsletter, email: str, *, source: str) -> Subscription:
    """The subscription row of ``email`` on ``newsletter``, locked, created if new."""
    email = normalise_email(email)
    existing = (
        Subscription.objects.select_for_update()
        .filter(newsletter=newsletter, email__iexact=email)
        .first()
    )
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Subscription.objects.create(
                newsletter=newsletter,
                email=email,
                source=source,
                state=SubscriptionState.UNSUBSCRIBED,
            )
    except IntegrityError:  # created by a concurrent request
        return Subscription.objects.select_for_update().get(
            newsletter=newsletter, email__iexact=email
        )


def _move(subscription: Subscription, state: str, *, fields: list[str]) -> None:
    if not subscription.can_move_to(state):
        raise ValueError(
            f"A subscription cannot go from {subscription.state} to {state}"
        )
    subscription.state = state
    subscription.save(update_fields=["state", "updated_at", *fields])


@dataclass
class SignupRequest:
    """What a sign-up form asked for: the rows now waiting, and what was already so."""

    email: str
    nonce: str = ""
    pending: list[Subscription] = field(default_factory=list)
    already_subscribed: list[Subscription] = field(default_factory=list)


@transaction.atomic
def request_subscription(
    newsletters: Iterable[Newsletter],
    *,
    email: str,
    source: str = SubscriptionSource.FORM,
    language: str = "",
) -> SignupRequest:
    """Ask ``email`` to confirm it wants ``newsletters`` (double opt-in).

    One confirmation email covers every newsletter of the request; sending it
    again replaces the earlier link. Addresses already subscribed are left as
    they are and get no email, so the form reveals nothing about who reads what.
    """
    email = normalise_email(email)
    request = SignupRequest(email=email, nonce=secrets.token_hex(16))
    for newsletter in newsletters:
        subscription = _row(newsletter, email, source=source)
        if subscription.state == SubscriptionState.SUBSCRIBED:
            request.already_subscribed.append(subscription)
            continue
        subscription.confirm_nonce = request.nonce
        if subscription.state == SubscriptionState.UNSUBSCRIBED:
            subscription.source = source
            _move(
                subscription,
                SubscriptionState.PENDING,
                fields=["confirm_nonce", "source"],
            )
        else:
            subscription.save(update_fields=["confirm_nonce", "updated_at"])
        record_event(subscription, EventKind.REQUESTED, source=source)
        request.pending.append(subscription)
    if request.pending:
        url = queries.confirm_url(email, request.nonce)
        names = [s.newsletter.name for s in request.pending]
        transaction.on_commit(
            lambda: emails.send_confirmation(
                email, url=url, newsletter_names=names, language=language
            )
        )
    return request


@dataclass
class Confirmation:
    """The outcome of opening a confirmation link."""

    confirmed: list[Subscription] = field(default_factory=list)
    already: list[Subscription] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.confirmed or self.already)


@transaction.atomic
def confirm_subscriptions(email: str, *, nonce: str) -> Confirmation:
    """Confirm the rows the link named (idempotent: a second use confirms nothing).

    A link used before, or replaced by a newer one, confirms nothing; if the
    address is subscribed anyway the outcome lists those rows in ``already``.
    """
    outcome = Confirmation()
    if not nonce:
        return outcome
    now = timezone.now()
    rows = list(
        Subscription.objects.select_for_update()
        .select_related("newsletter")
        .filter(
            email__iexact=email,
            confirm_nonce=nonce,
            state=SubscriptionState.PENDING,
        )
    )
    for subscription in rows:
        subscription.confirm_nonce = ""
        subscription.confirmed_at = now
        subscription.unsubscribed_at = None
        _move(
            subscription,
            SubscriptionState.SUBSCRIBED,
            fields=["confirm_nonce", "confirmed_at", "unsubscribed_at"],
        )
        record_event(subscription, EventKind.CONFIRMED, source=subscription.source)
        outcome.confirmed.append(subscription)
    if not rows:
        outcome.already = list(
            Subscription.objects.select_related("newsletter").filter(
                email__iexact=email, state=SubscriptionState.SUBSCRIBED
            )
        )
    return outcome


@transaction.atomic
def subscribe(
    newsletter: Newsletter,
    *,
    email: str,
    member: User | None = None,
    source: str,
    actor: User | None = None,
) -> Subscription:
    """Subscribe an address whose owner is already proven (a member, an import).

    No confirmation email: the caller vouches for the address (a confirmed
    member account, a preferences link mailed to it, staff importing a list
    they hold consent for). Idempotent.
    """
    subscription = _row(newsletter, email, source=source)
    changed: list[str] = []
    if member is not None and subscription.member_id != member.pk:
        subscription.member = member
        changed.append("member")
    if subscription.state == SubscriptionState.SUBSCRIBED:
        if changed:
            subscription.save(update_fields=[*changed, "updated_at"])
        return subscription
    subscription.source = source
    subscription.confirm_nonce = ""
    subscription.confirmed_at = timezone.now()
    subscription.unsubscribed_at = None
    _move(
        subscription,
        SubscriptionState.SUBSCRIBED,
        fields=[
            *changed,
            "source",
            "confirm_nonce",
            "confirmed_at",
            "unsubscribed_at",
        ],
    )
    record_event(subscription, EventKind.SUBSCRIBED, source=source, actor=actor)
    return subscription


@transaction.atomic
def unsubscribe(
    subscription: Subscription,
    *,
    reason: str,
    actor: User | None = None,
    source: str = "",
) -> bool:
    """Stop sending ``subscription``'s newsletter to its address. Idempotent.

    Returns True when the state changed. The row stays (unsubscribed), so the
    address is never mailed again by that newsletter without a new opt-in.
    """
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if locked.state == SubscriptionState.UNSUBSCRIBED:
        subscription.state = locked.state
        return False
    locked.confirm_nonce = ""
    locked.unsubscribed_at = timezone.now()
    _move(
        locked,
        SubscriptionState.UNSUBSCRIBED,
        fields=["confirm_nonce", "unsubscribed_at"],
    )
    record_event(
        locked, EventKind.UNSUBSCRIBED, reason=reason, source=source, actor=actor
    )
    subscription.state = locked.state
    subscription.unsubscribed_at = locked.unsubscribed_at
    return True


@transaction.atomic
def unsubscribe_address(email: str, *, reason: str, actor: User | None = None) -> int:
    """Unsubscribe ``email`` from every newsletter (bounce, complaint, "all")."""
    count = 0
    for subscription in Subscription.objects.filter(email__iexact=email).exclude(
        state=SubscriptionState.UNSUBSCRIBED
    ):
        count += unsubscribe(subscription, reason=reason, actor=actor)
    return count


@transaction.atomic
def set_choices(
    email: str,
    *,
    chosen: Iterable[Newsletter],
    offered: Iterable[Newsletter],
    source: str,
    reason: str,
    member: User | None = None,
    may_add: bool = True,
) -> tuple[int, int]:
    """Make ``email`` receive exactly ``chosen`` among ``offered``.

    ``offered`` are the newsletters the page showed: one it did not show is
    left as it is. Adding needs a proven address (``may_add``): a member, or a
    preferences link of a confirmed subscription. Returns (added, removed).
    """
    chosen_ids = {n.pk for n in chosen}
    current = {
        s.newsletter_id: s
        for s in Subscription.objects.filter(email__iexact=email).select_related(
            "newsletter"
        )
    }
    added = removed = 0
    for newsletter in offered:
        row = current.get(newsletter.pk)
        wanted = newsletter.pk in chosen_ids
        if wanted and may_add and (row is None or not row.is_subscribed):
            subscribe(newsletter, email=email, member=member, source=source)
            added += 1
        elif (
            not wanted
            and row is not None
            and row.state != SubscriptionState.UNSUBSCRIBED
        ):
            removed += unsubscribe(row, reason=reason, source=source)
    return added, removed


def subscribe_member(
    user: User, *, slugs: Iterable[str], source: str, actor: User | None = None
) -> list[Subscription]:
    """Subscribe a member to the newsletters named by ``slugs`` they may receive.

    Unknown or inactive slugs, and paid newsletters for members without paid
    access, are skipped.
    """
    wanted = set(slugs)
    if not wanted:
        return []
    return [
        subscribe(newsletter, email=user.email, member=user, source=source, actor=actor)
        for newsletter in queries.newsletters_for(user).filter(slug__in=wanted)
    ]


def forget_member(user_id: int, email: str) -> int:
    """Delete the rows of a deleted account; their events stay, detached."""
    deleted, _detail = Subscription.objects.filter(member_id=user_id).delete()
    more, _detail = Subscription.objects.filter(email__iexact=email).delete()
    return deleted + more


@transaction.atomic
def import_subscribers(
    newsletter: Newsletter, *, rows: Iterable[Any], actor: User | None = None
) -> tuple[int, int]:
    """Add the checked CSV ``rows`` (csvio.Row) whose address is new to ``newsletter``.

    Existing addresses are skipped, whatever their state: an import never
    resubscribes someone who left. Each new row gets an event (``subscribed``,
    or ``unsubscribed`` with reason ``import`` for rows imported as such).
    Returns (created, skipped).
    """
    from django.contrib.auth import get_user_model

    rows = list(rows)
    existing = {
        e.lower()
        for e in Subscription.objects.filter(newsletter=newsletter).values_list(
            "email", flat=True
        )
    }
    members = {
        u.email.lower(): u
        for u in get_user_model().objects.filter(
            email__in=[r.member_email for r in rows if r.member_email]
        )
    }
    new = [r for r in rows if normalise_email(r.email).lower() not in existing]
    objects = []
    for row in new:
        objects.append(
            Subscription(
                newsletter=newsletter,
                email=normalise_email(row.email),
                member=members.get(row.member_email.lower()),
                state=row.state,
                source=row.source,
                confirmed_at=row.confirmed_at
                or (
                    timezone.now()
                    if row.state == SubscriptionState.SUBSCRIBED
                    else None
                ),
                unsubscribed_at=row.unsubscribed_at,
            )
        )
    created = Subscription.objects.bulk_create(objects, batch_size=2000)
    # bulk_create fills pks on PostgreSQL and SQLite 3.35+; read them back anyway
    # so the events and dates attach on every backend.
    by_email = {
        s.email.lower(): s
        for s in Subscription.objects.filter(
            newsletter=newsletter, email__in=[o.email for o in objects]
        )
    }
    events = []
    dated = []
    for row in new:
        subscription = by_email[normalise_email(row.email).lower()]
        kind = {
            SubscriptionState.SUBSCRIBED: EventKind.SUBSCRIBED,
            SubscriptionState.UNSUBSCRIBED: EventKind.UNSUBSCRIBED,
            SubscriptionState.PENDING: EventKind.REQUESTED,
        }[row.state]
        events.append(
            SubscriptionEvent(
                newsletter=newsletter,
                subscription=subscription,
                kind=kind,
                reason=UnsubscribeReason.IMPORT
                if kind == EventKind.UNSUBSCRIBED
                else "",
                source=SubscriptionSource.IMPORT,
                actor=actor,
            )
        )
        if row.created_at is not None:
            subscription.created_at = row.created_at
            dated.append(subscription)
    SubscriptionEvent.objects.bulk_create(events, batch_size=2000)
    Subscription.objects.bulk_update(dated, ["created_at"], batch_size=2000)
    return len(created), len(rows) - len(new)


@transaction.atomic
def move_member_address(user: User, *, old_email: str) -> int:
    """Send a member's newsletters to their new address (after an email change).

    Each row of the old address (or linked to the member) takes the new
    address. Where the new address already has a row on that newsletter, that
    row stays and becomes subscribed if the old one was; the old row is
    unsubscribed (reason ``address_changed``). Returns the rows moved or merged.
    """
    new_email = normalise_email(user.email)
    rows = list(
        Subscription.objects.select_for_update()
        .filter(Q(member=user) | Q(email__iexact=old_email))
        .exclude(email__iexact=new_email)
    )
    taken = {
        s.newsletter_id: s
        for s in Subscription.objects.select_for_update().filter(
            email__iexact=new_email
        )
    }
    for row in rows:
        other = taken.get(row.newsletter_id)
        if other is None:
            row.email = new_email
            row.member = user
            row.save(update_fields=["email", "member", "updated_at"])
            continue
        if row.is_subscribed and not other.is_subscribed:
            subscribe(
                row.newsletter,
                email=new_email,
                member=user,
                source=SubscriptionSource.ACCOUNT,
            )
        unsubscribe(row, reason=UnsubscribeReason.ADDRESS_CHANGED)
    return len(rows)


def purge_unconfirmed(*, now: Any = None) -> int:
    """Delete pending rows never confirmed, a day after their link expired.

    An address that never confirmed has not agreed to anything: keeping it
    would be keeping personal data without a reason. Their ``requested``
    events stay, detached, for the growth report.
    """
    from datetime import timedelta

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=queries.confirm_max_age()) - timedelta(days=1)
    deleted, _detail = Subscription.objects.filter(
        state=SubscriptionState.PENDING,
        confirmed_at__isnull=True,
        updated_at__lt=cutoff,
    ).delete()
    return deleted
