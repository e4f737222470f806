"""The outbox: every email Herald sends, its state, and what providers told us."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from herald.core.models import TimeStampedModel


class MessageState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Outcome unknown")


# Only actions move a state, and only along these arrows.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    MessageState.QUEUED: {MessageState.SENDING, MessageState.FAILED},
    MessageState.SENDING: {
        MessageState.SENT,
        MessageState.QUEUED,  # retry after a temporary error, or never handed over
        MessageState.FAILED,
        MessageState.UNKNOWN,
    },
    MessageState.SENT: set(),
    # The operator decides: send again, or record that it did arrive.
    MessageState.FAILED: {MessageState.QUEUED},
    MessageState.UNKNOWN: {MessageState.QUEUED, MessageState.SENT},
}


class Stream(models.TextChoices):
    TRANSACTIONAL = "transactional", _("Transactional")
    BULK = "bulk", _("Bulk")


class OutboundMessage(TimeStampedModel):
    """One email as it was handed to Django's mail API, kept whole (MIME)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    state = models.CharField(
        max_length=16, choices=MessageState.choices, default=MessageState.QUEUED
    )
    stream = models.CharField(
        max_length=16, choices=Stream.choices, default=Stream.TRANSACTIONAL
    )
    from_email = models.CharField(max_length=320)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    # The complete message as RFC 5322 text: headers, every part, attachments.
    mime = models.TextField()
    # Anymail extras that MIME cannot carry (ESP tags and metadata).
    tags = models.JSONField(default=list, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider = models.CharField(max_length=32, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set when a worker takes the message, then when it hands it to the provider:
    # a message left 'sending' tells the sweeper whether it ever left Herald.
    claimed_at = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"

    @property
    def recipients(self) -> list[str]:
        return [*self.to, *self.cc, *self.bcc]


class EventType(models.TextChoices):
    """Anymail's normalised tracking events (anymail.signals.EventType)."""

    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")
    DEFERRED = "deferred", _("Deferred")
    DELIVERED = "delivered", _("Delivered")
    AUTORESPONDED = "autoresponded", _("Auto-responded")
    OPENED = "opened", _("Opened")
    CLICKED = "clicked", _("Clicked")
    COMPLAINED = "complained", _("Complained")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    SUBSCRIBED = "subscribed", _("Subscribed")
    UNKNOWN = "unknown", _("Unknown")


class DeliveryEvent(TimeStampedModel):
    """What a provider reported about one recipient of one message (append-only)."""

    message = models.ForeignKey(
        OutboundMessage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    provider = models.CharField(max_length=32)
    # The provider's own event id, when it has one: a replayed webhook is a no-op.
    event_id = models.CharField(max_length=255, null=True, blank=True)
    event_type = models.CharField(max_length=16, choices=EventType.choices)
    recipient = models.EmailField(max_length=320, blank=True, db_index=True)
    provider_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    reject_reason = models.CharField(max_length=32, blank=True)
    description = models.TextField(blank=True)
    mta_response = models.TextField(blank=True)
    click_url = models.URLField(max_length=2000, blank=True)
    tags = models.JSONField(default=list, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="outbox_event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.recipient}"


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", _("Hard bounce")
    COMPLAINT = "complaint", _("Spam complaint")
    MANUAL = "manual", _("Added by staff")


class Suppression(TimeStampedModel):
    """An address no bulk email goes to again (hard bounce or complaint)."""

    email = models.EmailField(max_length=320, unique=True)
    reason = models.CharField(max_length=16, choices=SuppressionReason.choices)
    event = models.ForeignKey(
        DeliveryEvent, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email
