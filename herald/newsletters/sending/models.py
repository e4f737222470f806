"""Sends, their batches and one delivery row per recipient (the sending pipeline).

The states and what each one guarantees are in ``herald/newsletters/CONTEXT.md``
("The sending pipeline"). Only ``sending.actions`` moves a state, and only along
the arrows of the ``*_TRANSITIONS`` maps below; most moves are conditional
``UPDATE … WHERE state = …`` so that two workers (or a double click) cannot both
win.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField

from herald.core.models import TimeStampedModel


class SendState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


SEND_TRANSITIONS: dict[str, frozenset[str]] = {
    SendState.DRAFT: frozenset(
        {SendState.SCHEDULED, SendState.SENDING, SendState.CANCELLED}
    ),
    SendState.SCHEDULED: frozenset(
        {SendState.DRAFT, SendState.SENDING, SendState.CANCELLED}
    ),
    # Cancelling a send that is sending stops the batches not yet handed over.
    SendState.SENDING: frozenset(
        {SendState.SENT, SendState.FAILED, SendState.CANCELLED}
    ),
    SendState.SENT: frozenset(),
    SendState.FAILED: frozenset(),
    SendState.CANCELLED: frozenset(),
}


class Segment(models.TextChoices):
    EVERYONE = "everyone", _("Everyone subscribed")
    FREE = "free", _("Free members and subscribers without an account")
    PAID = "paid", _("Paid members")
    TIER = "tier", _("Members of one tier")


class SendKind(models.TextChoices):
    STORY = "story", _("A story from the site")
    EMAIL_ONLY = "email_only", _("An email-only story")
    DIGEST = "digest", _("An automatic digest")


class Send(TimeStampedModel):
    """One issue of a newsletter going to one segment of its subscribers."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    newsletter = models.ForeignKey(
        "newsletters.Newsletter",
        verbose_name=_("newsletter"),
        on_delete=models.PROTECT,
        related_name="sends",
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=SendKind.choices, default=SendKind.STORY
    )
    article = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("story"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Digests: the stories, in the order they appear in the email.
    digest_articles = models.JSONField(default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    # An email-only story: never a page on the site.
    title = models.CharField(_("headline"), max_length=255, blank=True)
    body = RichTextField(
        _("email-only text"),
        blank=True,
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "hr"],
    )
    segment = models.CharField(
        _("segment"), max_length=10, choices=Segment.choices, default=Segment.EVERYONE
    )
    tier = models.ForeignKey(
        "members.Tier",
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=SendState.choices,
        default=SendState.DRAFT,
        db_index=True,
    )
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    prepared_at = models.DateTimeField(null=True, blank=True)
    prepare_lease_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Copied from the newsletter when the send starts (tracking can change later).
    track_opens = models.BooleanField(default=False)
    track_clicks = models.BooleanField(default=False)
    # The renderings, one per variant ("full", "preview"), made once at prepare.
    renderings = models.JSONField(default=dict, blank=True, editable=False)
    recipient_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # The unique key of an automatic digest (newsletter + period), so that two
    # beat ticks can never create the same digest twice.
    digest_key = models.CharField(max_length=64, blank=True)
    # The editor's form carries a random key: submitting it twice (a double
    # click, a reload) finds the sends it made instead of making new ones.
    form_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("newsletter send")
        verbose_name_plural = _("newsletter sends")
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "digest_key"],
                condition=~models.Q(digest_key=""),
                name="newsletters_one_digest_per_period",
            ),
            models.UniqueConstraint(
                fields=["newsletter", "form_key"],
                condition=~models.Q(form_key=""),
                name="newsletters_one_send_per_form",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def can_move_to(self, state: str) -> bool:
        return state in SEND_TRANSITIONS[self.state]


class BatchState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Handed to the provider")
    DONE = "done", _("Done")


BATCH_TRANSITIONS: dict[str, frozenset[str]] = {
    BatchState.PENDING: frozenset({BatchState.SENDING, BatchState.DONE}),
    # Back to pending only when the provider refused the whole call (429/5xx):
    # nothing was accepted, so trying again cannot duplicate.
    BatchState.SENDING: frozenset({BatchState.DONE, BatchState.PENDING}),
    BatchState.DONE: frozenset(),
}


class Batch(models.Model):
    """A slice of a send's deliveries handed to the provider in one go."""

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField()
    state = models.CharField(
        max_length=10, choices=BatchState.choices, default=BatchState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # While sending: a worker holds the batch until then. A batch still
    # "sending" after its lease is one whose worker died (see recover_batches).
    lease_until = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["send", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["send", "number"], name="newsletters_batch_number"
            )
        ]
        indexes = [
            models.Index(fields=["send", "state"], name="newsletters_batch_state"),
        ]

    def __str__(self) -> str:
        return f"batch {self.number} of send {self.send_id} ({self.state})"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Handed to the provider, no answer yet")
    SENT = "sent", _("Accepted by the provider")
    FAILED = "failed", _("Refused")
    UNKNOWN = "unknown", _("Unknown: the worker stopped before the provider answered")
    SKIPPED = "skipped", _("Skipped")


DELIVERY_TRANSITIONS: dict[str, frozenset[str]] = {
    DeliveryState.PENDING: frozenset({DeliveryState.SENDING, DeliveryState.SKIPPED}),
    DeliveryState.SENDING: frozenset(
        {
            DeliveryState.SENT,
            DeliveryState.FAILED,
            DeliveryState.UNKNOWN,
            DeliveryState.SKIPPED,  # suppressed or unsubscribed at the last check
            DeliveryState.PENDING,  # the provider refused the whole call (429/5xx)
        }
    ),
    # The late answer of a worker that was only slow still counts; an operator
    # may resend to exactly the unknown ones (back to pending).
    DeliveryState.UNKNOWN: frozenset(
        {DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.PENDING}
    ),
    DeliveryState.SENT: frozenset(),
    DeliveryState.FAILED: frozenset(),
    DeliveryState.SKIPPED: frozenset(),
}


class SkipReason(models.TextChoices):
    SUPPRESSED = "suppressed", _("Suppressed (bounced or complained)")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed since the send started")


class Variant(models.TextChoices):
    FULL = "full", _("Full text")
    PREVIEW = "preview", _("Preview and upgrade link")


class Delivery(models.Model):
    """One recipient of one send, with its own state."""

    # No index of their own: (send, state), (send, email) and (batch, state) lead
    # with them, and every index costs each of a send's 100,000s of writes.
    send = models.ForeignKey(
        Send, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    batch = models.ForeignKey(
        Batch,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    subscription = models.ForeignKey(
        "newsletters.Subscription",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    email = models.EmailField(max_length=254)
    # Tracking links carry this, never the address or a numeric id.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    variant = models.CharField(
        max_length=8, choices=Variant.choices, default=Variant.FULL
    )
    state = models.CharField(
        max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    skip_reason = models.CharField(
        max_length=12, choices=SkipReason.choices, blank=True
    )
    provider_message_id = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Filled by webhooks and tracking (reports).
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    resends = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["send", "id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["send", "email"], name="newsletters_one_delivery_per_address"
            )
        ]
        indexes = [
            models.Index(fields=["send", "state"], name="newsletters_delivery_state"),
            models.Index(fields=["batch", "state"], name="newsletters_delivery_batch"),
            models.Index(
                fields=["provider_message_id"], name="newsletters_delivery_esp_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.state})"

    def can_move_to(self, state: str) -> bool:
        return state in DELIVERY_TRANSITIONS[self.state]


class Click(models.Model):
    """One click on a tracked link (only when the newsletter tracks clicks)."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="clicks"
    )
    url = models.URLField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url
