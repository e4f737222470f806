"""Celery tasks of the sending pipeline: thin, idempotent, each calls one action.

Listed in ``CELERY_IMPORTS`` so workers register them; the beat runs ``tick``.
"""

from __future__ import annotations

from celery import shared_task

from . import actions, digests


@shared_task(name="herald.newsletters.sending.tasks.prepare_send", ignore_result=True)
def prepare_send(send_id: int) -> bool:
    """Render the send and write its batches and deliveries.

    Idempotent: the action holds the send's row lock and does nothing once
    ``prepared_at`` is set; a run that died wrote nothing (one transaction).
    """
    return actions.prepare_send(send_id)


@shared_task(name="herald.newsletters.sending.tasks.work_send", ignore_result=True)
def work_send(send_id: int) -> int:
    """Send the waiting batches of a send.

    Idempotent: each batch is claimed with a conditional UPDATE (pending →
    sending), so a second copy of this task finds nothing to claim twice.
    """
    return actions.work_send(send_id)


@shared_task(name="herald.newsletters.sending.tasks.tick", ignore_result=True)
def tick() -> dict[str, int]:
    """Start due sends and digests, close dead batches, resume stalled sends.

    Idempotent: every step is a conditional update on a state, and digests
    have a unique key per newsletter and period.
    """
    result = actions.tick()
    result["digests"] = len(digests.create_due_digests())
    return result
