"""Newsletters, who subscribes to them, and the history of each subscription.

The words are in ``CONTEXT.md``. Sends, batches and deliveries are built on these
models (the sending pipeline); this module holds only what a reader subscribes to.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from herald.core.models import TimeStampedModel


class Visibility(models.TextChoices):
    ANYONE = "anyone", _("Anyone")
    PAID = "paid", _("Paid members")


class Cadence(models.TextChoices):
    NONE = "none", _("Not automatic")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")


class Weekday(models.IntegerChoices):
    # Python's date.weekday() numbering.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Newsletter(TimeStampedModel):
    """A list readers subscribe to, sent by the publication under its own sender."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        help_text=_("In the archive address and in the members CSV."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("One or two sentences on the sign-up form: what, how often."),
    )
    sender_name = models.CharField(
        _("sender name"),
        max_length=120,
        blank=True,
        help_text=_("Shown as From. Empty: the publication's name."),
    )
    sender_email = models.EmailField(
        _("sender address"),
        blank=True,
        help_text=_(
            "Empty: HERALD_DEFAULT_FROM_EMAIL. Its domain must be authenticated."
        ),
    )
    reply_to = models.EmailField(_("reply-to address"), blank=True)
    visibility = models.CharField(
        _("who may subscribe"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.ANYONE,
    )
    default_for_new_members = models.BooleanField(
        _("default for new members"),
        default=False,
        help_text=_("Members who sign up are subscribed to it unless they untick it."),
    )
    digest_cadence = models.CharField(
        _("automatic digest"),
        max_length=10,
        choices=Cadence.choices,
        default=Cadence.NONE,
    )
    digest_weekday = models.PositiveSmallIntegerField(
        _("digest weekday"),
        choices=Weekday.choices,
        default=Weekday.MONDAY,
        help_text=_("For a weekly digest."),
    )
    digest_time = models.TimeField(
        _("digest time"),
        default=datetime.time(7, 0),
        help_text=_("In the publication's time zone."),
    )
    track_opens = models.BooleanField(
        _("track opens"), default=False, help_text=_("Off by default (privacy).")
    )
    track_clicks = models.BooleanField(
        _("track clicks"), default=False, help_text=_("Off by default (privacy).")
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive newsletters are not offered and not sent."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")

    def __str__(self) -> str:
        return self.name

    @property
    def is_paid_only(self) -> bool:
        return self.visibility == Visibility.PAID


class SubscriptionState(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    SUBSCRIBED = "subscribed", _("Subscribed")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")


# Only actions move a state, and only along these arrows.
SUBSCRIPTION_TRANSITIONS: dict[str, frozenset[str]] = {
    SubscriptionState.PENDING: frozenset(
        {SubscriptionState.SUBSCRIBED, SubscriptionState.UNSUBSCRIBED}
    ),
    SubscriptionState.SUBSCRIBED: frozenset({SubscriptionState.UNSUBSCRIBED}),
    SubscriptionState.UNSUBSCRIBED: frozenset(
        {SubscriptionState.PENDING, SubscriptionState.SUBSCRIBED}
    ),
}


class SubscriptionSource(models.TextChoices):
    FORM = "form", _("Sign-up form")
    MEMBER_SIGNUP = "member_signup", _("Member sign-up")
    ACCOUNT = "account", _("Account page")
    PREFERENCES = "preferences", _("Preferences page")
    IMPORT = "import", _("Import")
    STAFF = "staff", _("Staff")


class Subscription(TimeStampedModel):
    """One address on one newsletter. Never deleted when a reader leaves: unsubscribed.

    ``token`` identifies the row in links that leave the site (preferences,
    one-click unsubscribe); it is a random UUID, and the links also carry a
    signature, so a token alone opens nothing.
    """

    newsletter = models.ForeignKey(
        Newsletter,
        verbose_name=_("newsletter"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    email = models.EmailField(_("email address"), max_length=254)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_subscriptions",
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=SubscriptionState.choices,
        default=SubscriptionState.PENDING,
    )
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Changed each time a confirmation email is sent and emptied on use, so a
    # confirmation link works once and only the newest one works.
    confirm_nonce = models.CharField(max_length=32, blank=True, editable=False)
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=SubscriptionSource.choices,
        default=SubscriptionSource.FORM,
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        ordering = ["newsletter", "email"]
        verbose_name = _("newsletter subscription")
        verbose_name_plural = _("newsletter subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "email"], name="newsletters_one_row_per_address"
            )
        ]
        indexes = [
            models.Index(fields=["newsletter", "state"], name="newsletters_sub_state"),
            models.Index(fields=["email"], name="newsletters_sub_email"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.newsletter_id} ({self.state})"

    def can_move_to(self, state: str) -> bool:
        return state in SUBSCRIPTION_TRANSITIONS[self.state]

    @property
    def is_subscribed(self) -> bool:
        return self.state == SubscriptionState.SUBSCRIBED


class EventKind(models.TextChoices):
    REQUESTED = "requested", _("Asked to subscribe (confirmation sent)")
    CONFIRMED = "confirmed", _("Confirmed")
    SUBSCRIBED = "subscribed", _("Subscribed without confirmation email")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")


class UnsubscribeReason(models.TextChoices):
    ONE_CLICK = "one_click", _("One-click link in an email")
    PREFERENCES = "preferences", _("Preferences page")
    ACCOUNT = "account", _("Account page")
    BOUNCE = "bounce", _("Hard bounce")
    COMPLAINT = "complaint", _("Spam complaint")
    STAFF = "staff", _("Staff")
    MEMBER_DELETED = "member_deleted", _("Account deleted")
    ADDRESS_CHANGED = "address_changed", _("Member changed address")
    NOT_ELIGIBLE = "not_eligible", _("No longer eligible")
    IMPORT = "import", _("Import")


class SubscriptionEvent(models.Model):
    """One change to a subscription. Rows are only ever added, never edited.

    The address is not copied here: when a subscription row is deleted
    (the reader asked to be forgotten) its events stay, detached, so the
    growth report keeps its numbers.
    """

    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="events"
    )
    subscription = models.ForeignKey(
        Subscription,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    reason = models.CharField(
        max_length=16, choices=UnsubscribeReason.choices, blank=True
    )
    source = models.CharField(
        max_length=16, choices=SubscriptionSource.choices, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subscription event")
        verbose_name_plural = _("subscription events")
        indexes = [
            models.Index(
                fields=["newsletter", "kind", "created_at"],
                name="newsletters_event_growth",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subscription_id} {self.created_at:%Y-%m-%d}"


# The sending pipeline's models live in their own module (sending/models.py);
# imported here so that Django registers them with this app.
from .sending.models import Batch, Click, Delivery, Send  # noqa: E402, F401
