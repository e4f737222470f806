"""Celery tasks of push delivery: thin, idempotent, each calls one action."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from . import actions
from .models import Notification


def queue(task: Any, *args: Any, countdown: float | None = None) -> None:
    """Queue ``task`` on HERALD_PUSH_QUEUE (Celery's default queue if empty)."""
    options: dict[str, Any] = {}
    if settings.HERALD_PUSH_QUEUE:
        options["queue"] = settings.HERALD_PUSH_QUEUE
    if countdown:
        options["countdown"] = countdown
    task.apply_async(args, **options)


def make_sender() -> Any:
    """The Web Push sender with the site's key and the configured limits."""
    from .providers.webpush import WebPushSender
    from .vapid import shared_signer

    return WebPushSender(
        signer=shared_signer(),
        timeout=float(settings.HERALD_PUSH_TIMEOUT),
        concurrency=int(settings.HERALD_PUSH_CONCURRENCY),
    )


@shared_task(name="herald.notifications.tasks.offer_breaking", ignore_result=True)
def offer_breaking(article_id: int) -> str | None:
    """Offer (or send, by setting) a push for a breaking article that went live.

    Idempotent: one push per article and topic (``prepare_push`` returns the
    one there is; a sent one is not sent again).
    """
    notification = actions.offer_breaking(article_id)
    return str(notification.pk) if notification else None


@shared_task(name="herald.notifications.tasks.fan_out", ignore_result=True)
def fan_out(notification_id: str) -> int:
    """Make one delivery per subscriber and queue the delivery batches.

    Idempotent: deliveries are unique per (push, subscription); batches send
    only pending rows.
    """
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return 0
    return len(actions.fan_out(notification))


@shared_task(
    name="herald.notifications.tasks.send_deliveries",
    ignore_result=True,
    acks_late=True,
)
def send_deliveries(notification_id: str, first: int, last: int) -> dict[str, int]:
    """Send one batch of deliveries; queue itself again for rows to retry.

    Idempotent: only pending, unleased rows are claimed and sent, and a row
    moves only out of pending; a second run after success sends nothing.
    """
    notification = (
        Notification.objects.select_related("article")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        return {}
    result = actions.send_deliveries(notification, first, last, sender=make_sender())
    if result.retry:
        queue(
            send_deliveries,
            notification_id,
            first,
            last,
            countdown=result.retry_in or 1,
        )
    else:
        actions.finish_if_done(notification)
    return {
        "sent": result.sent,
        "expired": result.expired,
        "failed": result.failed,
        "retry": result.retry,
    }


@shared_task(name="herald.notifications.tasks.resume_deliveries", ignore_result=True)
def resume_deliveries() -> int:
    """Queue again the due batches nobody holds (after a crash or a lost task).

    Idempotent: a batch that is queued twice sends its rows once (leases and
    the pending state).
    """
    batches = actions.due_batches()
    for notification_id, first, last in batches:
        queue(send_deliveries, notification_id, first, last)
    for notification in Notification.objects.filter(state="sending"):
        actions.finish_if_done(notification)
    return len(batches)
