"""Thin Celery tasks: load by id, call an action."""

from __future__ import annotations

import logging

from celery import shared_task

from . import actions, websub
from .models import HubPing, HubPingState

log = logging.getLogger("herald.distribution.tasks")
MAX_RETRIES = 5


def backoff(retries: int) -> int:
    """Seconds before retry number ``retries + 1``: 30 s, 1, 2, 4, 8 minutes."""
    return 30 * (2**retries)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def deliver_hub_ping(self, ping_id: int) -> object:  # type: ignore[no-untyped-def]
    """POST one WebSub publish notice, retrying with backoff.

    Idempotent: a ping that is no longer queued (delivered, or failed for good)
    is left alone, so running the task twice sends at most one more POST.
    """
    ping = HubPing.objects.filter(pk=ping_id).first()
    if ping is None or ping.state != HubPingState.QUEUED:
        return "skipped"
    try:
        websub.post_publish(ping.hub_url, ping.topic_url)
    except Exception as exc:  # any network or HTTP failure is retried
        final = self.request.retries >= MAX_RETRIES
        actions.record_ping_failure(ping, error=repr(exc), final=final)
        if final:
            log.warning("WebSub ping %s failed for good: %r", ping_id, exc)
            return "failed"
        # throw=False: a worker schedules the retry and ends this run cleanly;
        # in-process (eager) mode runs the retry at once instead of raising.
        return self.retry(countdown=backoff(self.request.retries), throw=False)
    actions.mark_ping_delivered(ping)
    return "delivered"


@shared_task
def purge_frontend_cache(urls: list[str]) -> int:
    """Drop ``urls`` from nginx's page cache after a story changed.

    Idempotent: purging a URL that is not (or no longer) kept does nothing, so
    running the task twice is harmless. Failures are logged, not retried: the
    pages expire by their ``max-age`` anyway.
    """
    from . import frontend_cache

    return frontend_cache.purge(urls)
