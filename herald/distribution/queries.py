"""Every read the distribution surfaces make, with select/prefetch applied.

Article text is only ever reached through ``newsroom.queries.article_body_for``
(the paywall gate); nothing here reads ``article.body``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Value
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from taggit.models import Tag
from wagtail.models import Site

from herald.core import keep
from herald.core.models import HeraldRendition
from herald.newsroom import queries as newsroom_queries
from herald.newsroom.models import (
    ArticleAuthor,
    ArticlePage,
    Author,
    HomePage,
    PublicationSettings,
    SectionPage,
    StandardPage,
)

from .models import MAX_FEED_ITEMS, DistributionSettings, FeedToken

FEED_TOKEN_SALT = "herald.distribution.private-feed"


# --- The site ------------------------------------------------------------------


@dataclass(frozen=True)
class ImageRef:
    """An absolute image URL with its size and alt text."""

    url: str
    width: int
    height: int
    alt: str = ""


@dataclass
class SiteInfo:
    """What every distribution surface needs to know about the site (cached)."""

    base_url: str
    root_url_path: str
    publication: PublicationSettings
    full_text_feeds: bool = True
    feed_item_count: int = 30
    hubs: list[str] = field(default_factory=list)
    logo: ImageRef | None = None

    @property
    def name(self) -> str:
        return self.publication.name

    @property
    def language(self) -> str:
        return (self.publication.language or "en").lower()

    def path_of(self, url_path: str) -> str:
        """Turn a page's tree ``url_path`` into its path on the site."""
        if url_path.startswith(self.root_url_path):
            return "/" + url_path[len(self.root_url_path) :]
        return url_path

    def absolute(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return self.base_url + path


def _logo_ref(publication: PublicationSettings, base_url: str) -> ImageRef | None:
    if not publication.logo_id:
        return None
    try:
        rendition = publication.logo.get_rendition("height-120")
    except Exception:  # a missing original must not break feeds or pages
        return None
    return ImageRef(
        url=base_url + rendition.url,
        width=rendition.width,
        height=rendition.height,
        alt=publication.name,
    )


def site_info(request: Any = None) -> SiteInfo:
    """The site answering ``request`` (the default site without one), cached."""
    host = request.get_host() if request is not None else "-"
    return keep.get_or_build(  # type: ignore[no-any-return]
        f"dist-site:{host}", lambda: _site_info(request), shared=True
    )


def _site_info(request: Any) -> SiteInfo:
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        site = Site.objects.filter(is_default_site=True).first()
    if site is None:  # a fresh install before migrations created a site
        publication = PublicationSettings()
        info = SiteInfo(
            base_url=settings.BASE_URL, root_url_path="/", publication=publication
        )
        return info
    root_url_path = (
        HomePage.objects.filter(pk=site.root_page_id)
        .values_list("url_path", flat=True)
        .first()
    ) or "/"
    publication = PublicationSettings.for_site(site)
    dist = DistributionSettings.for_site(site)
    info = SiteInfo(
        base_url=settings.BASE_URL,
        root_url_path=root_url_path,
        publication=publication,
        full_text_feeds=dist.full_text_feeds,
        feed_item_count=min(max(dist.feed_item_count, 1), MAX_FEED_ITEMS),
        hubs=dist.hub_urls(),
        logo=_logo_ref(publication, settings.BASE_URL),
    )
    return info


# --- Feed scopes ------------------------------------------------------------------


def section_by_path(site: SiteInfo, path: str) -> SectionPage | None:
    """The live section at ``path`` below the home page (e.g. ``world/asia``)."""
    path = path.strip("/")
    if not path:
        return None
    return (
        SectionPage.objects.live()
        .filter(url_path=f"{site.root_url_path}{path}/")
        .first()
    )


def get_author(slug: str) -> Author | None:
    return Author.objects.filter(slug=slug).first()


def get_tag(slug: str) -> Tag | None:
    return newsroom_queries.get_tag(slug)


def home_articles() -> QuerySet[ArticlePage]:
    return newsroom_queries.live_articles()


def section_articles(section: SectionPage) -> QuerySet[ArticlePage]:
    """Stories of a section and of all its sub-sections."""
    return newsroom_queries.under(section)


def author_articles(author: Author) -> QuerySet[ArticlePage]:
    return newsroom_queries.author_articles(author)


def tag_articles(tag: Tag) -> QuerySet[ArticlePage]:
    return newsroom_queries.tag_articles(tag)


# The rendition feeds link for a hero image (never the original upload).
FEED_IMAGE_SPEC = "max-1200x1200"


def feed_articles(qs: QuerySet[ArticlePage], *, limit: int) -> list[ArticlePage]:
    """The newest ``limit`` stories of ``qs`` with what a feed item shows.

    Five queries whatever ``limit`` is: stories with their hero image, its feed
    rendition, bylines, tags, and the section of each story.
    """
    qs = (
        qs.select_related("hero_image")
        .prefetch_related(
            Prefetch(
                "hero_image__renditions",
                queryset=HeraldRendition.objects.filter(filter_spec=FEED_IMAGE_SPEC),
            ),
            Prefetch(
                "article_authors",
                queryset=ArticleAuthor.objects.select_related("author").order_by(
                    "sort_order"
                ),
            ),
            "tags",
        )
        .order_by("-first_published_at", "-pk")
    )
    return newsroom_queries.attach_sections(list(qs[:limit]))


# --- Private feeds ----------------------------------------------------------------


def feed_token_signature(public_id_hex: str) -> str:
    return salted_hmac(FEED_TOKEN_SALT, public_id_hex, algorithm="sha256").hexdigest()[
        :32
    ]


def feed_token_string(token: FeedToken) -> str:
    """The secret path segment of a member's private feed URL."""
    public_id = token.public_id.hex
    return f"{public_id}.{feed_token_signature(public_id)}"


def active_feed_token(user: Any) -> FeedToken | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).first()


def member_for_feed_token(raw: str) -> Any | None:
    """The active member a private feed token belongs to, or None.

    A forged signature, an unknown or revoked id, or an inactive account all
    give None, without telling which.
    """
    public_id, _, signature = (raw or "").partition(".")
    if len(public_id) != 32 or not signature:
        return None
    try:
        int(public_id, 16)
    except ValueError:
        return None
    if not constant_time_compare(signature, feed_token_signature(public_id)):
        return None
    token = (
        FeedToken.objects.select_related("user")
        .filter(public_id=public_id, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return token.user if token else None


# --- Sitemaps ---------------------------------------------------------------------


def sitemap_articles() -> QuerySet[ArticlePage]:
    """Live stories whose canonical URL is ours, oldest first (stable pages)."""
    return (
        ArticlePage.objects.live()
        .filter(first_published_at__isnull=False, canonical_url="")
        .order_by("pk")
        .values_list("url_path", "last_published_at", "hero_image__file")
    )


def sitemap_article_range(first: int, last: int) -> QuerySet[ArticlePage]:
    """The sitemap stories whose key is in ``first..last`` (an index range scan)."""
    return sitemap_articles().filter(pk__gte=first, pk__lte=last)


def sitemap_article_blocks(size: int) -> list[tuple[int, int, Any]]:
    """(block, stories, newest lastmod) per non-empty block of ``size`` keys.

    Block ``b`` holds the stories with keys ``b * size + 1`` to ``(b + 1) * size``:
    at most ``size`` of them, and a story never moves to another block.
    """
    block = (F("pk") - 1) / Value(size)
    return list(
        ArticlePage.objects.live()
        .filter(first_published_at__isnull=False, canonical_url="")
        .annotate(block=block)
        .values("block")
        .annotate(n=Count("*"), latest=Max("last_published_at"))
        .order_by("block")
        .values_list("block", "n", "latest")
    )


def sitemap_sections() -> QuerySet[SectionPage]:
    return (
        SectionPage.objects.live()
        .order_by("path")
        .values_list("url_path", "last_published_at")
    )


def sitemap_standard_pages() -> QuerySet[StandardPage]:
    return (
        StandardPage.objects.live()
        .public()
        .order_by("path")
        .values_list("url_path", "last_published_at")
    )


def sitemap_authors() -> QuerySet[ArticleAuthor]:
    """Authors with at least one live story, with their newest story's time.

    One GROUP BY over the bylines: far cheaper at scale than a correlated
    subquery per author.
    """
    return (
        ArticleAuthor.objects.filter(article__live=True)
        .values("author__slug")
        .annotate(lastmod=Max("article__last_published_at"))
        .order_by("author__slug")
        .values_list("author__slug", "lastmod")
    )


def sitemap_tags() -> QuerySet[Tag]:
    """Tags on at least one live story, with their newest story's time."""
    rel = "newsroom_articletag_items__content_object"
    return (
        Tag.objects.annotate(
            lastmod=Max(f"{rel}__last_published_at", filter=Q(**{f"{rel}__live": True}))
        )
        .filter(lastmod__isnull=False)
        .order_by("pk")
        .values_list("slug", "lastmod")
    )


def sitemap_summary(qs: QuerySet[Any], lastmod_field: str) -> tuple[int, Any]:
    """(count, newest lastmod) of a sitemap's items, in one query."""
    row = qs.aggregate(n=Count("*"), latest=Max(lastmod_field))
    return row["n"], row["latest"]


NEWS_WINDOW = timedelta(hours=48)


def news_articles(*, now: datetime | None = None) -> QuerySet[ArticlePage]:
    """Stories first published in the last 48 hours, newest first."""
    since = (now or timezone.now()) - NEWS_WINDOW
    return (
        ArticlePage.objects.live()
        .filter(first_published_at__gte=since, canonical_url="")
        .order_by("-first_published_at", "-pk")
        .values_list("url_path", "title", "first_published_at")
    )


# --- oEmbed -----------------------------------------------------------------------


def article_for_url(site: SiteInfo, url: str) -> ArticlePage | None:
    """The live story at ``url`` on this site, or None for anything else."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    base = urlsplit(site.base_url)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != base.netloc:
        return None
    path = parts.path or "/"
    if not path.endswith("/"):
        path += "/"
    url_path = site.root_url_path + path.lstrip("/")
    return (
        ArticlePage.objects.live()
        .filter(url_path=url_path, first_published_at__isnull=False)
        .select_related("hero_image")
        .prefetch_related(
            Prefetch(
                "article_authors",
                queryset=ArticleAuthor.objects.select_related("author").order_by(
                    "sort_order"
                ),
            )
        )
        .first()
    )


# --- Page head --------------------------------------------------------------------


def breadcrumb_sections(article_or_section: Any) -> list[SectionPage]:
    """The live sections above a page, outermost first (from the sections map)."""
    steplen = ArticlePage.steplen
    path = article_or_section.path
    prefixes = [path[:i] for i in range(steplen, len(path), steplen)]
    if isinstance(article_or_section, SectionPage):
        prefixes.append(path)
    if not prefixes:
        return []
    every = newsroom_queries.sections_by_path()
    return [every[p] for p in prefixes if p in every and every[p].live]
