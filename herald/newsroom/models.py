"""The newsroom's content: publication settings, home, sections, articles, authors."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
    TitleFieldPanel,
)
from wagtail.admin.widgets import AdminAutoHeightTextInput
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from herald.core.links import is_safe_link, safe_link, validate_link
from herald.core.sitecache import setting_for_request
from herald.members.models import AccessLevel, Tier, newsroom_accounts_q

from .blocks import ArticleBodyBlock
from .forms import ArticleAdminForm
from .routing import FastRouteMixin

# How many stories the front page shows beside and under its lead.
TOP_STORY_SLOTS = 5

TIME_ZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones())


@register_setting(icon="site")
class PublicationSettings(ClusterableModel, BaseSiteSetting):
    """Who the publication is and how it presents itself (one per site)."""

    name = models.CharField(_("publication name"), max_length=120, default="Herald")
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    logo = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    logo_dark = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name=_("logo for dark mode"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "A light version of the logo for readers whose device is in dark "
            "mode. Without one, the logo is shown on a light plate there."
        ),
    )
    favicon = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name=_("favicon"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC"
    )
    language = models.CharField(
        _("language"), max_length=12, choices=settings.LANGUAGES, default="en"
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    postal_address = models.TextField(
        _("postal address"),
        blank=True,
        help_text=_("Shown in the footer and in newsletters (required by CAN-SPAM)."),
    )
    # Links: https:// addresses or paths on this site (herald.core.links).
    about_url = models.CharField(
        _("about page link"), max_length=255, blank=True, validators=[validate_link]
    )
    ethics_url = models.CharField(
        _("ethics policy link"), max_length=255, blank=True, validators=[validate_link]
    )
    corrections_url = models.CharField(
        _("corrections policy link"),
        max_length=255,
        blank=True,
        validators=[validate_link],
    )
    privacy_url = models.CharField(
        _("privacy policy link"), max_length=255, blank=True, validators=[validate_link]
    )
    support_url = models.CharField(
        _("support link"),
        max_length=255,
        blank=True,
        help_text=_("Where 'Support us' points (a donation page or an external link)."),
        validators=[validate_link],
    )
    newsletter_url = models.CharField(
        _("newsletter sign-up link"),
        max_length=255,
        blank=True,
        validators=[validate_link],
    )
    google_news_url = models.URLField(
        _("Google News publication URL"),
        blank=True,
        help_text=_("https://news.google.com/publications/… from Publisher Center."),
    )
    x_url = models.URLField(_("X (Twitter)"), blank=True)
    x_handle = models.CharField(
        _("X handle"), max_length=50, blank=True, help_text=_("Without the @.")
    )
    facebook_url = models.URLField(_("Facebook"), blank=True)
    instagram_url = models.URLField(_("Instagram"), blank=True)
    mastodon_url = models.URLField(_("Mastodon"), blank=True)
    bluesky_url = models.URLField(_("Bluesky"), blank=True)
    youtube_url = models.URLField(_("YouTube"), blank=True)
    telegram_url = models.URLField(_("Telegram"), blank=True)
    whatsapp_url = models.URLField(_("WhatsApp channel"), blank=True)
    default_access_level = models.CharField(
        _("default access level for new articles"),
        max_length=16,
        choices=AccessLevel.choices,
        default=AccessLevel.PUBLIC,
    )
    preview_paragraphs = models.PositiveSmallIntegerField(
        _("preview paragraphs"),
        default=3,
        help_text=_(
            "Paragraphs shown to readers without access when an article has no "
            "paywall break."
        ),
    )
    copyright_holder = models.CharField(
        _("copyright holder"), max_length=200, blank=True
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("tagline"),
                FieldRowPanel([FieldPanel("logo"), FieldPanel("logo_dark")]),
                FieldPanel("favicon"),
                FieldRowPanel([FieldPanel("time_zone"), FieldPanel("language")]),
                FieldPanel("copyright_holder"),
            ],
            heading=_("Identity"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("contact_email"),
                FieldPanel("postal_address"),
                FieldPanel("about_url"),
                FieldPanel("ethics_url"),
                FieldPanel("corrections_url"),
                FieldPanel("privacy_url"),
                FieldPanel("support_url"),
                FieldPanel("newsletter_url"),
            ],
            heading=_("Contact and policies"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("google_news_url"),
                FieldRowPanel([FieldPanel("x_url"), FieldPanel("x_handle")]),
                FieldPanel("facebook_url"),
                FieldPanel("instagram_url"),
                FieldPanel("mastodon_url"),
                FieldPanel("bluesky_url"),
                FieldPanel("youtube_url"),
                FieldPanel("telegram_url"),
                FieldPanel("whatsapp_url"),
            ],
            heading=_("Follow links"),
        ),
        MultiFieldPanel(
            [FieldPanel("default_access_level"), FieldPanel("preview_paragraphs")],
            heading=_("Access"),
        ),
    ]

    class Meta:
        verbose_name = _("publication settings")

    @classmethod
    def for_request(cls, request: Any) -> PublicationSettings:
        """The settings of the request's site, from the cache (see core.sitecache)."""
        return setting_for_request(cls, request)  # type: ignore[no-any-return]

    def __str__(self) -> str:
        return self.name

    FOLLOW_FIELDS = (
        ("google_news_url", "Google News"),
        ("x_url", "X"),
        ("facebook_url", "Facebook"),
        ("instagram_url", "Instagram"),
        ("mastodon_url", "Mastodon"),
        ("bluesky_url", "Bluesky"),
        ("youtube_url", "YouTube"),
        ("telegram_url", "Telegram"),
        ("whatsapp_url", "WhatsApp"),
    )

    def follow_links(self) -> list[tuple[str, str]]:
        """Return (label, url) for each follow link that is set, in display order."""
        # is_safe_link: rows saved before validation (or by an import) may hold
        # javascript: or data: URLs; they feed hrefs and JSON-LD sameAs.
        return [
            (label, getattr(self, name))
            for name, label in self.FOLLOW_FIELDS
            if is_safe_link(getattr(self, name))
        ]

    @property
    def support_link(self) -> str:
        """Where "Support us" points: the support link, else this site's plans."""
        chosen = safe_link(self.support_url)
        if chosen:
            return chosen
        try:
            return reverse("members:plans")
        except NoReverseMatch:
            return ""

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


class Author(index.Indexed, ClusterableModel):
    """A person who writes for the publication; each has a public page."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True, blank=True)
    photo = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=150, blank=True)
    short_bio = models.CharField(
        _("short bio"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences, shown under articles."),
    )
    bio = RichTextField(
        _("long bio"),
        blank=True,
        features=["bold", "italic", "link"],
        help_text=_("Shown on the author's page."),
    )
    email = models.EmailField(_("public email"), blank=True)
    # Only newsroom accounts: the select would otherwise list every member's
    # name or email to anyone who may edit authors.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("newsroom account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        limit_choices_to=newsroom_accounts_q,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("photo"),
        FieldPanel("role"),
        FieldPanel("short_bio"),
        FieldPanel("bio"),
        FieldPanel("email"),
        FieldPanel("user"),
        InlinePanel("links", label=_("Links")),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("role"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:150] or "author"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("newsroom:author", kwargs={"slug": self.slug})


class AuthorLink(Orderable):
    author = ParentalKey(Author, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(_("label"), max_length=60)
    url = models.URLField(_("URL"))

    panels = [FieldPanel("label"), FieldPanel("url")]

    def __str__(self) -> str:
        return self.label


register_snippet(Author)


class HomePage(FastRouteMixin, Page):
    """The front page: lead story, top stories, latest and a rail per section."""

    intro = models.CharField(_("intro"), max_length=300, blank=True)
    lead_article = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("lead story"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Pin the story that leads the front page. A story flagged breaking "
            "takes the lead until it is no longer breaking or you pin another "
            "one. Leave empty to lead with the newest story."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldPanel("lead_article"),
                InlinePanel(
                    "top_story_slots",
                    label=_("Top story"),
                    max_num=TOP_STORY_SLOTS,
                    help_text=_(
                        "The stories shown beside and under the lead, in this "
                        "order. Leave empty to show the newest stories."
                    ),
                ),
            ],
            heading=_("Front page"),
        ),
    ]
    subpage_types = ["newsroom.SectionPage", "newsroom.StandardPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from . import queries

        context = super().get_context(request, *args, **kwargs)
        # Read only when the template's cached fragment is missing.
        context["listing"] = SimpleLazyObject(lambda: queries.home_page_context(self))
        return context

    def serve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        from .views import serve_listing

        return serve_listing(request, super().serve, *args, **kwargs)


class HomeTopStory(Orderable):
    """One curated top-story slot of the front page; order is the slot order."""

    home = ParentalKey(
        HomePage, on_delete=models.CASCADE, related_name="top_story_slots"
    )
    article = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("story"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("article")]

    class Meta(Orderable.Meta):
        verbose_name = _("top story")
        verbose_name_plural = _("top stories")

    def __str__(self) -> str:
        return str(self.article_id)


class LeadClaim(models.Model):
    """A story's claim to the front page's lead, and since when it holds.

    A claim is *pinned* (the home page's lead story, as last published) or
    *breaking* (a live story flagged breaking). The newest claim whose story is
    live leads. Not part of any page revision: written by
    ``actions.record_lead_claims`` when a page is published or taken down.
    """

    class Kind(models.TextChoices):
        PINNED = "pinned", _("pinned by an editor")
        BREAKING = "breaking", _("breaking")

    article = models.ForeignKey(
        "newsroom.ArticlePage", on_delete=models.CASCADE, related_name="lead_claims"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-since", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "article"], name="newsroom_lead_claim_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.article_id}"


class SectionPage(FastRouteMixin, Page):
    """A section of the publication (World, Politics …); sections can nest."""

    intro = models.TextField(_("intro"), blank=True, max_length=600)
    show_in_navigation = models.BooleanField(_("show in navigation"), default=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    promote_panels = [*Page.promote_panels, FieldPanel("show_in_navigation")]
    parent_page_types = ["newsroom.HomePage", "newsroom.SectionPage"]
    subpage_types = ["newsroom.SectionPage", "newsroom.ArticlePage"]

    search_fields = [*Page.search_fields, index.SearchField("intro")]

    class Meta:
        verbose_name = _("section")

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from . import queries

        context = super().get_context(request, *args, **kwargs)
        # Read only when the template's cached fragment is missing.
        context["listing"] = SimpleLazyObject(
            lambda: queries.section_page_context(self, request)
        )
        context["listing_variant"] = queries.listing_variant(request)
        return context

    def serve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        from .views import serve_listing

        return serve_listing(request, super().serve, *args, **kwargs)


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "newsroom.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticleType(models.TextChoices):
    NEWS = "news", _("News")
    ANALYSIS = "analysis", _("Analysis")
    OPINION = "opinion", _("Opinion")
    INTERVIEW = "interview", _("Interview")
    EXPLAINER = "explainer", _("Explainer")
    SPONSORED = "sponsored", _("Sponsored")


class ArticleCommenting(models.TextChoices):
    """Who may comment on one story (the reactions app reads it; "" follows
    the site's public reaction settings)."""

    SITE = "", _("Use the site's setting")
    MEMBERS = "members", _("All members")
    PAID = "paid", _("Paid members only")
    CLOSED = "closed", _("Closed")


class ArticlePage(FastRouteMixin, Page):
    """A story. The page title is the headline."""

    dek = models.CharField(
        _("dek"),
        max_length=300,
        blank=True,
        help_text=_("The subheadline, one or two sentences under the headline."),
    )
    article_type = models.CharField(
        _("article type"),
        max_length=16,
        choices=ArticleType.choices,
        default=ArticleType.NEWS,
    )
    hero_image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_caption = models.CharField(_("caption"), max_length=500, blank=True)
    hero_credit = models.CharField(
        _("credit"),
        max_length=255,
        blank=True,
        help_text=_("Leave empty to use the image's own credit."),
    )
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"), blank=True)
    tags = ClusterTaggableManager(through=ArticleTag, blank=True)
    access_level = models.CharField(
        _("access"),
        max_length=16,
        choices=AccessLevel.choices,
        default=AccessLevel.PUBLIC,
        db_index=True,
    )
    tiers = ParentalManyToManyField(
        Tier,
        verbose_name=_("tiers"),
        blank=True,
        related_name="+",
        help_text=_("Only used when access is 'Specific tiers only'."),
    )
    is_breaking = models.BooleanField(_("breaking news"), default=False)
    display_updated_at = models.DateTimeField(
        _("updated"),
        null=True,
        blank=True,
        help_text=_("Set when the story was substantially updated; shown to readers."),
    )
    editors_note = RichTextField(
        _("editor's note"), blank=True, features=["bold", "italic", "link"]
    )
    canonical_url = models.URLField(
        _("canonical URL override"),
        blank=True,
        help_text=_("Only when the story first appeared elsewhere."),
    )
    social_title = models.CharField(_("social title"), max_length=120, blank=True)
    social_description = models.CharField(
        _("social description"), max_length=300, blank=True
    )
    social_image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name=_("social image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    commenting = models.CharField(
        _("comments"),
        max_length=8,
        choices=ArticleCommenting.choices,
        blank=True,
        default=ArticleCommenting.SITE,
        help_text=_(
            "Who may comment on this story. Comments still close on their own "
            "after the site's number of days."
        ),
    )

    content_panels = [
        # TitleFieldPanel keeps the slug in step with the headline while drafting.
        # A headline wraps and grows with its text (never cut off at one line).
        TitleFieldPanel(
            "title",
            heading=_("Headline"),
            placeholder=_("Headline*"),
            widget=AdminAutoHeightTextInput(attrs={"rows": 1}),
            classname="herald-headline",
        ),
        FieldPanel("dek"),
        FieldPanel("article_type"),
        InlinePanel("article_authors", label=_("Authors"), min_num=1),
        MultiFieldPanel(
            [
                FieldPanel("hero_image"),
                FieldPanel("hero_caption"),
                FieldPanel("hero_credit"),
            ],
            heading=_("Hero image"),
        ),
        FieldPanel("body"),
        FieldPanel("tags"),
        MultiFieldPanel(
            [
                FieldPanel("access_level"),
                # Shown only when access is "Specific tiers only" (Wagtail's
                # w-rules controller reads the form); ticked, not ctrl-clicked.
                FieldPanel(
                    "tiers",
                    widget=forms.CheckboxSelectMultiple,
                    attrs={
                        "data-w-rules-target": "show",
                        "data-w-rules": '{"access_level": ["tiers"]}',
                    },
                ),
            ],
            heading=_("Access"),
            attrs={
                "data-controller": "w-rules",
                "data-action": "change->w-rules#resolve",
            },
        ),
        MultiFieldPanel(
            [
                FieldPanel("is_breaking"),
                FieldPanel("display_updated_at"),
                FieldPanel("editors_note"),
                InlinePanel("corrections", label=_("Corrections")),
            ],
            heading=_("Updates and corrections"),
        ),
    ]
    promote_panels = [
        *Page.promote_panels,
        FieldPanel("canonical_url"),
        MultiFieldPanel(
            [
                FieldPanel("social_title"),
                FieldPanel("social_description"),
                FieldPanel("social_image"),
            ],
            heading=_("Social sharing"),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Story")),
            ObjectList(promote_panels, heading=_("Promote")),
            ObjectList(
                [*Page.settings_panels, FieldPanel("commenting")],
                heading=_("Settings"),
            ),
        ]
    )

    parent_page_types = ["newsroom.SectionPage"]
    subpage_types: list[str] = []
    base_form_class = ArticleAdminForm

    search_fields = [
        *Page.search_fields,
        index.SearchField("dek"),
        index.SearchField("public_text"),
        index.SearchField("author_names"),
        index.SearchField("tag_names"),
        index.FilterField("access_level"),
        index.FilterField("first_published_at"),
        index.FilterField("path"),
    ]

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def clean(self) -> None:
        super().clean()
        if (
            self.access_level == AccessLevel.TIERS
            and self.pk
            and not self.tiers.exists()
        ):
            raise ValidationError(
                {"tiers": _("Choose at least one tier for 'Specific tiers only'.")}
            )

    def required_tier_ids(self) -> Iterable[int]:
        return [t.pk for t in self.tiers.all()]

    @property
    def headline(self) -> str:
        return self.title

    @cached_property
    def section(self) -> SectionPage | None:
        parent = self.get_parent()
        return parent.specific if parent else None  # type: ignore[return-value]

    @property
    def published_at(self) -> Any:
        return self.first_published_at

    @property
    def updated_at(self) -> Any:
        return self.display_updated_at

    # Search index fields: only text every reader may see is indexed.
    def public_text(self) -> str:
        from .rendering import public_text

        return public_text(self)

    def author_names(self) -> str:
        return " ".join(a.author.name for a in self.article_authors.all())

    def tag_names(self) -> str:
        return " ".join(t.name for t in self.tags.all())

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from . import queries

        context = super().get_context(request, *args, **kwargs)
        context.update(queries.article_page_context(self, request))
        return context

    def serve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        from .views import serve_article

        return serve_article(self, request, super().serve, *args, **kwargs)


class ArticleAuthor(Orderable):
    """One byline slot on an article; order is the byline order."""

    article = ParentalKey(
        ArticlePage, on_delete=models.CASCADE, related_name="article_authors"
    )
    author = models.ForeignKey(
        Author, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author"], name="newsroom_article_author_unique"
            )
        ]


class Correction(Orderable):
    """A dated, public correction to an article."""

    article = ParentalKey(
        ArticlePage, on_delete=models.CASCADE, related_name="corrections"
    )
    date = models.DateTimeField(_("date"), default=timezone.now)
    text = models.TextField(_("correction"))
    mark_updated = models.BooleanField(
        _("show the story as updated"),
        default=True,
        help_text=_(
            "The story's 'Updated' time moves to this correction's date when it "
            "is published."
        ),
    )

    panels = [FieldPanel("date"), FieldPanel("text"), FieldPanel("mark_updated")]

    class Meta(Orderable.Meta):
        verbose_name = _("correction")

    def __str__(self) -> str:
        return self.text[:60]


class StandardPageKind(models.TextChoices):
    """The pages every outlet has; the footer links each kind by default."""

    ABOUT = "about", _("About")
    ETHICS = "ethics", _("Ethics and standards")
    CORRECTIONS = "corrections", _("Corrections policy")
    PRIVACY = "privacy", _("Privacy")
    CONTACT = "contact", _("Contact")
    OTHER = "other", _("Other")


class StandardPage(FastRouteMixin, Page):
    """A page about the publication (About, Ethics, Privacy …), under the home page."""

    intro = models.CharField(_("intro"), max_length=300, blank=True)
    body = RichTextField(
        _("body"),
        blank=True,
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "hr"],
    )
    kind = models.CharField(
        _("kind of page"),
        max_length=16,
        choices=StandardPageKind.choices,
        default=StandardPageKind.OTHER,
        help_text=_(
            "The footer links the first live page of each kind, unless the "
            "publication settings give a link of their own."
        ),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    promote_panels = [*Page.promote_panels, FieldPanel("kind")]
    parent_page_types = ["newsroom.HomePage"]
    subpage_types: list[str] = []

    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")

    def serve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        from .views import serve_listing

        return serve_listing(request, super().serve, *args, **kwargs)
