"""schema.org JSON-LD: NewsArticle, BreadcrumbList, Organization and WebSite.

The NewsArticle describes only what every reader sees: its description is the
teaser, and a gated story says so with ``isAccessibleForFree`` and a ``hasPart``
naming the CSS class of the gated part (Google's paywalled-content markup).
"""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

from herald.newsroom.rendering import GATED_CLASS

from .queries import ImageRef, SiteInfo

HEADLINE_MAX = 110
SCHEMA = "https://schema.org"


def iso(value: Any) -> str | None:
    """ISO 8601 with the offset, as the page's <time datetime> shows it."""
    return localtime(value).isoformat(timespec="seconds") if value else None


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def modified_at(article: Any) -> Any:
    """The visible update time, never before first publication."""
    published = article.first_published_at
    updated = article.display_updated_at
    if updated and published and updated > published:
        return updated
    return published


def _image_object(ref: ImageRef) -> dict[str, Any]:
    return {
        "@type": "ImageObject",
        "url": ref.url,
        "width": ref.width,
        "height": ref.height,
    }


def publisher(site: SiteInfo) -> dict[str, Any]:
    org: dict[str, Any] = {
        "@type": "Organization",
        "name": site.name,
        "url": site.absolute("/"),
    }
    if site.logo:
        org["logo"] = _image_object(site.logo)
    return org


def news_article(
    article: Any,
    site: SiteInfo,
    *,
    canonical: str,
    description: str,
    authors: list[Any],
    section: Any,
    tags: list[Any],
    images: list[ImageRef],
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "NewsArticle",
        "headline": truncate(article.title, HEADLINE_MAX),
        "description": description,
        "url": canonical,
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "datePublished": iso(article.first_published_at),
        "dateModified": iso(modified_at(article)),
        "author": [
            {
                "@type": "Person",
                "name": a.name,
                "url": site.absolute(
                    reverse("newsroom:author", kwargs={"slug": a.slug})
                ),
            }
            for a in authors
        ],
        "publisher": publisher(site),
        "inLanguage": site.language,
        "isAccessibleForFree": article.access_level == "public",
    }
    if images:
        data["image"] = [ref.url for ref in images]
    if section is not None:
        data["articleSection"] = section.title
    if tags:
        data["keywords"] = [t.name for t in tags]
    if article.access_level != "public":
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": f".{GATED_CLASS}",
        }
    return data


def breadcrumbs(site: SiteInfo, crumbs: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": url}
            for i, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def organization(site: SiteInfo) -> dict[str, Any]:
    org = {"@context": SCHEMA, **publisher(site)}
    same_as = [url for _label, url in site.publication.follow_links()]
    if same_as:
        org["sameAs"] = same_as
    return org


def website(site: SiteInfo) -> dict[str, Any]:
    return {
        "@context": SCHEMA,
        "@type": "WebSite",
        "name": site.name,
        "url": site.absolute("/"),
        "inLanguage": site.language,
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": site.absolute("/search/") + "?q={search_term_string}",
            },
            "query-input": "required name=search_term_string",
        },
    }


def to_script_json(data: dict[str, Any]) -> SafeString:
    """JSON safe inside <script>: no '<', '>' or '&' can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - escaped above
