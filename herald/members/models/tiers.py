"""What can be read and bought: access levels, tiers, offers, membership settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from herald.core.sitecache import setting_for_request


class AccessLevel(models.TextChoices):
    """Who may read an article's full text."""

    PUBLIC = "public", _("Public: everyone")
    MEMBERS = "members", _("Members: anyone signed in")
    PAID = "paid", _("Paid: any paid tier")
    TIERS = "tiers", _("Specific tiers only")


class Interval(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Yearly")


class Tier(models.Model):
    """A membership level: free, or paid with a monthly and a yearly price.

    Prices are in the minor unit (cents) of the publication's currency
    (``MembershipSettings.currency``).
    """

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    benefits = models.TextField(
        _("benefits"), blank=True, help_text=_("One benefit per line.")
    )
    is_paid = models.BooleanField(_("paid"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    monthly_price = models.PositiveIntegerField(
        _("monthly price (cents)"), null=True, blank=True
    )
    yearly_price = models.PositiveIntegerField(
        _("yearly price (cents)"), null=True, blank=True
    )
    sort_order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.is_paid and not (self.monthly_price or self.yearly_price):
            raise ValidationError(
                _("A paid tier needs a monthly or a yearly price (or both).")
            )

    def price_for(self, interval: str) -> int | None:
        return self.monthly_price if interval == Interval.MONTH else self.yearly_price

    def benefit_list(self) -> list[str]:
        return [line.strip() for line in self.benefits.splitlines() if line.strip()]


def format_money(amount: int | None, currency: str) -> str:
    """Format minor units as a plain amount with the currency code (e.g. 5.00 EUR)."""
    if amount is None:
        return ""
    return f"{Decimal(amount) / 100:.2f} {currency.upper()}"


class DiscountKind(models.TextChoices):
    NONE = "none", _("No discount (trial only)")
    PERCENT = "percent", _("Percent off")
    AMOUNT = "amount", _("Amount off")


class DiscountDuration(models.TextChoices):
    ONCE = "once", _("First payment only")
    REPEATING = "repeating", _("For a number of months")
    FOREVER = "forever", _("Forever")


class Offer(models.Model):
    """A discount and/or free trial on one tier, reached through its own link."""

    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Appears in the offer's link: /account/offer/<code>/"),
    )
    tier = models.ForeignKey(
        Tier,
        verbose_name=_("tier"),
        on_delete=models.CASCADE,
        related_name="offers",
        limit_choices_to={"is_paid": True},
    )
    interval = models.CharField(
        _("billing period"), max_length=8, choices=Interval.choices
    )
    discount_kind = models.CharField(
        _("discount"),
        max_length=8,
        choices=DiscountKind.choices,
        default=DiscountKind.PERCENT,
    )
    discount_value = models.PositiveIntegerField(
        _("discount value"),
        default=0,
        help_text=_("Percent (1-100) or an amount in cents."),
    )
    duration = models.CharField(
        _("duration"),
        max_length=10,
        choices=DiscountDuration.choices,
        default=DiscountDuration.ONCE,
    )
    duration_months = models.PositiveSmallIntegerField(
        _("months"), null=True, blank=True
    )
    trial_days = models.PositiveSmallIntegerField(
        _("free trial days"), default=0, validators=[MaxValueValidator(730)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The coupon created at the payment provider the first time it is used.
    provider_coupon_id = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.discount_kind == DiscountKind.PERCENT and not (
            1 <= self.discount_value <= 100
        ):
            errors["discount_value"] = _("A percentage is between 1 and 100.")
        if self.discount_kind == DiscountKind.AMOUNT and self.discount_value < 1:
            errors["discount_value"] = _("Give an amount in cents.")
        if self.discount_kind == DiscountKind.NONE and not self.trial_days:
            errors["trial_days"] = _("An offer without a discount needs a trial.")
        if self.duration == DiscountDuration.REPEATING and not self.duration_months:
            errors["duration_months"] = _("Say for how many months.")
        if errors:
            raise ValidationError(errors)

    @property
    def has_discount(self) -> bool:
        return self.discount_kind != DiscountKind.NONE and self.discount_value > 0


class MeteredLevels(models.TextChoices):
    MEMBERS = "members", _("Members-only articles")
    MEMBERS_AND_PAID = "members_paid", _("Members-only and paid articles")


@register_setting(icon="group")
class MembershipSettings(BaseSiteSetting):
    """Currency and metering for one site."""

    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="USD",
        validators=[RegexValidator(r"^[A-Za-z]{3}$", _("A three-letter ISO code."))],
    )
    metering_enabled = models.BooleanField(
        _("metering"),
        default=False,
        help_text=_(
            "Let readers who are not signed in read a few gated articles before "
            "asking them to sign up."
        ),
    )
    metered_articles = models.PositiveSmallIntegerField(
        _("free articles per 30 days"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    metered_levels = models.CharField(
        _("metered articles"),
        max_length=16,
        choices=MeteredLevels.choices,
        default=MeteredLevels.MEMBERS,
    )

    class Meta:
        verbose_name = _("membership settings")

    @classmethod
    def for_request(cls, request: Any) -> MembershipSettings:
        """The settings of the request's site, from the cache (see core.sitecache)."""
        return setting_for_request(cls, request)  # type: ignore[no-any-return]

    def __str__(self) -> str:
        return str(_("Membership settings"))

    def meters(self, access_level: str) -> bool:
        """Whether an article with ``access_level`` counts against the meter."""
        if not self.metering_enabled:
            return False
        if access_level == AccessLevel.MEMBERS:
            return True
        return (
            access_level == AccessLevel.PAID
            and self.metered_levels == MeteredLevels.MEMBERS_AND_PAID
        )
