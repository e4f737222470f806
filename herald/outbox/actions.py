"""Every write of the outbox: queue, deliver, recover, resend, record events."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import mime, providers, signals
from .models import (
    ALLOWED_TRANSITIONS,
    DeliveryEvent,
    EventType,
    MessageState,
    OutboundMessage,
    Stream,
    Suppression,
    SuppressionReason,
)

logger = logging.getLogger(__name__)

# Event types that prove the provider accepted a message.
ACCEPTED_EVENTS = {
    EventType.QUEUED,
    EventType.SENT,
    EventType.DEFERRED,
    EventType.DELIVERED,
    EventType.BOUNCED,
    EventType.AUTORESPONDED,
    EventType.OPENED,
    EventType.CLICKED,
    EventType.COMPLAINED,
    EventType.UNSUBSCRIBED,
}
# Metadata key that ties a provider's webhook event back to the outbox row.
METADATA_KEY = "herald_message_id"


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def max_attempts() -> int:
    return int(_setting("HERALD_OUTBOX_MAX_ATTEMPTS", 6))


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 30 s, 1, 2, 4, 8 min … at most 1 h."""
    base = float(_setting("HERALD_OUTBOX_RETRY_BASE_SECONDS", 30))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


# --- Queueing ---------------------------------------------------------------------


def queue_message(message: EmailMessage, *, stream: str = "") -> OutboundMessage:
    """Keep ``message`` whole in the outbox and send it once the transaction commits."""
    with transaction.atomic():
        row = OutboundMessage.objects.create(
            stream=stream or getattr(message, "herald_stream", Stream.TRANSACTIONAL),
            from_email=str(message.from_email or settings.DEFAULT_FROM_EMAIL),
            to=[str(a) for a in message.to],
            cc=[str(a) for a in message.cc],
            bcc=[str(a) for a in message.bcc],
            subject=str(message.subject)[:998],
            mime=mime.to_mime(message),
            tags=list(getattr(message, "tags", None) or []),
            metadata=dict(getattr(message, "metadata", None) or {}),
            provider=providers.provider_name(),
        )
        transaction.on_commit(lambda: dispatch(row.pk))
    return row


def dispatch(message_id: uuid.UUID | str, *, countdown: float = 0) -> None:
    """Hand the message to a worker (or run it here when the settings say so)."""
    from . import tasks

    if _setting("HERALD_OUTBOX_SEND_IN_PROCESS", False):
        tasks.deliver_message.apply(args=[str(message_id)], throw=True)
    else:
        queue = _setting("HERALD_OUTBOX_QUEUE", "")
        tasks.deliver_message.apply_async(
            args=[str(message_id)],
            countdown=countdown or None,
            **({"queue": queue} if queue else {}),
        )


# --- Delivering -------------------------------------------------------------------


def _move(message_id: uuid.UUID | str, source: str, target: str, **fields: Any) -> bool:
    """Move one message from ``source`` to ``target`` unless someone else did first."""
    if target not in ALLOWED_TRANSITIONS[source]:
        raise ValueError(f"outbox: {source} → {target} is not allowed")
    now = timezone.now()
    return bool(
        OutboundMessage.objects.filter(pk=message_id, state=source).update(
            state=target, updated_at=now, **fields
        )
    )


def deliver_message(message_id: uuid.UUID | str) -> str:
    """Send one queued message through the configured provider; return its new state.

    Runs outside any transaction in a worker, so each step commits: the claim
    (queued → sending) first, then the hand-over mark just before the provider
    is called. Only a worker that won the claim sends.
    """
    now = timezone.now()
    claimed = OutboundMessage.objects.filter(
        pk=message_id, state=MessageState.QUEUED
    ).update(
        state=MessageState.SENDING,
        claimed_at=now,
        handed_over_at=None,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    if not claimed:
        return "skipped"
    row = OutboundMessage.objects.get(pk=message_id)
    provider = providers.provider_name()
    try:
        email = mime.rebuild(
            row.mime, to=row.to, cc=row.cc, bcc=row.bcc, from_email=row.from_email
        )
        connection = providers.open_connection(provider)
    except Exception as exc:  # a kept message that no longer builds: never retry
        _move(row.pk, MessageState.SENDING, MessageState.FAILED, last_error=repr(exc))
        logger.exception("outbox: message %s cannot be built", row.pk)
        return MessageState.FAILED
    if providers.is_anymail(provider):
        email.tags = row.tags  # type: ignore[attr-defined]
        email.metadata = {**row.metadata, METADATA_KEY: str(row.pk)}  # type: ignore[attr-defined]
    OutboundMessage.objects.filter(pk=row.pk, state=MessageState.SENDING).update(
        handed_over_at=timezone.now(), provider=provider
    )
    try:
        with connection:
            connection.send_messages([email])
    except Exception as exc:
        return _after_error(row, exc)
    _move(
        row.pk,
        MessageState.SENDING,
        MessageState.SENT,
        sent_at=timezone.now(),
        provider_message_id=_provider_message_id(email)[:255],
        last_error="",
    )
    return MessageState.SENT


def _provider_message_id(email: Any) -> str:
    status = getattr(email, "anymail_status", None)
    if status is not None and status.message_id:
        ids = status.message_id
        return str(ids if isinstance(ids, str) else sorted(ids)[0])
    return str(email.extra_headers.get("Message-ID", ""))


def _after_error(row: OutboundMessage, exc: Exception) -> str:
    failure = providers.classify(exc)
    attempts = row.attempts
    logger.warning(
        "outbox: message %s attempt %s: %s (%s)",
        row.pk,
        attempts,
        failure.verdict,
        failure.detail,
    )
    if failure.verdict == "unknown":
        _move(
            row.pk,
            MessageState.SENDING,
            MessageState.UNKNOWN,
            last_error=failure.detail,
        )
        return MessageState.UNKNOWN
    if failure.verdict == "retry" and attempts < max_attempts():
        wait = backoff(attempts)
        moved = _move(
            row.pk,
            MessageState.SENDING,
            MessageState.QUEUED,
            last_error=failure.detail,
            next_attempt_at=timezone.now() + wait,
            handed_over_at=None,
        )
        if moved:
            pk = row.pk
            transaction.on_commit(lambda: dispatch(pk, countdown=wait.total_seconds()))
        return MessageState.QUEUED
    _move(row.pk, MessageState.SENDING, MessageState.FAILED, last_error=failure.detail)
    return MessageState.FAILED


# --- Recovering -------------------------------------------------------------------


def recover_messages(*, now: datetime | None = None) -> dict[str, int]:
    """Settle messages a dead worker left behind, and re-queue lost tasks.

    'sending' for longer than HERALD_OUTBOX_SENDING_TIMEOUT: never handed over →
    queued again (it did not leave); handed over and a provider event proves it
    arrived → sent; otherwise → unknown, for the operator to decide.
    'queued' past its retry time and untouched for a minute → dispatched again
    (a lost task: the claim makes a second task harmless).
    """
    now = now or timezone.now()
    timeout = timedelta(seconds=float(_setting("HERALD_OUTBOX_SENDING_TIMEOUT", 300)))
    outcome = {"requeued": 0, "sent": 0, "unknown": 0, "redispatched": 0}
    stalled = OutboundMessage.objects.filter(
        state=MessageState.SENDING, claimed_at__lt=now - timeout
    ).order_by("claimed_at")[:500]
    for row in stalled:
        if row.handed_over_at is None:
            if _move(
                row.pk,
                MessageState.SENDING,
                MessageState.QUEUED,
                last_error="The worker stopped before handing it to the provider.",
                next_attempt_at=now,
            ):
                outcome["requeued"] += 1
                pk = row.pk
                transaction.on_commit(lambda pk=pk: dispatch(pk))
            continue
        proof = (
            DeliveryEvent.objects.filter(message=row, event_type__in=ACCEPTED_EVENTS)
            .order_by("created_at")
            .first()
        )
        if proof is not None:
            if _move(
                row.pk,
                MessageState.SENDING,
                MessageState.SENT,
                sent_at=proof.occurred_at or proof.created_at,
                provider_message_id=proof.provider_message_id[:255],
            ):
                outcome["sent"] += 1
            continue
        if _move(
            row.pk,
            MessageState.SENDING,
            MessageState.UNKNOWN,
            last_error=(
                "The worker stopped after handing the message to the provider and "
                "before its answer was recorded: it may or may not have arrived."
            ),
        ):
            outcome["unknown"] += 1
    grace = now - timedelta(seconds=60)
    lost = OutboundMessage.objects.filter(
        state=MessageState.QUEUED, updated_at__lt=grace
    ).exclude(next_attempt_at__gt=grace)
    for pk in lost.values_list("pk", flat=True)[:500]:
        outcome["redispatched"] += 1
        transaction.on_commit(lambda pk=pk: dispatch(pk))
    return outcome


def resend_message(message: OutboundMessage, *, by: Any = None) -> bool:
    """Queue a failed or unknown message again (the operator's decision)."""
    if MessageState.QUEUED not in ALLOWED_TRANSITIONS[message.state]:
        return False
    moved = _move(
        message.pk,
        message.state,
        MessageState.QUEUED,
        next_attempt_at=None,
        last_error=f"Sent again by {by}" if by else "Sent again",
    )
    if moved:
        pk = message.pk
        transaction.on_commit(lambda: dispatch(pk))
    return moved


def mark_message_sent(message: OutboundMessage, *, by: Any = None) -> bool:
    """Record that an 'unknown' message did arrive (the operator checked)."""
    if message.state != MessageState.UNKNOWN:
        return False
    return _move(
        message.pk,
        MessageState.UNKNOWN,
        MessageState.SENT,
        sent_at=timezone.now(),
        last_error=f"Marked as sent by {by}" if by else "Marked as sent",
    )


# --- Provider events and suppression ----------------------------------------------

SUPPRESSING = {
    EventType.BOUNCED: SuppressionReason.HARD_BOUNCE,
    EventType.COMPLAINED: SuppressionReason.COMPLAINT,
}
# A provider that refuses to send because of an earlier bounce or complaint.
SUPPRESSING_REJECTS = {
    "bounced": SuppressionReason.HARD_BOUNCE,
    "spam": SuppressionReason.COMPLAINT,
}


def record_event(
    *,
    provider: str,
    event_type: str,
    recipient: str,
    provider_message_id: str = "",
    event_id: str | None = None,
    reject_reason: str = "",
    description: str = "",
    mta_response: str = "",
    click_url: str = "",
    tags: list[str] | None = None,
    metadata: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
    permanent: bool = True,
) -> DeliveryEvent | None:
    """Record what a provider said about one recipient; suppress if it must.

    ``permanent=False`` marks a bounce the provider calls soft (it will retry or
    already gave up for now): recorded, but the address is not suppressed.
    Returns None for a replayed event (same provider and event id).
    """
    metadata = dict(metadata or {})
    recipient = (recipient or "").strip().lower()
    event_type = event_type if event_type in EventType.values else EventType.UNKNOWN
    message = _message_for(metadata.get(METADATA_KEY), provider_message_id)
    try:
        with transaction.atomic():
            event = DeliveryEvent.objects.create(
                message=message,
                provider=provider[:32],
                event_id=(event_id or None) and str(event_id)[:255],
                event_type=event_type,
                recipient=recipient[:320],
                provider_message_id=(provider_message_id or "")[:255],
                reject_reason=(reject_reason or "")[:32],
                description=description or "",
                mta_response=mta_response or "",
                click_url=(click_url or "")[:2000],
                tags=list(tags or []),
                metadata=metadata,
                occurred_at=occurred_at,
            )
            reason = SUPPRESSING.get(event_type)  # type: ignore[call-overload]
            if reason is None and event_type == EventType.REJECTED:
                reason = SUPPRESSING_REJECTS.get(reject_reason or "")
            if reason is not None and recipient and permanent:
                suppress_address(recipient, reason=reason, event=event)
    except IntegrityError:
        return None  # the provider sent this event before
    transaction.on_commit(
        lambda: signals.delivery_event.send(sender=DeliveryEvent, event=event)
    )
    return event


def _message_for(herald_id: Any, provider_message_id: str) -> OutboundMessage | None:
    if herald_id:
        try:
            found = OutboundMessage.objects.filter(pk=uuid.UUID(str(herald_id))).first()
        except ValueError:
            found = None
        if found is not None:
            return found
    if provider_message_id:
        return OutboundMessage.objects.filter(
            provider_message_id=provider_message_id
        ).first()
    return None


def suppress_address(
    email: str, *, reason: str, event: DeliveryEvent | None = None, note: str = ""
) -> Suppression:
    """Put ``email`` on the suppression list (idempotent: first reason is kept)."""
    suppression, _created = Suppression.objects.get_or_create(
        email=email.strip().lower(),
        defaults={"reason": reason, "event": event, "note": note},
    )
    return suppression


def unsuppress_address(email: str) -> int:
    """Take ``email`` off the suppression list (staff, after the reader asked)."""
    deleted, _ = Suppression.objects.filter(email=email.strip().lower()).delete()
    return deleted
