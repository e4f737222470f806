"""Every write of the notifications app: subscriptions, pushes, deliveries."""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Q
from django.db.models.constants import OnConflict
from django.utils import timezone

from herald.core.tasks_util import on_commit
from herald.newsroom.models import ArticlePage

from . import payloads, queries
from .forms import SubscriptionInput
from .models import (
    BREAKING,
    Delivery,
    DeliveryState,
    Notification,
    NotificationState,
    PushSubscription,
    SubscriptionState,
    SubscriptionTopic,
    Urgency,
)
from .providers.base import Message, Outcome, Sender

log = logging.getLogger("herald.notifications")

# A sender holds claimed rows this long; after a crash another run takes them.
LEASE = timedelta(minutes=5)
# A Retry-After longer than this is capped (the delivery is retried then).
MAX_WAIT = timedelta(hours=1)


# --- Subscriptions ---------------------------------------------------------------


def subscribe(
    data: SubscriptionInput, *, member: Any = None
) -> tuple[PushSubscription, bool]:
    """Store (or renew) a browser's subscription; return it and whether it is new.

    The endpoint is the browser's identity: subscribing again with it updates
    the keys (and brings back a removed subscription) instead of adding a row.
    Topics: the ones given; else the member's (their topics follow them); else
    what the subscription had; else breaking news.
    """
    member = member if member is not None and member.is_authenticated else None
    with transaction.atomic():
        subscription = (
            PushSubscription.objects.select_for_update()
            .filter(endpoint=data.endpoint)
            .first()
        )
        created = subscription is None
        if created:
            try:
                with transaction.atomic():
                    subscription = PushSubscription.objects.create(
                        endpoint=data.endpoint,
                        p256dh=data.p256dh,
                        auth=data.auth,
                        member=member,
                    )
            except IntegrityError:  # the same browser, twice at once
                subscription = PushSubscription.objects.select_for_update().get(
                    endpoint=data.endpoint
                )
                created = False
        if not created:
            assert subscription is not None
            subscription.p256dh = data.p256dh
            subscription.auth = data.auth
            subscription.state = SubscriptionState.ACTIVE
            subscription.removed_reason = ""
            if member is not None:
                subscription.member = member
            subscription.save(
                update_fields=[
                    "p256dh",
                    "auth",
                    "state",
                    "removed_reason",
                    "member",
                    "updated_at",
                ]
            )
        assert subscription is not None
        if data.topics is not None:
            topics = set(data.topics)
        elif member is not None and (
            known := queries.member_topics(member, besides=subscription.pk)
        ):
            topics = known
        elif not created and (current := queries.topics_of(subscription)):
            topics = current
        else:
            topics = {BREAKING}
        _write_topics(subscription, topics)
    return subscription, created


def _write_topics(subscription: PushSubscription, topics: Iterable[str]) -> None:
    topics = set(topics)
    SubscriptionTopic.objects.filter(subscription=subscription).exclude(
        topic__in=topics
    ).delete()
    SubscriptionTopic.objects.bulk_create(
        [SubscriptionTopic(subscription=subscription, topic=t) for t in topics],
        ignore_conflicts=True,
    )


def set_topics(subscription: PushSubscription, *, topics: Iterable[str]) -> None:
    """Change what a subscription receives; a member's other browsers follow."""
    topics = set(topics)
    with transaction.atomic():
        targets = [subscription]
        if subscription.member_id:
            targets = list(
                PushSubscription.objects.filter(
                    member_id=subscription.member_id, state=SubscriptionState.ACTIVE
                )
            )
            if subscription not in targets:
                targets.append(subscription)
        for target in targets:
            _write_topics(target, topics)
        PushSubscription.objects.filter(pk__in=[t.pk for t in targets]).update(
            updated_at=timezone.now()
        )


def attach_member(subscription: PushSubscription, *, member: Any) -> None:
    """Link a subscription to the signed-in member (their topics then follow it)."""
    if not member.is_authenticated or subscription.member_id == member.pk:
        return
    subscription.member = member
    subscription.save(update_fields=["member", "updated_at"])


def unsubscribe(subscription: PushSubscription, *, reason: str = "reader") -> bool:
    """Stop every push to ``subscription``; False when it was already removed."""
    changed = PushSubscription.objects.filter(
        pk=subscription.pk, state=SubscriptionState.ACTIVE
    ).update(
        state=SubscriptionState.REMOVED,
        removed_reason=reason[:40],
        updated_at=timezone.now(),
    )
    subscription.state = SubscriptionState.REMOVED
    return bool(changed)


# --- Pushes ----------------------------------------------------------------------


class AlreadyPushed(Exception):
    """The article was pushed to this topic already (resend it on purpose)."""

    def __init__(self, notification: Notification):
        super().__init__(f"already pushed: {notification.pk}")
        self.notification = notification


def _absolute(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return settings.BASE_URL + url


def prepare_push(
    article: ArticlePage,
    *,
    topic: str,
    user: Any = None,
    title: str | None = None,
    body: str | None = None,
    resend: bool = False,
) -> Notification:
    """Make (or return) the push of ``article`` to ``topic``, not sent yet.

    One push per article and topic: asking again returns the one there is,
    unless it went out already and ``resend`` is set, which makes a new one.
    Title and text default to the headline and the dek, never the story's text.
    """
    breaking = topic == BREAKING
    with transaction.atomic():
        existing = (
            Notification.objects.select_for_update()
            .filter(article=article, topic=topic)
            .exclude(state=NotificationState.CANCELLED)
            .order_by("-sequence")
            .first()
        )
        if existing is not None and existing.state == NotificationState.OFFERED:
            return existing
        if existing is not None and not resend:
            raise AlreadyPushed(existing)
        sequence = (
            Notification.objects.filter(article=article, topic=topic).aggregate(
                top=Max("sequence")
            )["top"]
            or 0
        ) + 1
        return Notification.objects.create(
            article=article,
            topic=topic,
            sequence=sequence,
            title=(title or article.title)[:120],
            body=(article.dek if body is None else body)[:300],
            url=_absolute(article.url or ""),
            urgency=Urgency.HIGH if breaking else Urgency.NORMAL,
            ttl=settings.HERALD_PUSH_BREAKING_TTL
            if breaking
            else settings.HERALD_PUSH_TTL,
            created_by=user if user is not None and user.is_authenticated else None,
        )


def send_push(
    notification: Notification,
    *,
    user: Any = None,
    title: str | None = None,
    body: str | None = None,
) -> bool:
    """Start sending an offered push (optionally with edited words).

    False when it was sent or cancelled already: a push goes out once.
    """
    from . import tasks

    fields: dict[str, Any] = {
        "state": NotificationState.SENDING,
        "sent_at": timezone.now(),
        "updated_at": timezone.now(),
    }
    if title:
        fields["title"] = title[:120]
    if body is not None:
        fields["body"] = body[:300]
    if user is not None and user.is_authenticated:
        fields["created_by"] = user
    with transaction.atomic():
        moved = Notification.objects.filter(
            pk=notification.pk, state=NotificationState.OFFERED
        ).update(**fields)
        if moved:
            on_commit(tasks.queue, tasks.fan_out, str(notification.pk))
    notification.refresh_from_db()
    return bool(moved)


def push_article(
    article: ArticlePage,
    *,
    topic: str,
    user: Any = None,
    title: str | None = None,
    body: str | None = None,
    resend: bool = False,
) -> Notification:
    """Prepare and send a push of ``article`` to ``topic`` in one step."""
    notification = prepare_push(
        article, topic=topic, user=user, title=title, body=body, resend=resend
    )
    send_push(notification, user=user, title=title, body=body)
    return notification


def cancel_push(notification: Notification) -> bool:
    """Drop an offered push that the editors chose not to send."""
    return bool(
        Notification.objects.filter(
            pk=notification.pk, state=NotificationState.OFFERED
        ).update(state=NotificationState.CANCELLED, updated_at=timezone.now())
    )


def offer_breaking(article_id: int) -> Notification | None:
    """A breaking article went live: offer a push (or send it, by setting)."""
    article = ArticlePage.objects.filter(pk=article_id, live=True).first()
    if article is None or not article.is_breaking:
        return None
    try:
        notification = prepare_push(article, topic=BREAKING)
    except AlreadyPushed:
        return None
    if settings.HERALD_PUSH_BREAKING_AUTOSEND:
        send_push(notification)
    return notification


def record_click(notification_id: str) -> bool:
    """Count one click on a push (the service worker reports it)."""
    try:
        return bool(
            Notification.objects.filter(pk=notification_id).update(
                clicks=F("clicks") + 1
            )
        )
    except (ValueError, TypeError, ValidationError):
        return False


# --- Fan-out and delivery ----------------------------------------------------------


def fan_out(notification: Notification) -> list[tuple[int, int]]:
    """Make one delivery row per subscriber of the topic; queue their batches.

    Idempotent: a (notification, subscription) pair has one row (unique
    constraint; conflicts are ignored), and a batch sends only pending rows.
    Returns the batches as (first id, last id) ranges.
    """
    from . import tasks

    if notification.state != NotificationState.SENDING:
        return []
    _write_deliveries(notification)
    delivery_ids = list(
        Delivery.objects.filter(notification=notification)
        .order_by("id")
        .values_list("id", flat=True)
    )
    Notification.objects.filter(pk=notification.pk).update(targeted=len(delivery_ids))
    size = max(1, int(settings.HERALD_PUSH_BATCH_SIZE))
    batches = [
        (delivery_ids[i], delivery_ids[min(i + size, len(delivery_ids)) - 1])
        for i in range(0, len(delivery_ids), size)
    ]
    for first, last in batches:
        tasks.queue(tasks.send_deliveries, str(notification.pk), first, last)
    if not batches:
        finish_if_done(notification)
    return batches


def _write_deliveries(notification: Notification) -> None:
    """Insert a pending row per subscriber of the push's topic that has none.

    One ``INSERT … SELECT`` in the database: a breaking push has a row per
    subscriber (100,000 and more), which as model instances would cost the
    fan-out seconds of CPU before the first batch could be queued.
    """
    ops = connection.ops
    table = ops.quote_name(Delivery._meta.db_table)
    columns = ", ".join(
        ops.quote_name(Delivery._meta.get_field(name).column)
        for name in ("notification", "subscription", "state", "attempts", "last_error")
    )
    subscribers, params = (
        queries.subscribers(notification.topic)
        .order_by()
        .values("id")
        .query.sql_with_params()
    )
    notification_id = Delivery._meta.get_field("notification").get_db_prep_value(
        notification.pk, connection
    )
    # The unique (notification, subscription) constraint makes a second run
    # insert nothing: conflicts are ignored (INSERT OR IGNORE on SQLite).
    insert = ops.insert_statement(on_conflict=OnConflict.IGNORE)
    suffix = ops.on_conflict_suffix_sql([], OnConflict.IGNORE, [], [])
    # Only quoted names and the ORM's own SQL are formatted in; values are
    # parameters.
    with connection.cursor() as cursor:
        cursor.execute(
            f"{insert} {table} ({columns}) "  # noqa: S608
            f"SELECT %s, s.id, %s, 0, '' FROM ({subscribers}) s ORDER BY s.id "
            f"{suffix}",
            [notification_id, DeliveryState.PENDING.value, *params],
        )


@dataclass
class BatchResult:
    sent: int = 0
    expired: int = 0
    failed: int = 0
    retry: int = 0
    retry_in: float | None = None
    skipped: int = 0
    statuses: dict[int | None, int] = field(default_factory=dict)


def _claim(notification_id: Any, first: int, last: int, now: datetime) -> list[int]:
    """Hold the due pending rows of a range (rows another sender holds are skipped)."""
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(
                notification_id=notification_id,
                id__gte=first,
                id__lte=last,
                state=DeliveryState.PENDING,
            )
            .filter(Q(retry_after__isnull=True) | Q(retry_after__lte=now))
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .values_list("id", flat=True)
        )
        if ids:
            Delivery.objects.filter(id__in=ids).update(lease_until=now + LEASE)
    return ids


def _retry_after_seconds(value: str | None, now: datetime) -> float:
    if not value:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    if when.tzinfo is None:
        return 0.0
    return max(0.0, (when - now).total_seconds())


def _next_try(attempts: int, retry_after: str | None, now: datetime) -> float:
    backoff = float(settings.HERALD_PUSH_BACKOFF) * (2 ** max(0, attempts - 1))
    wait = max(backoff, _retry_after_seconds(retry_after, now))
    return min(wait, MAX_WAIT.total_seconds())


def icon_and_image(notification: Notification) -> tuple[str, str]:
    """Absolute URLs of the publication's logo (icon) and the story's picture."""
    from herald.newsroom.models import PublicationSettings

    icon = ""
    image = ""
    publication = PublicationSettings.objects.select_related("logo").first()
    try:
        if publication is not None and publication.logo is not None:
            icon = _absolute(publication.logo.get_rendition("fill-192x192").url)
    except Exception:  # an unreadable logo: the browser shows the site icon
        log.warning("push icon could not be rendered", exc_info=True)
    article = notification.article
    picture = article.social_image or article.hero_image
    try:
        if picture is not None:
            image = _absolute(picture.get_rendition("fill-720x360").url)
    except Exception:
        log.warning("push image could not be rendered", exc_info=True)
    if not icon:
        icon = _absolute(payloads.static_url("icons/icon-192.png"))
    return icon, image


def send_deliveries(
    notification: Notification, first: int, last: int, *, sender: Sender
) -> BatchResult:
    """Send the due pending deliveries with ids in [first, last] and record them.

    Each row ends sent, expired (404/410: its subscription is removed), failed
    (refused, or out of attempts) or pending with a later ``retry_after``
    (429, 5xx, timeout). Only pending rows are sent, under a lease, so running
    a batch again resends nothing that was recorded; a crash between a push
    service's answer and the record can resend one push, which the browser
    shows once (same tag).
    """
    result = BatchResult()
    now = timezone.now()
    ids = _claim(notification.pk, first, last, now)
    if not ids:
        return result
    try:
        rows, messages, gone = _prepare(notification, ids)
    except Exception:
        # Nothing was sent: let another run take the rows now, not after the lease.
        Delivery.objects.filter(id__in=ids, state=DeliveryState.PENDING).update(
            lease_until=None
        )
        raise
    outcomes = sender.send(messages)
    _record(notification.pk, outcomes, rows, result)
    if gone:
        result.skipped = Delivery.objects.filter(
            id__in=gone, state=DeliveryState.PENDING
        ).update(
            state=DeliveryState.FAILED,
            last_error="unsubscribed before sending",
            finished_at=timezone.now(),
            lease_until=None,
        )
    return result


def _prepare(
    notification: Notification, ids: list[int]
) -> tuple[dict[int, tuple[int, Any]], list[Message], list[int]]:
    """The claimed rows (id -> attempts, subscription id), one message per live
    subscription, and the rows whose subscription was removed meanwhile."""
    # Plain tuples, not model instances: a batch reads hundreds of rows.
    found = (
        Delivery.objects.filter(id__in=ids)
        .order_by("id")
        .values_list(
            "id",
            "attempts",
            "subscription_id",
            "subscription__endpoint",
            "subscription__p256dh",
            "subscription__auth",
            "subscription__state",
        )
    )
    icon, image = icon_and_image(notification)
    payload = payloads.build(notification, icon=icon, image=image)
    topic = payloads.tag_for(notification)[:32]
    ttl = notification.ttl
    urgency = notification.urgency
    rows: dict[int, tuple[int, Any]] = {}
    messages = []
    gone: list[int] = []
    for pk, attempts, subscription_id, endpoint, p256dh, auth, state in found:
        rows[pk] = (attempts, subscription_id)
        if state != SubscriptionState.ACTIVE:
            gone.append(pk)
            continue
        messages.append(
            Message(
                key=pk,
                endpoint=endpoint,
                p256dh=p256dh,
                auth=auth,
                payload=payload,
                ttl=ttl,
                urgency=urgency,
                topic=topic,
            )
        )
    return rows, messages, gone


def _record(
    notification_id: Any,
    outcomes: list[Outcome],
    rows: dict[int, tuple[int, Any]],
    result: BatchResult,
) -> None:
    now = timezone.now()
    max_attempts = int(settings.HERALD_PUSH_MAX_ATTEMPTS)
    # (state, status, error, retry seconds) -> delivery ids: one UPDATE each.
    groups: dict[tuple[str, int | None, str, float | None], list[int]] = defaultdict(
        list
    )
    gone_subscriptions: list[Any] = []
    for outcome in outcomes:
        pk = outcome.key
        attempts, subscription_id = rows[pk]
        attempts += 1
        status = outcome.status
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status in (200, 201, 202):
            groups[(DeliveryState.SENT, status, "", None)].append(pk)
            result.sent += 1
        elif status in (404, 410):
            groups[(DeliveryState.EXPIRED, status, outcome.error, None)].append(pk)
            gone_subscriptions.append(subscription_id)
            result.expired += 1
        elif (status is None or status == 429 or status >= 500) and (
            attempts < max_attempts
        ):
            wait = math.ceil(_next_try(attempts, outcome.retry_after, now))
            groups[(DeliveryState.PENDING, status, outcome.error, wait)].append(pk)
            result.retry += 1
            result.retry_in = (
                wait if result.retry_in is None else min(result.retry_in, wait)
            )
        else:
            groups[(DeliveryState.FAILED, status, outcome.error, None)].append(pk)
            result.failed += 1
    with transaction.atomic():
        for (state, status, error, wait), ids in groups.items():
            fields: dict[str, Any] = {
                "state": state,
                "status_code": status,
                "last_error": error[:200],
                "attempts": F("attempts") + 1,
                "lease_until": None,
            }
            if wait is None:
                fields["finished_at"] = now
            else:
                fields["retry_after"] = now + timedelta(seconds=wait)
            # Only a pending row moves (ALLOWED_TRANSITIONS): a late duplicate
            # run cannot rewrite an end state.
            Delivery.objects.filter(id__in=ids, state=DeliveryState.PENDING).update(
                **fields
            )
        if result.sent:
            # The rows of this batch that this record marked sent (their
            # finished_at is this ``now``), found by range rather than by a list
            # of hundreds of subscription ids.
            sent_now = Delivery.objects.filter(
                notification_id=notification_id,
                id__gte=min(rows),
                id__lte=max(rows),
                state=DeliveryState.SENT,
                finished_at=now,
            ).values("subscription_id")
            PushSubscription.objects.filter(pk__in=sent_now).update(last_success_at=now)
        if gone_subscriptions:
            PushSubscription.objects.filter(
                pk__in=gone_subscriptions, state=SubscriptionState.ACTIVE
            ).update(
                state=SubscriptionState.REMOVED,
                removed_reason="gone at push service",
                updated_at=now,
            )


def finish_if_done(notification: Notification) -> bool:
    """Mark a push sent once none of its deliveries is pending."""
    if Delivery.objects.filter(
        notification=notification, state=DeliveryState.PENDING
    ).exists():
        return False
    return bool(
        Notification.objects.filter(
            pk=notification.pk, state=NotificationState.SENDING
        ).update(state=NotificationState.SENT, finished_at=timezone.now())
    )


def due_batches(now: datetime | None = None) -> list[tuple[str, int, int]]:
    """Ranges of pending deliveries nobody holds that are due (crash recovery)."""
    now = now or timezone.now()
    size = max(1, int(settings.HERALD_PUSH_BATCH_SIZE))
    out: list[tuple[str, int, int]] = []
    sending = Notification.objects.filter(state=NotificationState.SENDING)
    for notification_id in sending.values_list("id", flat=True):
        ids = list(
            Delivery.objects.filter(
                notification_id=notification_id, state=DeliveryState.PENDING
            )
            .filter(Q(retry_after__isnull=True) | Q(retry_after__lte=now))
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .order_by("id")
            .values_list("id", flat=True)
        )
        for i in range(0, len(ids), size):
            chunk = ids[i : i + size]
            out.append((str(notification_id), chunk[0], chunk[-1]))
    return out
