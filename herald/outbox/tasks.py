"""Thin Celery tasks of the outbox."""

from __future__ import annotations

from celery import shared_task

from . import actions


@shared_task(name="herald.outbox.tasks.deliver_message", acks_late=True)
def deliver_message(message_id: str) -> str:
    """Send one outbox message.

    Idempotent: only a 'queued' row is claimed (a conditional UPDATE to
    'sending'), so a task delivered twice, or queued again by the sweeper,
    sends at most once per claim.
    """
    return str(actions.deliver_message(message_id))


@shared_task(name="herald.outbox.tasks.recover_messages")
def recover_messages() -> dict[str, int]:
    """Settle messages left 'sending' by a dead worker; re-dispatch lost ones.

    Idempotent: each move is a conditional UPDATE from the state it read.
    """
    return actions.recover_messages()
