"""Purge nginx's page cache (or any Wagtail frontend cache) when a story changes.

nginx keeps what Herald marks public (``core.keep.http``: anonymous reader
pages for a minute, public feeds for five). When an article is published,
republished (a new revision, a correction) or unpublished, the receiver here
queues one task that purges every page the change shows on at once:

- the article's own page;
- the home page and each section page above the article (first page only);
- the article's author and tag pages (first page only);
- every feed the story appears in (``websub.affected_feeds``: home, sections,
  authors, tags, in RSS, Atom and JSON).

Everything else a change touches (later pages of a listing, other articles'
"related" rails, sitemaps) is not purged and shows within its ``max-age``
(60 s for pages, 600 s for sitemaps). Pages other than articles (a section's
intro, the home page's settings) are not purged either: they show within 60 s.

The purge runs after the publishing transaction has committed (``newsroom.hooks``
receivers do), so no reader can refill the cache with the old version between
the purge and the commit. Without ``HERALD_CACHE_PURGE_URL`` nothing is queued.
"""

from __future__ import annotations

import logging

from django.conf import settings

from herald.newsroom.hooks import PublishEvent
from herald.newsroom.models import ArticleAuthor, ArticlePage

from . import queries, websub

log = logging.getLogger("herald.distribution.purge")


def enabled() -> bool:
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def affected_urls(article: ArticlePage, site: queries.SiteInfo) -> list[str]:
    """Absolute URLs of the pages and feeds that show ``article``."""
    paths = [site.path_of(article.url_path), "/"]
    paths += [
        site.path_of(section.url_path)
        for section in queries.breadcrumb_sections(article)
    ]
    slugs = ArticleAuthor.objects.filter(article=article).values_list(
        "author__slug", flat=True
    )
    paths += [f"/author/{slug}/" for slug in slugs]
    paths += [f"/tag/{tag.slug}/" for tag in article.tags.all()]
    urls = [site.absolute(p) for p in paths]
    urls += websub.affected_feeds(article, site)
    return list(dict.fromkeys(urls))


def on_article_event(event: PublishEvent) -> None:
    """Queue a purge of every page ``event``'s article shows on."""
    if not enabled():
        return
    article = ArticlePage.objects.filter(pk=event.article_id).first()
    if article is None:
        return
    from .tasks import purge_frontend_cache

    purge_frontend_cache.delay(affected_urls(article, queries.site_info()))


def purge(urls: list[str]) -> int:
    """Purge ``urls`` from every configured frontend cache; how many were sent."""
    from wagtail.contrib.frontend_cache.utils import get_backends

    sent = 0
    for name, backend in get_backends().items():
        log.info("[%s] purging %d URLs", name, len(urls))
        backend.purge_batch(urls)
        sent += len(urls)
    return sent
