"""Distribution's surfaces in the paywall canary suite (herald.members.tests.canary).

Public feeds of every scope and format, oEmbed, sitemaps, and each reader's
own private feed: none may carry gated text the reader is not entitled to.
"""

from __future__ import annotations

from typing import Any

from django.test import Client

from herald.members.tests.canary import (
    REFUSED,
    SCANNED,
    CanarySite,
    Expected,
    fetch,
    register_surface,
)


def _get(client: Client, path: str, expect: Expected = SCANNED, **params: Any) -> str:
    return fetch(client, path, params, expect=expect)


def _scopes(site: CanarySite) -> list[str]:
    article = next(iter(site.articles.values()))
    section_path = article.url.strip("/").rsplit("/", 1)[0]
    scopes = ["/feed/", f"/section/{section_path}/feed/", "/tag/harbour/feed/"]
    for item in article.article_authors.all():
        scopes.append(f"/author/{item.author.slug}/feed/")
    return scopes


@register_surface("public feeds (RSS, Atom, JSON Feed of home, section, author, tag)")
def public_feeds(client: Client, site: CanarySite) -> str:
    return "".join(
        _get(client, scope + suffix)
        for scope in _scopes(site)
        for suffix in ("", "atom/", "json/")
    )


@register_surface("oEmbed")
def oembed(client: Client, site: CanarySite) -> str:
    return "".join(
        _get(client, "/oembed/", url=f"http://testserver{url}", format="json")
        for url in site.urls()
    )


@register_surface("sitemaps and news sitemap")
def sitemaps(client: Client, site: CanarySite) -> str:
    urls = ["/sitemap.xml", "/sitemap-news.xml", "/sitemap-articles.xml"]
    return "".join(_get(client, url) for url in urls)


@register_surface("the reader's own private feed, and a forged one")
def private_feeds(client: Client, site: CanarySite) -> str:
    from herald.distribution import actions, queries

    out = [_get(client, "/feed/private/" + "0" * 32 + ".forged/", REFUSED)]
    user = site.users.get(site.reader_of(client) or "")
    if user is not None:
        secret = queries.feed_token_string(actions.rotate_feed_token(user))
        for suffix in ("", "atom/", "json/"):
            out.append(_get(client, f"/feed/private/{secret}/{suffix}"))
            out.append(_get(Client(), f"/feed/private/{secret}/{suffix}"))
    return "".join(out)
