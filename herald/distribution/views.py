"""Feeds, private member feeds, sitemaps, robots.txt and oEmbed: thin views."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from herald.core import keep
from herald.core.keep import http as keep_http
from herald.core.keep.flight import once
from herald.members.access import ANONYMOUS, reader_for

from . import actions, feeds, oembed, queries, sitemaps

PUBLIC_FEED_MAX_AGE = 300
SITEMAP_MAX_AGE = 600


@dataclass
class RenderedFeed:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime | None


def _render_feed(
    spec: feeds.FeedSpec, articles: list[Any], fmt: str, *, reader: Any, full_text: bool
) -> RenderedFeed:
    assert spec.site is not None
    site_items = feeds.build_items(
        articles, spec.site, reader=reader, full_text=full_text
    )
    last = max((i.updated for i in site_items), default=None)
    spec.updated = last
    body = feeds.render(spec, site_items, fmt)
    return RenderedFeed(
        body=body,
        content_type=feeds.CONTENT_TYPES[fmt],
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        last_modified=last,
    )


def _feed_response(
    request: HttpRequest, feed: RenderedFeed, *, self_url: str, hubs: list[str]
) -> HttpResponse:
    last_modified = feed.last_modified.timestamp() if feed.last_modified else None
    not_modified = get_conditional_response(
        request, etag=feed.etag, last_modified=last_modified
    )
    response = not_modified or HttpResponse(feed.body, content_type=feed.content_type)
    response.headers["ETag"] = feed.etag
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified)
    links = [f'<{hub}>; rel="hub"' for hub in hubs] + [f'<{self_url}>; rel="self"']
    response.headers["Link"] = ", ".join(links)
    return response


def _scope(
    request: HttpRequest, site: queries.SiteInfo, kind: str, key: str
) -> tuple[feeds.FeedSpec, Any]:
    """The channel description and story queryset of a feed, or 404."""
    self_url = site.absolute(request.path)
    name = site.name
    if kind == "home":
        title, home_url = name, site.absolute("/")
        description = site.publication.tagline or _(
            "The latest stories from %(name)s"
        ) % {"name": name}
        qs = queries.home_articles()
    elif kind == "section":
        section = queries.section_by_path(site, key)
        if section is None:
            raise Http404(_("No such section."))
        title = f"{section.title} · {name}"
        home_url = site.absolute(site.path_of(section.url_path))
        description = section.intro or _("The latest stories in %(section)s") % {
            "section": section.title
        }
        qs = queries.section_articles(section)
    elif kind == "author":
        author = queries.get_author(key)
        if author is None:
            raise Http404(_("No such author."))
        title = f"{author.name} · {name}"
        home_url = site.absolute(f"/author/{author.slug}/")
        description = author.short_bio or _("Stories by %(author)s") % {
            "author": author.name
        }
        qs = queries.author_articles(author)
    elif kind == "tag":
        tag = queries.get_tag(key)
        if tag is None:
            raise Http404(_("No such tag."))
        title = f"{tag.name} · {name}"
        home_url = site.absolute(f"/tag/{tag.slug}/")
        description = _("Stories about %(tag)s") % {"tag": tag.name}
        qs = queries.tag_articles(tag)
    else:  # pragma: no cover - the URLconf only routes the kinds above
        raise Http404
    spec = feeds.FeedSpec(
        title=title,
        description=description,
        home_url=home_url,
        self_url=self_url,
        language=site.language,
        hubs=site.hubs,
        feed_id=home_url,
        site=site,
        copyright=site.publication.copyright_holder,
    )
    return spec, qs


# How long a kept feed may live (a change to what it shows drops it sooner).
FEED_TTL = 60 * 10


def public_feed(kind: str, fmt: str) -> Callable[..., HttpResponse]:
    """A view serving the ``fmt`` feed of a ``kind`` scope (home/section/author/tag)."""

    @require_safe
    def view(request: HttpRequest, **kwargs: str) -> HttpResponse:
        site = queries.site_info(request)
        key = kwargs.get("section_path") or kwargs.get("slug") or ""

        def build() -> Any:
            spec, qs = _scope(request, site, kind, key)
            articles = queries.feed_articles(qs, limit=site.feed_item_count)
            return _render_feed(
                spec, articles, fmt, reader=ANONYMOUS, full_text=site.full_text_feeds
            )

        # Rendered for the anonymous reader: kept (core.keep) per host and path
        # until anything it shows changes. An unknown scope raises 404 in
        # build(), so nothing is kept for it. When it is missing, one thread
        # of this process builds it and the others wait for that copy.
        feed_key = keep.rendering_key("feed", None, request.get_host(), request.path)
        feed = keep.get_or_build(feed_key, once(feed_key, build), FEED_TTL, shared=True)
        response = _feed_response(
            request, feed, self_url=site.absolute(request.path), hubs=site.hubs
        )
        keep_http.neutral(response, max_age=PUBLIC_FEED_MAX_AGE)
        return response

    view.__name__ = f"{kind}_{fmt}_feed"
    return view


def private_feed(fmt: str) -> Callable[..., HttpResponse]:
    """A member's private feed: full text as far as the member is entitled."""

    @require_safe
    def view(request: HttpRequest, token: str) -> HttpResponse:
        member = queries.member_for_feed_token(token)
        if member is None:
            raise Http404(_("No such feed."))
        site = queries.site_info(request)
        reader = reader_for(member)
        # Rendered for one member, who may read more than an anonymous reader:
        # never kept (core.keep's rule), rendered on every fetch.
        name = site.name
        spec = feeds.FeedSpec(
            title=_("%(name)s for members") % {"name": name},
            description=_("Your private feed: keep its address to yourself."),
            home_url=site.absolute("/"),
            self_url=site.absolute(request.path),
            language=site.language,
            hubs=[],
            feed_id=site.absolute("/feed/private/"),
            site=site,
            copyright=site.publication.copyright_holder,
        )
        articles = queries.feed_articles(
            queries.home_articles(), limit=site.feed_item_count
        )
        feed = _render_feed(spec, articles, fmt, reader=reader, full_text=True)
        # A private feed is never pushed to a public hub: only rel="self".
        response = _feed_response(
            request, feed, self_url=site.absolute(request.path), hubs=[]
        )
        keep_http.private(response)
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    view.__name__ = f"private_{fmt}_feed"
    return view


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or "/account/"
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/account/"


@require_POST
@login_required
def rotate_private_feed(request: HttpRequest) -> HttpResponse:
    had_one = queries.active_feed_token(request.user) is not None
    actions.rotate_feed_token(request.user)
    if had_one:
        said = _("Your private feed has a new address; the old one no longer works.")
    else:
        said = _("Your private feed is ready: copy its address into your reader.")
    messages.success(request, said)
    return HttpResponseRedirect(_safe_next(request))


@require_POST
@login_required
def revoke_private_feed(request: HttpRequest) -> HttpResponse:
    actions.revoke_feed_token(request.user)
    messages.success(request, _("Your private feed is turned off."))
    return HttpResponseRedirect(_safe_next(request))


# --- Sitemaps ---------------------------------------------------------------------


def _xml_response(body: str, *, max_age: int = SITEMAP_MAX_AGE) -> HttpResponse:
    response = HttpResponse(body, content_type="application/xml; charset=utf-8")
    keep_http.neutral(response, max_age=max_age)
    return response


@require_safe
def sitemap_index(request: HttpRequest) -> HttpResponse:
    site = queries.site_info(request)
    return _xml_response(sitemaps.render_index(sitemaps.index_entries(site)))


@require_safe
def sitemap_page(request: HttpRequest, name: str) -> HttpResponse:
    site = queries.site_info(request)
    cls = sitemaps.SITEMAPS.get(name)
    if cls is None:
        raise Http404(_("No such sitemap."))
    sitemap = cls(site)
    try:
        rows = sitemap.page_rows(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404(_("No such sitemap page.")) from exc
    return _xml_response(sitemaps.render_urlset(sitemap, rows))


@require_safe
def news_sitemap(request: HttpRequest) -> HttpResponse:
    """Stories of the last 48 hours; an index of pages beyond 1,000 stories."""
    site = queries.site_info(request)
    raw_page = request.GET.get("page")
    if raw_page is None:
        count, latest = sitemaps.news_summary()
        pages = sitemaps.news_pages(count)
        if pages > 1:
            entries = [
                (site.absolute(f"/sitemap-news.xml?page={n}"), latest)
                for n in range(1, pages + 1)
            ]
            return _xml_response(sitemaps.render_index(entries), max_age=60)
        page = 1
    else:
        try:
            page = sitemaps.page_number(raw_page)
        except (EmptyPage, PageNotAnInteger) as exc:
            raise Http404(_("No such sitemap page.")) from exc
    try:
        rows = sitemaps.news_rows(page)
    except EmptyPage as exc:
        raise Http404(_("No such sitemap page.")) from exc
    return _xml_response(sitemaps.render_news(site, rows), max_age=60)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    site = queries.site_info(request)
    response = HttpResponse(
        sitemaps.render_robots(site), content_type="text/plain; charset=utf-8"
    )
    keep_http.neutral(response, max_age=3600)
    return response


# --- oEmbed -----------------------------------------------------------------------


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message, "fields": {}}}, status=status
    )


@require_safe
def oembed_view(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format") or "json"
    if fmt != "json":
        return _error(501, "format_not_implemented", _("Only JSON is available."))
    url = request.GET.get("url", "")
    if not url:
        return _error(400, "missing_url", _("Give the URL of a story."))
    try:
        maxwidth = _positive(request.GET.get("maxwidth"))
        maxheight = _positive(request.GET.get("maxheight"))
    except ValueError:
        return _error(400, "bad_size", _("maxwidth and maxheight are whole numbers."))
    site = queries.site_info(request)
    article = queries.article_for_url(site, url)
    if article is None:
        return _error(404, "not_found", _("No story at this address."))
    data = oembed.embed_for(article, site, maxwidth=maxwidth, maxheight=maxheight)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    keep_http.neutral(response, max_age=3600)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _positive(raw: str | None) -> int | None:
    if raw in (None, ""):
        return None
    value = int(raw)  # ValueError for anything else
    if value < 1:
        raise ValueError("must be positive")
    return value
