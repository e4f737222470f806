"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 from one item serializer.

Every feed (home, section, author, tag, a member's private feed) is built from
the same ``FeedItem`` list. What an item carries of the story's text is decided
by the paywall gate through ``newsroom.queries.article_body_for``: public feeds
ask for the anonymous reader, so gated stories only ever show their teaser.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.feedgenerator import (
    Atom1Feed,
    Enclosure,
    Rss201rev2Feed,
    rfc3339_date,
)
from django.utils.html import escape
from django.utils.timezone import localtime

from herald.members.access import Reader
from herald.newsroom.queries import article_body_for
from herald.newsroom.rendering import excerpt

from .queries import FEED_IMAGE_SPEC, SiteInfo

log = logging.getLogger("herald.distribution.feeds")

FORMATS = ("rss", "atom", "json")
CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
LINK_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

_RELATIVE_URL = re.compile(r'(\s(?:src|href|poster)=")(/[^/"][^"]*|/)"')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)"')


@dataclass
class FeedImage:
    url: str
    length: int
    mime_type: str
    alt: str = ""


@dataclass
class FeedItem:
    """One story as every feed format shows it."""

    guid: str
    url: str
    title: str
    summary: str
    content_html: str | None
    published: datetime
    updated: datetime
    authors: list[tuple[str, str]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    image: FeedImage | None = None
    is_gated: bool = False


@dataclass
class FeedSpec:
    """The channel: what the feed is about and where it lives."""

    title: str
    description: str
    home_url: str
    self_url: str
    language: str
    hubs: list[str]
    feed_id: str
    site: SiteInfo | None = None
    copyright: str = ""
    updated: datetime | None = None


def absolutize(html: str, base_url: str) -> str:
    """Make root-relative links and image sources absolute for feed readers."""

    def fix_srcset(match: re.Match[str]) -> str:
        parts = []
        for candidate in match.group(2).split(","):
            candidate = candidate.strip()
            if candidate.startswith("/") and not candidate.startswith("//"):
                candidate = base_url + candidate
            parts.append(candidate)
        return f'{match.group(1)}{", ".join(parts)}"'

    html = _RELATIVE_URL.sub(lambda m: f'{m.group(1)}{base_url}{m.group(2)}"', html)
    return _SRCSET.sub(fix_srcset, html)


def _image(article: Any, site: SiteInfo) -> FeedImage | None:
    # The picture, never the uploaded original: a rendition is resized for
    # readers and written by Pillow, so it carries none of the original's
    # metadata, even for files uploaded before originals were stripped.
    image = article.hero_image
    if image is None or not image.file:
        return None
    try:
        rendition = image.get_rendition(FEED_IMAGE_SPEC)
        url = rendition.url
        length = rendition.file.size
    except Exception as exc:  # a missing original must not break the feed
        log.warning("Feed image %s cannot be rendered: %s", image.pk, exc)
        return None
    mime = mimetypes.guess_type(rendition.file.name)[0] or "image/jpeg"
    return FeedImage(
        url=site.absolute(url),
        length=int(length or 0),
        mime_type=mime,
        alt=getattr(image, "description", "") or "",
    )


def story_guid(article: Any) -> str:
    """A guid that never changes, whatever happens to the slug or headline."""
    return f"urn:uuid:{article.translation_key}"


def build_items(
    articles: list[Any], site: SiteInfo, *, reader: Reader, full_text: bool
) -> list[FeedItem]:
    """Serialize stories for ``reader``: full text only where the gate allows."""
    items = []
    for article in articles:
        url = site.absolute(site.path_of(article.url_path))
        teaser = excerpt(article)
        content = None
        is_gated = article.access_level != "public"
        if full_text:
            body = article_body_for(article, reader, publication=site.publication)
            if body.can_read and body.rest_html is not None:
                content = absolutize(
                    f"{body.preview_html}{body.rest_html}", site.base_url
                )
        authors = [
            (aa.author.name, site.absolute(aa.author.get_absolute_url()))
            for aa in article.article_authors.all()
        ]
        section = getattr(article, "card_section", None)
        categories = ([section.title] if section else []) + [
            t.name for t in article.tags.all()
        ]
        published = article.first_published_at
        updated = max(
            d
            for d in (published, article.last_published_at, article.display_updated_at)
            if d is not None
        )
        items.append(
            FeedItem(
                guid=story_guid(article),
                url=url,
                title=article.title,
                summary=teaser,
                content_html=content,
                published=published,
                updated=updated,
                authors=authors,
                categories=categories,
                image=_image(article, site),
                is_gated=is_gated,
            )
        )
    return items


# --- XML formats ------------------------------------------------------------------


class HeraldRssFeed(Rss201rev2Feed):
    """RSS 2.0 with ``content:encoded`` (CDATA) and a WebSub hub link."""

    def rss_attributes(self) -> dict[str, str]:
        attrs = super().rss_attributes()
        attrs["xmlns:content"] = CONTENT_NS
        attrs["xmlns:dc"] = "http://purl.org/dc/elements/1.1/"
        return attrs

    def add_root_elements(self, handler: Any) -> None:
        super().add_root_elements(handler)
        for hub in self.feed.get("hubs") or ():
            handler.addQuickElement("atom:link", None, {"rel": "hub", "href": hub})

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        names = item.pop("author_names", None)
        super().add_item_elements(handler, item)
        for name in names or ():
            handler.addQuickElement("dc:creator", name)
        html = item.get("content_html")
        if html:
            handler.startElement("content:encoded", {})
            # ignorableWhitespace writes its text unescaped: the CDATA section.
            handler.ignorableWhitespace(
                "<![CDATA[" + html.replace("]]>", "]]]]><![CDATA[>") + "]]>"
            )
            handler.endElement("content:encoded")


class HeraldAtomFeed(Atom1Feed):
    """Atom 1.0 with full content, every author and a WebSub hub link."""

    def add_root_elements(self, handler: Any) -> None:
        super().add_root_elements(handler)
        for hub in self.feed.get("hubs") or ():
            handler.addQuickElement("link", "", {"rel": "hub", "href": hub})

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        extra_authors = item.pop("extra_authors", ())
        super().add_item_elements(handler, item)
        for name, link in extra_authors:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", link)
            handler.endElement("author")
        html = item.get("content_html")
        if html:
            handler.addQuickElement("content", html, {"type": "html"})

    def latest_post_date(self) -> datetime:
        return self.feed.get("updated") or super().latest_post_date()


def _xml(spec: FeedSpec, items: list[FeedItem], feed_class: Any, fmt: str) -> bytes:
    # RSS ``description`` and Atom ``summary type="html"`` are read as HTML: the
    # dek, tagline, intro and bio are plain text, so they go in escaped, or a
    # reader would run any markup an editor (or an importer) put there.
    feed = feed_class(
        title=spec.title,
        link=spec.home_url,
        description=escape(spec.description),
        language=spec.language,
        feed_url=spec.self_url,
        feed_guid=spec.feed_id,
        feed_copyright=spec.copyright or None,
        hubs=spec.hubs,
        updated=spec.updated,
        author_name=spec.title if fmt == "atom" else None,
    )
    for item in items:
        extra: dict[str, Any] = {"content_html": item.content_html}
        first_author = item.authors[0] if item.authors else None
        if fmt == "rss":
            extra["author_names"] = [name for name, _ in item.authors]
        else:
            extra["extra_authors"] = item.authors[1:]
        feed.add_item(
            title=item.title,
            link=item.url,
            description=escape(item.summary),
            author_name=first_author[0] if first_author and fmt == "atom" else None,
            author_link=first_author[1] if first_author and fmt == "atom" else None,
            pubdate=item.published,
            updateddate=item.updated,
            unique_id=item.guid,
            unique_id_is_permalink=False,
            categories=item.categories,
            enclosures=(
                [
                    Enclosure(
                        item.image.url, str(item.image.length), item.image.mime_type
                    )
                ]
                if item.image
                else None
            ),
            **extra,
        )
    return feed.writeString("utf-8").encode("utf-8")


def _json(spec: FeedSpec, items: list[FeedItem]) -> bytes:
    document: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": spec.title,
        "home_page_url": spec.home_url,
        "feed_url": spec.self_url,
        "description": spec.description,
        "language": spec.language,
        "hubs": [{"type": "WebSub", "url": hub} for hub in spec.hubs],
        "items": [],
    }
    if not spec.hubs:
        del document["hubs"]
    for item in items:
        entry: dict[str, Any] = {
            "id": item.guid,
            "url": item.url,
            "title": item.title,
            "summary": item.summary,
            "date_published": rfc3339_date(localtime(item.published)),
            "date_modified": rfc3339_date(localtime(item.updated)),
            "authors": [{"name": name, "url": link} for name, link in item.authors],
            "tags": item.categories,
        }
        if item.content_html:
            entry["content_html"] = item.content_html
        else:
            entry["content_text"] = item.summary
        if item.image:
            entry["image"] = item.image.url
        document["items"].append(entry)
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def render(spec: FeedSpec, items: list[FeedItem], fmt: str) -> bytes:
    """Serialize ``items`` as ``fmt`` (one of FORMATS)."""
    if fmt == "rss":
        return _xml(spec, items, HeraldRssFeed, fmt)
    if fmt == "atom":
        return _xml(spec, items, HeraldAtomFeed, fmt)
    if fmt == "json":
        return _json(spec, items)
    raise ValueError(f"Unknown feed format {fmt!r}")
