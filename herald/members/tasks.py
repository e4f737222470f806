"""Thin Celery tasks for members: load by id, call an action."""

from __future__ import annotations

from celery import shared_task

from . import actions


@shared_task(name="herald.members.tasks.expire_access")
def expire_access() -> int:
    """Move members whose paid or comped access ended back to free.

    Idempotent: a member whose status already matches their access is left
    alone, so running it twice changes nothing the second time.
    """
    return actions.expire_access()


@shared_task(name="herald.members.tasks.link_imported_customer")
def link_imported_customer(user_id: int) -> int:
    """Fetch an imported member's subscriptions from the provider and mirror them.

    Idempotent: subscriptions are upserted by provider id and older states never
    overwrite newer ones.
    """
    return actions.link_provider_subscriptions(user_id)


@shared_task(name="herald.members.tasks.purge_expired_data")
def purge_expired_data() -> dict[str, int]:
    """Delete expired sign-in tokens and sessions and old admin login logs.

    Idempotent: it only deletes rows past their retention, so a second run
    finds nothing more to delete.
    """
    return actions.purge_expired_data()
