"""What distribution puts in a reader page's <head>.

Canonical link, robots directives, feed autodiscovery, oEmbed discovery, Open
Graph and X card meta, and JSON-LD — built from the page's template context
(``page``, ``article``, ``author``, ``tag``) by the ``distribution_head`` tag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from taggit.models import Tag

from herald.newsroom.models import (
    ArticleAuthor,
    ArticlePage,
    Author,
    HomePage,
    SectionPage,
)
from herald.newsroom.rendering import excerpt

from . import images, queries, structured_data
from .feeds import LINK_TYPES
from .queries import ImageRef, SiteInfo
from .structured_data import iso, modified_at, truncate

TWITTER_TITLE_MAX = 70
TWITTER_DESCRIPTION_MAX = 200
OG_LOCALES = {
    "en": "en_US",
    "fr": "fr_FR",
    "de": "de_DE",
    "es": "es_ES",
    "ar": "ar_AR",
    "he": "he_IL",
    "fa": "fa_IR",
}
NOINDEX_URL_NAMES = {"newsroom:search"}
NOINDEX_PATH_PREFIXES = ("/account/", "/search/")


@dataclass
class Head:
    canonical: str
    robots: str = ""
    alternates: list[tuple[str, str, str]] = field(default_factory=list)
    oembed_href: str = ""
    oembed_title: str = ""
    meta: list[tuple[str, str, str]] = field(default_factory=list)
    jsonld: list[SafeString] = field(default_factory=list)


def _feed_links(
    site: SiteInfo, kind: str, key: str, title: str
) -> list[tuple[str, str, str]]:
    from .websub import feed_paths

    names = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
    return [
        (LINK_TYPES[fmt], f"{title} ({names[fmt]})", site.absolute(path))
        for fmt, path in feed_paths(kind, key).items()
    ]


def _og_image(meta: list[tuple[str, str, str]], ref: ImageRef | None) -> None:
    if ref is None:
        return
    meta += [
        ("property", "og:image", ref.url),
        ("property", "og:image:width", str(ref.width)),
        ("property", "og:image:height", str(ref.height)),
        ("property", "og:image:alt", ref.alt),
    ]


def _common_meta(
    site: SiteInfo, *, og_type: str, title: str, description: str, url: str
) -> list[tuple[str, str, str]]:
    meta = [
        ("property", "og:type", og_type),
        ("property", "og:title", title),
        ("property", "og:url", url),
        ("property", "og:site_name", site.name),
        ("property", "og:locale", OG_LOCALES.get(site.language[:2], "en_US")),
    ]
    if description:
        meta.append(("property", "og:description", description))
    return meta


def _twitter(
    site: SiteInfo, *, title: str, description: str, image: ImageRef | None
) -> list[tuple[str, str, str]]:
    meta = [
        ("name", "twitter:card", "summary_large_image" if image else "summary"),
        ("name", "twitter:title", truncate(title, TWITTER_TITLE_MAX)),
    ]
    if description:
        meta.append(
            (
                "name",
                "twitter:description",
                truncate(description, TWITTER_DESCRIPTION_MAX),
            )
        )
    if image:
        meta += [
            ("name", "twitter:image", image.url),
            ("name", "twitter:image:alt", image.alt),
        ]
    handle = (site.publication.x_handle or "").lstrip("@")
    if handle:
        meta.append(("name", "twitter:site", f"@{handle}"))
    return meta


def canonical_for_request(site: SiteInfo, request: Any, *, keep_page: bool) -> str:
    """The page's own absolute URL without tracking or other parameters."""
    path = request.path if request is not None else "/"
    url = site.absolute(path)
    if keep_page and request is not None:
        page = request.GET.get("page", "")
        if page.isdigit() and int(page) > 1:
            url += "?" + urlencode({"page": page})
    return url


def article_head(context: Any, site: SiteInfo, article: ArticlePage) -> Head:
    canonical = article.canonical_url or site.absolute(site.path_of(article.url_path))
    authors = context.get("authors")
    if authors is None:
        authors = [
            aa.author
            for aa in ArticleAuthor.objects.filter(article=article)
            .select_related("author")
            .order_by("sort_order")
        ]
    tags = context.get("tags")
    if tags is None:
        tags = list(article.tags.all())
    crumbs_sections = queries.breadcrumb_sections(article)
    section = crumbs_sections[-1] if crumbs_sections else None
    teaser = excerpt(article)

    source = article.social_image or article.hero_image
    found = images.renditions(source, site, images.HEAD_SPECS)
    if article.social_image and article.hero_image:
        # Structured data describes the story's own picture, not the social crop.
        found.update(
            images.renditions(
                article.hero_image,
                site,
                (images.WIDE, images.FOUR_THREE, images.SQUARE),
            )
        )
    ld_images = [
        found[s] for s in (images.WIDE, images.FOUR_THREE, images.SQUARE) if s in found
    ]
    social_image = found.get(images.SOCIAL)

    title = article.social_title or article.title
    description = article.social_description or teaser
    meta = _common_meta(
        site, og_type="article", title=title, description=description, url=canonical
    )
    _og_image(meta, social_image)
    meta.append(
        ("property", "article:published_time", iso(article.first_published_at) or "")
    )
    meta.append(("property", "article:modified_time", iso(modified_at(article)) or ""))
    for author in authors:
        meta.append(
            (
                "property",
                "article:author",
                site.absolute(reverse("newsroom:author", kwargs={"slug": author.slug})),
            )
        )
    if section is not None:
        meta.append(("property", "article:section", section.title))
    for tag in tags:
        meta.append(("property", "article:tag", tag.name))
    meta += _twitter(site, title=title, description=description, image=social_image)

    crumbs = [(site.name, site.absolute("/"))]
    crumbs += [
        (s.title, site.absolute(site.path_of(s.url_path))) for s in crumbs_sections
    ]
    crumbs.append((article.title, canonical))
    head = Head(
        canonical=canonical,
        robots="max-image-preview:large",
        alternates=_feed_links(site, "home", "", site.name),
        oembed_href=site.absolute(reverse("distribution:oembed"))
        + "?"
        + urlencode({"url": canonical, "format": "json"}),
        oembed_title=article.title,
        meta=meta,
    )
    head.jsonld = [
        structured_data.to_script_json(
            structured_data.news_article(
                article,
                site,
                canonical=canonical,
                description=teaser,
                authors=authors,
                section=section,
                tags=tags,
                images=ld_images,
            )
        ),
        structured_data.to_script_json(structured_data.breadcrumbs(site, crumbs)),
    ]
    return head


def listing_head(
    context: Any,
    site: SiteInfo,
    *,
    kind: str,
    key: str,
    title: str,
    description: str,
    image: ImageRef | None,
    crumbs: list[tuple[str, str]] | None = None,
) -> Head:
    request = context.get("request")
    canonical = canonical_for_request(site, request, keep_page=True)
    if kind == "home":
        canonical = site.absolute("/")
    meta = _common_meta(
        site, og_type="website", title=title, description=description, url=canonical
    )
    _og_image(meta, image)
    meta += _twitter(site, title=title, description=description, image=image)
    head = Head(
        canonical=canonical,
        alternates=_feed_links(site, kind, key, title),
        meta=meta,
    )
    if kind == "home":
        head.jsonld = [
            structured_data.to_script_json(structured_data.organization(site)),
            structured_data.to_script_json(structured_data.website(site)),
        ]
    elif crumbs:
        head.jsonld = [
            structured_data.to_script_json(structured_data.breadcrumbs(site, crumbs))
        ]
    return head


def head_for(context: Any) -> Head:
    """Build the head for whatever page ``context`` renders."""
    request = context.get("request")
    site = queries.site_info(request)
    page = context.get("page")
    article = context.get("article")
    if not isinstance(article, ArticlePage) and isinstance(page, ArticlePage):
        article = page
    if isinstance(article, ArticlePage) and article.first_published_at:
        return article_head(context, site, article)
    if isinstance(page, HomePage):
        return listing_head(
            context,
            site,
            kind="home",
            key="",
            title=site.name,
            description=page.intro or site.publication.tagline,
            image=site.logo,
        )
    if isinstance(page, SectionPage):
        path = site.path_of(page.url_path).strip("/")
        sections = queries.breadcrumb_sections(page)
        crumbs = [(site.name, site.absolute("/"))] + [
            (s.title, site.absolute(site.path_of(s.url_path))) for s in sections
        ]
        return listing_head(
            context,
            site,
            kind="section",
            key=path,
            title=page.title,
            description=page.intro,
            image=site.logo,
            crumbs=crumbs,
        )
    author = context.get("author")
    if isinstance(author, Author):
        photo = None
        if author.photo_id:
            photo = images.renditions(author.photo, site, (images.SQUARE,)).get(
                images.SQUARE
            )
        return listing_head(
            context,
            site,
            kind="author",
            key=author.slug,
            title=author.name,
            description=author.short_bio or author.role,
            image=photo or site.logo,
        )
    tag = context.get("tag")
    if isinstance(tag, Tag):
        return listing_head(
            context,
            site,
            kind="tag",
            key=tag.slug,
            title=tag.name,
            description=_("Stories about %(tag)s") % {"tag": tag.name},
            image=site.logo,
        )
    head = Head(canonical=canonical_for_request(site, request, keep_page=False))
    if _is_noindex(context, request):
        head.robots = "noindex, follow"
    return head


def _is_noindex(context: Any, request: Any) -> bool:
    if context.get("noindex"):
        return True
    if request is None:
        return False
    match = getattr(request, "resolver_match", None)
    if match is not None and (
        match.view_name in NOINDEX_URL_NAMES or match.namespace == "members"
    ):
        return True
    return request.path.startswith(NOINDEX_PATH_PREFIXES)
