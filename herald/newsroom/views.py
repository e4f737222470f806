"""Reader views: thin wrappers that parse input, call a query and render."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from herald.core.http import client_ip
from herald.core.keep import http as keep_http
from herald.core.keep import offline

from . import queries


def apply_cache_headers(
    request: HttpRequest, response: HttpResponse, *, offline_copy: bool = True
) -> HttpResponse:
    """Cache-Control as ``core.keep`` decides (public, briefly, only for an
    anonymous reader's page that is no preview), and an ETag on public pages.

    ``offline_copy``: a listing a signed-in reader's device may keep for
    offline reading (``core.keep.offline``); articles decide for themselves.
    """
    keep_http.reader_page(request, response)
    if offline_copy:
        offline.allow(response)
    else:
        offline.refuse(response)
    if response.status_code == 200 and keep_http.is_public(response):
        set_etag_without_nonce(request, response)
    return response


def set_etag_without_nonce(request: HttpRequest, response: HttpResponse) -> None:
    """Give ``response`` an ETag that ignores the CSP nonce of this response.

    Every response carries a fresh nonce, so a plain hash of the body (what
    ConditionalGetMiddleware would set) never matches twice; without the nonce,
    an unchanged page matches and a conditional GET is answered with a 304.
    """
    if response.streaming or response.has_header("ETag"):
        return
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    content = response.content
    nonce = getattr(request, "_csp_nonce", None)  # set by django-csp when read
    if nonce:
        content = content.replace(str(nonce).encode(), b"")
    digest = hashlib.md5(content, usedforsecurity=False).hexdigest()
    response.headers["ETag"] = f'W/"{digest}"'


def serve_article(
    article: Any,
    request: HttpRequest,
    serve: Callable[..., Any],
    *args: Any,
    **kwargs: Any,
) -> HttpResponse:
    """Serve an article page with Last-Modified, so a conditional GET gets a 304."""
    response = serve(request, *args, **kwargs)
    if hasattr(response, "render"):
        response = response.render()
    stamp = article.last_published_at or article.first_published_at
    if stamp is not None and response.status_code == 200:
        response.headers.setdefault("Last-Modified", http_date(stamp.timestamp()))
    apply_cache_headers(request, response)
    _offline_article(response)
    return response


def _offline_article(response: Any) -> None:
    """An article is kept offline only when its reader may read all of it: a
    page with a paywall is a decision that may change, so it is never stored.
    ``access`` lets the device drop stored pages when the reader's access
    changes (``core.keep.offline``)."""
    context = getattr(response, "context_data", None) or {}
    reader, body = context.get("reader"), context.get("body")
    if reader is None or body is None:
        offline.refuse(response)
        return
    access = offline.access_id(reader)
    if body.can_read:
        offline.allow(response, access=access)
    else:
        offline.refuse(response, access=access)


def serve_listing(
    request: HttpRequest, serve: Callable[..., Any], *args: Any, **kwargs: Any
) -> HttpResponse:
    """Serve a home or section page with the reader cache headers."""
    return apply_cache_headers(request, serve(request, *args, **kwargs))


def _listing(
    request: HttpRequest, template: str, context: dict[str, Any]
) -> HttpResponse:
    response = render(request, template, context)
    return apply_cache_headers(request, response)


@require_safe
def author_page(request: HttpRequest, slug: str) -> HttpResponse:
    author = queries.get_author(slug)
    if author is None:
        raise Http404("No such author")
    page = queries.page_cards(
        queries.paginate(
            queries.with_cards(queries.author_articles(author)), request.GET.get("page")
        )
    )
    return _listing(
        request, "newsroom/author_page.html", {"author": author, "articles": page}
    )


@require_safe
def tag_page(request: HttpRequest, slug: str) -> HttpResponse:
    tag = queries.get_tag(slug)
    if tag is None:
        raise Http404("No such tag")
    page = queries.page_cards(
        queries.paginate(
            queries.with_cards(queries.tag_articles(tag)), request.GET.get("page")
        )
    )
    return _listing(request, "newsroom/tag_page.html", {"tag": tag, "articles": page})


def _search_limited(request: HttpRequest) -> bool:
    """Anonymous searches per IP: at most ``HERALD_SEARCH_RATE`` (60 a minute)."""
    from django_ratelimit.core import is_ratelimited

    if request.user.is_authenticated:
        return False
    return is_ratelimited(
        request,
        group="newsroom.search",
        key=lambda _group, _request: client_ip(request),
        rate=getattr(settings, "HERALD_SEARCH_RATE", "60/m"),
        increment=True,
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    # A NUL byte is never part of a word; PostgreSQL refuses it in a query.
    raw = " ".join(request.GET.get("q", "").replace("\x00", "").split())
    query = raw[: settings.HERALD_QUERY_MAX_LENGTH]
    order = "newest" if request.GET.get("order") == "newest" else "relevance"
    if query and _search_limited(request):
        response = render(request, "newsroom/search_ratelimited.html", status=429)
        response["Retry-After"] = "60"
        return response
    choices = queries.search_choices()
    filters = queries.parse_search_filters(request.GET, choices)
    results = None
    if query:
        results = queries.search_page(
            query, request.GET.get("page"), order=order, filters=filters
        )
    response = render(
        request,
        "newsroom/search.html",
        {
            "query": query,
            "truncated": len(raw) > len(query),
            "results": results,
            "order": order,
            "filters": filters,
            **choices,
        },
    )
    return apply_cache_headers(request, response, offline_copy=False)
