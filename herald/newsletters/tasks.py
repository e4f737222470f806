"""Thin Celery tasks for subscriptions (sending/tasks.py holds the pipeline's)."""

from __future__ import annotations

from celery import shared_task

from . import actions


@shared_task(name="herald.newsletters.tasks.purge_unconfirmed")
def purge_unconfirmed() -> int:
    """Delete sign-ups never confirmed whose link has expired (no address kept).

    Idempotent: it deletes only pending rows that were never confirmed and are
    past the link's lifetime plus a day, so a second run finds nothing more.
    """
    return actions.purge_unconfirmed()
