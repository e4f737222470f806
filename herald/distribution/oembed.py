"""The oEmbed provider: a story's public card, whoever asks.

An embed never carries gated text: the card is the headline, the teaser
(dek or public opening), the byline and a thumbnail.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import format_html

from herald.newsroom.rendering import excerpt

from . import images
from .queries import SiteInfo

DEFAULT_WIDTH = 600
DEFAULT_HEIGHT = 240
CACHE_AGE = 3600


def canonical_url(article: Any, site: SiteInfo) -> str:
    return article.canonical_url or site.absolute(site.path_of(article.url_path))


def embed_for(
    article: Any, site: SiteInfo, *, maxwidth: int | None, maxheight: int | None
) -> dict[str, Any]:
    """The oEmbed 1.0 ``rich`` response for ``article`` (its public card)."""
    url = canonical_url(article, site)
    authors = [aa.author for aa in article.article_authors.all()]
    teaser = excerpt(article)
    width = min(DEFAULT_WIDTH, maxwidth or DEFAULT_WIDTH)
    height = min(DEFAULT_HEIGHT, maxheight or DEFAULT_HEIGHT)
    html = format_html(
        '<blockquote class="herald-embed" cite="{url}"><p><a href="{url}">{title}</a>'
        "</p><p>{teaser}</p><p>{provider}</p></blockquote>",
        url=url,
        title=article.title,
        teaser=teaser,
        provider=site.name,
    )
    data: dict[str, Any] = {
        "version": "1.0",
        "type": "rich",
        "title": article.title,
        "author_name": ", ".join(a.name for a in authors),
        "provider_name": site.name,
        "provider_url": site.absolute("/"),
        "cache_age": CACHE_AGE,
        "html": str(html),
        "width": width,
        "height": height,
    }
    if authors:
        data["author_url"] = site.absolute(
            reverse("newsroom:author", kwargs={"slug": authors[0].slug})
        )
    image = article.social_image or article.hero_image
    thumb = images.thumbnail(image, site, maxwidth=width) if image else None
    if thumb is not None and (maxheight is None or thumb.height <= maxheight):
        data["thumbnail_url"] = thumb.url
        data["thumbnail_width"] = thumb.width
        data["thumbnail_height"] = thumb.height
    return data
