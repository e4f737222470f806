"""Distribution settings, private feed tokens and WebSub hub pings."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from herald.core.models import TimeStampedModel
from herald.core.sitecache import setting_for_request

MAX_FEED_ITEMS = 60  # Google News reads at most 60 new items per fetch.
DEFAULT_HUB = "https://pubsubhubbub.appspot.com/"


def default_hubs() -> str:
    """Hubs of a new site: ``HERALD_WEBSUB_DEFAULT_HUBS`` (the public hub, except in
    the demo and the tests, whose URLs no outside hub could fetch)."""
    return str(getattr(settings, "HERALD_WEBSUB_DEFAULT_HUBS", DEFAULT_HUB))


@register_setting(icon="rss")
class DistributionSettings(BaseSiteSetting):
    """How the site's feeds look and which WebSub hubs hear about new stories."""

    full_text_feeds = models.BooleanField(
        _("full text in feeds"),
        default=True,
        help_text=_(
            "Put the whole text of free stories in public feeds. Gated stories "
            "always show only their teaser."
        ),
    )
    feed_item_count = models.PositiveSmallIntegerField(
        _("stories per feed"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_FEED_ITEMS)],
    )
    websub_hubs = models.TextField(
        _("WebSub hubs"),
        blank=True,
        default=default_hubs,
        help_text=_(
            "One hub URL per line. Hubs are told about every publication and update "
            "so that feed readers and Google News refresh at once. Leave empty to "
            "turn WebSub off."
        ),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("full_text_feeds"), FieldPanel("feed_item_count")],
            heading=_("Feeds"),
        ),
        FieldPanel("websub_hubs"),
    ]

    class Meta:
        verbose_name = _("distribution settings")

    @classmethod
    def for_request(cls, request: Any) -> DistributionSettings:
        """The settings of the request's site, from the cache (see core.sitecache)."""
        return setting_for_request(cls, request)  # type: ignore[no-any-return]

    def hub_urls(self) -> list[str]:
        return [
            line.strip()
            for line in self.websub_hubs.splitlines()
            if line.strip().startswith(("http://", "https://"))
        ]


class FeedToken(TimeStampedModel):
    """The secret part of one member's private feed URL.

    The URL carries ``public_id`` and an HMAC of it; a token is valid until
    revoked. Rotating revokes the current token and issues a new one.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="feed_tokens",
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("private feed token")
        verbose_name_plural = _("private feed tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="distribution_one_active_feed_token_per_user",
            )
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"feed token {self.public_id} ({state})"


class HubPingState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed after retries")


class HubPing(TimeStampedModel):
    """One 'this feed changed' notice to one WebSub hub.

    States: queued → delivered, or queued → failed once every retry is spent.
    """

    hub_url = models.URLField(_("hub"), max_length=500)
    topic_url = models.URLField(_("feed"), max_length=500)
    article_id = models.BigIntegerField(_("article id"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=HubPingState.choices,
        default=HubPingState.QUEUED,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    ALLOWED_TRANSITIONS = {
        HubPingState.QUEUED: {HubPingState.DELIVERED, HubPingState.FAILED},
        HubPingState.DELIVERED: set(),
        HubPingState.FAILED: {HubPingState.QUEUED},
    }

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("WebSub hub ping")

    def __str__(self) -> str:
        return f"{self.topic_url} → {self.hub_url} ({self.state})"
