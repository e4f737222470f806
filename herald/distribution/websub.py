"""WebSub publishing: tell the configured hubs which feeds changed.

Receivers of ``newsroom.hooks`` events run after the publishing transaction has
committed. They only drop cached feeds and queue pings (``HubPing`` rows and a
Celery task each); delivery, retries and failures happen in ``tasks``, so a hub
that is down never affects publishing.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request

from django.urls import reverse

from herald.newsroom.hooks import PublishEvent
from herald.newsroom.models import ArticleAuthor, ArticlePage

from . import queries
from .feeds import FORMATS

log = logging.getLogger("herald.distribution.websub")
PING_TIMEOUT = 5  # seconds


def feed_paths(kind: str, key: str = "") -> dict[str, str]:
    """The RSS, Atom and JSON paths of one feed scope (home, section, author, tag)."""
    if kind == "home":
        return {fmt: reverse(f"distribution:home_{fmt}") for fmt in FORMATS}
    arg = "section_path" if kind == "section" else "slug"
    return {
        fmt: reverse(f"distribution:{kind}_{fmt}", kwargs={arg: key}) for fmt in FORMATS
    }


def affected_feeds(article: ArticlePage, site: queries.SiteInfo) -> list[str]:
    """Absolute URLs of every feed a story appears in."""
    paths: list[str] = list(feed_paths("home").values())
    for section in queries.breadcrumb_sections(article):
        section_path = site.path_of(section.url_path).strip("/")
        paths += feed_paths("section", section_path).values()
    slugs = ArticleAuthor.objects.filter(article=article).values_list(
        "author__slug", flat=True
    )
    for slug in slugs:
        paths += feed_paths("author", slug).values()
    for tag in article.tags.all():
        paths += feed_paths("tag", tag.slug).values()
    return [site.absolute(p) for p in dict.fromkeys(paths)]


def on_article_event(event: PublishEvent) -> None:
    """On publish or update, queue hub pings for the article's feeds.

    Kept feeds need no purge here: the page save moved the change generation
    forward (``core.keep``).
    """
    from .actions import queue_hub_pings

    if event.name not in ("article_published", "article_updated"):
        return
    site = queries.site_info()
    if not site.hubs:
        return
    article = ArticlePage.objects.filter(pk=event.article_id).first()
    if article is None:
        return
    queue_hub_pings(
        affected_feeds(article, site), hubs=site.hubs, article_id=article.pk
    )


def post_publish(hub_url: str, topic_url: str) -> None:
    """POST ``hub.mode=publish`` for one feed; raise on any failure."""
    data = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": topic_url})
    request = urllib.request.Request(  # noqa: S310 - hub URLs are http(s) only
        hub_url,
        data=data.encode("ascii"),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=PING_TIMEOUT) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(
                hub_url, response.status, "hub refused the ping", response.headers, None
            )
