"""Every write of the distribution app."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from herald.core.tasks_util import on_commit

from .models import FeedToken, HubPing, HubPingState


@transaction.atomic
def rotate_feed_token(user: Any) -> FeedToken:
    """Revoke ``user``'s private feed token (if any) and issue a new one."""
    FeedToken.objects.select_for_update().filter(
        user=user, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    return FeedToken.objects.create(user=user)


@transaction.atomic
def revoke_feed_token(user: Any) -> int:
    """Revoke ``user``'s private feed URL; return how many tokens were revoked."""
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def queue_hub_pings(
    topics: list[str], *, hubs: list[str], article_id: int | None = None
) -> list[HubPing]:
    """Record one ping per (hub, feed) and queue its delivery after commit."""
    from . import tasks

    pings = HubPing.objects.bulk_create(
        [
            HubPing(hub_url=hub, topic_url=topic, article_id=article_id)
            for hub in dict.fromkeys(hubs)
            for topic in dict.fromkeys(topics)
        ]
    )
    for ping in pings:
        on_commit(tasks.deliver_hub_ping.delay, ping.pk)
    return pings


def mark_ping_delivered(ping: HubPing) -> None:
    """Move a queued ping to delivered."""
    ping.state = HubPingState.DELIVERED
    ping.delivered_at = timezone.now()
    ping.attempts += 1
    ping.last_error = ""
    ping.save(
        update_fields=["state", "delivered_at", "attempts", "last_error", "updated_at"]
    )


def record_ping_failure(ping: HubPing, *, error: str, final: bool) -> None:
    """Count a failed attempt; after the last retry the ping is failed."""
    ping.attempts += 1
    ping.last_error = error[:500]
    fields = ["attempts", "last_error", "updated_at"]
    if final:
        ping.state = HubPingState.FAILED
        fields.append("state")
    ping.save(update_fields=fields)
