"""Web Push: the server's keys, readers' subscriptions, pushes and deliveries.

See CONTEXT.md for the words and the states.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from herald.core.models import TimeStampedModel

BREAKING = "breaking"


class VapidKey(TimeStampedModel):
    """The application server's VAPID key pair (RFC 8292), made on first use.

    Kept in the database, never in the repository or a settings file. One row is
    in use: the newest. The private key never leaves the server.
    """

    # One key pair for the site: browsers bind each subscription to it.
    name = models.CharField(max_length=20, unique=True, default="default")
    private_pem = models.TextField(_("private key (PEM)"))
    public_key = models.CharField(
        _("public key (base64url, uncompressed point)"), max_length=100
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("VAPID key")

    def __str__(self) -> str:
        return f"VAPID {self.public_key[:12]}…"


class SubscriptionState(models.TextChoices):
    ACTIVE = "active", _("Active")
    # The reader stopped, or the push service said the subscription is gone.
    REMOVED = "removed", _("Removed")


class PushSubscription(TimeStampedModel):
    """One browser's push subscription (its endpoint and keys) and its topics."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.URLField(_("endpoint"), max_length=1000, unique=True)
    p256dh = models.CharField(_("p256dh key"), max_length=100)
    auth = models.CharField(_("auth secret"), max_length=40)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="push_subscriptions",
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=SubscriptionState.choices,
        default=SubscriptionState.ACTIVE,
        db_index=True,
    )
    removed_reason = models.CharField(_("why removed"), max_length=40, blank=True)
    last_success_at = models.DateTimeField(_("last delivered"), null=True, blank=True)

    ALLOWED_TRANSITIONS = {
        SubscriptionState.ACTIVE: {SubscriptionState.REMOVED},
        # Subscribing again with the same endpoint brings it back.
        SubscriptionState.REMOVED: {SubscriptionState.ACTIVE},
    }

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("push subscription")

    def __str__(self) -> str:
        return f"{self.id} ({self.state})"


class SubscriptionTopic(models.Model):
    """One topic a subscription receives: ``breaking`` or ``section-<id>``."""

    subscription = models.ForeignKey(
        PushSubscription, on_delete=models.CASCADE, related_name="topics"
    )
    topic = models.CharField(_("topic"), max_length=40, db_index=True)

    class Meta:
        ordering = ["topic"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "topic"], name="notifications_one_topic_row"
            )
        ]

    def __str__(self) -> str:
        return self.topic


class Urgency(models.TextChoices):
    VERY_LOW = "very-low", _("Very low")
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class NotificationState(models.TextChoices):
    # Offered to the editors (a breaking article was published); not sent.
    OFFERED = "offered", _("Offered")
    # Sending: deliveries are being made and sent.
    SENDING = "sending", _("Sending")
    # Every delivery reached an end state.
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Notification(TimeStampedModel):
    """One push of one article to one topic: what readers see, and how it went."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    article = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="push_notifications",
    )
    topic = models.CharField(_("topic"), max_length=40)
    # 1 for the first push of an article to a topic; a resend on purpose adds one.
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=1)
    title = models.CharField(_("title"), max_length=120)
    body = models.CharField(_("text"), max_length=300, blank=True)
    url = models.CharField(_("link"), max_length=500)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    ttl = models.PositiveIntegerField(_("time to live (seconds)"))
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=NotificationState.choices,
        default=NotificationState.OFFERED,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    targeted = models.PositiveIntegerField(_("targeted"), default=0)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)

    ALLOWED_TRANSITIONS = {
        NotificationState.OFFERED: {
            NotificationState.SENDING,
            NotificationState.CANCELLED,
        },
        NotificationState.SENDING: {NotificationState.SENT},
        NotificationState.SENT: set(),
        NotificationState.CANCELLED: set(),
    }

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("push notification")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "topic", "sequence"],
                name="notifications_one_push_per_article_topic",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.topic}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Accepted by the push service")
    FAILED = "failed", _("Failed")
    # 404/410: the subscription is gone and was removed.
    EXPIRED = "expired", _("Expired (subscription removed)")


class Delivery(models.Model):
    """One notification to one subscription: the unit of fan-out and retry."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        PushSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    state = models.CharField(
        max_length=10,
        choices=DeliveryState.choices,
        default=DeliveryState.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # Not before this time (Retry-After or backoff); null: at once.
    retry_after = models.DateTimeField(null=True, blank=True)
    # A sender holds the row until then; another may take it after (a crash).
    lease_until = models.DateTimeField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    ALLOWED_TRANSITIONS = {
        DeliveryState.PENDING: {
            DeliveryState.PENDING,  # a retry later
            DeliveryState.SENT,
            DeliveryState.FAILED,
            DeliveryState.EXPIRED,
        },
        DeliveryState.SENT: set(),
        DeliveryState.FAILED: set(),
        DeliveryState.EXPIRED: set(),
    }

    class Meta:
        ordering = ["id"]
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "subscription"],
                name="notifications_one_delivery_per_subscription",
            )
        ]
        indexes = [models.Index(fields=["notification", "state"])]

    def __str__(self) -> str:
        return f"{self.notification_id} → {self.subscription_id}: {self.state}"
