"""Paid access: subscriptions at a payment provider, complimentary access, payments.

Rows here are payment records: deleting a member's account keeps them with the
member detached (see CONTEXT.md, "Deleting an account").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .tiers import Interval, Offer, Tier


class SubscriptionStatus(models.TextChoices):
    """The provider's subscription states (Stripe's names)."""

    INCOMPLETE = "incomplete", _("Incomplete")
    INCOMPLETE_EXPIRED = "incomplete_expired", _("Incomplete, expired")
    TRIALING = "trialing", _("Trialing")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due")
    CANCELED = "canceled", _("Canceled")
    UNPAID = "unpaid", _("Unpaid")
    PAUSED = "paused", _("Paused")


# States that give access (until the period ends).
ACCESS_STATUSES = (
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE,
)
# States after which the provider never reactivates a subscription.
FINAL_STATUSES = (
    SubscriptionStatus.CANCELED,
    SubscriptionStatus.INCOMPLETE_EXPIRED,
)


class Subscription(models.Model):
    """A member's subscription to one tier, mirrored from the payment provider."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subscriptions",
    )
    tier = models.ForeignKey(
        Tier, null=True, on_delete=models.SET_NULL, related_name="subscriptions"
    )
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider = models.CharField(max_length=20, default="stripe")
    provider_subscription_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True
    )
    provider_customer_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=20,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.INCOMPLETE,
        db_index=True,
    )
    interval = models.CharField(max_length=8, choices=Interval.choices, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    trial_end = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    # ``created`` (Unix seconds) of the newest provider event applied: an older
    # event arriving later never overwrites a newer state.
    last_event_created = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.tier} ({self.status})"


class ComplimentaryAccess(models.Model):
    """Free access to a paid tier, granted by staff until an end date."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comps"
    )
    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="comps")
    starts_at = models.DateTimeField(auto_now_add=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("complimentary access")
        verbose_name_plural = _("complimentary access")
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.tier} until {self.ends_at or '…'}"


class WebhookEvent(models.Model):
    """A provider event already handled; its id makes webhook handling idempotent."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    event_created = models.BigIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="members_webhook_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"


class Payment(models.Model):
    """A paid invoice (kept for accounting even after the account is deleted)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payments",
    )
    subscription = models.ForeignKey(
        Subscription,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payments",
    )
    provider = models.CharField(max_length=20, default="stripe")
    provider_invoice_id = models.CharField(max_length=255, unique=True)
    amount = models.IntegerField(_("amount (cents)"))
    currency = models.CharField(max_length=3)
    paid_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} {self.paid_at:%Y-%m-%d}"
