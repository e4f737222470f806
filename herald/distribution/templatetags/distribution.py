"""``{% load distribution %}``: the distribution part of every reader page's head."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from herald.core import keep
from herald.newsroom.models import ArticlePage, HomePage, SectionPage
from herald.newsroom.queries import listing_variant

from .. import queries
from ..head import head_for

register = template.Library()


# Stands for the response's CSP nonce in a head kept for later requests (a
# private-use character: never in our output, and PostgreSQL text holds no NUL).
NONCE_MARK = "\ue000herald-nonce\ue000"


@register.simple_tag(takes_context=True)
def distribution_head(context: Any) -> SafeString:
    """Canonical, robots, feed and oEmbed discovery, social meta and JSON-LD.

    A live article's head depends on nothing but the article and the site, so
    ``core.keep`` keeps it for the live revision, per host and language, with a
    mark in place of the nonce that each response fills in.
    """
    request = context.get("request")
    if request is None:  # the bare 500 page: no site lookup when things are down
        return mark_safe("")
    nonce = str(getattr(request, "csp_nonce", ""))
    key = _head_key(context, request)
    if key is None:
        return _render_head(context, nonce)
    page = context.get("article")
    html = keep.get_or_build(
        key,
        lambda: str(_render_head(context, NONCE_MARK)),
        shared=True,
        # An article's head is also kept in the database with its revision.
        page=page if isinstance(page, ArticlePage) else None,
    )
    return mark_safe(html.replace(NONCE_MARK, nonce))  # noqa: S308 - our template


def _render_head(context: Any, nonce: str) -> SafeString:
    return render_to_string(
        "distribution/head.html", {"head": head_for(context), "csp_nonce": nonce}
    )


def head_vary(request: Any, page: Any = None) -> tuple[Any, ...]:
    """What an article's kept head varies by besides its revision: the host."""
    return (request.get_host(),)


def _head_key(context: Any, request: Any) -> str | None:
    """The cache key of this page's head, or None when it must not be kept.

    Kept: live articles (per revision), the home page and sections (per page
    number, as ``queries.listing_variant`` allows). Never: previews, drafts,
    other pages.
    """
    page = context.get("article") or context.get("page")
    if isinstance(page, ArticlePage):
        if not page.first_published_at:
            return None
        return keep.kept_rendering("dist-head", request, page, *head_vary(request))
    if isinstance(page, (HomePage, SectionPage)):
        variant = listing_variant(request)
        if not variant:
            return None
        return keep.kept_rendering(
            "dist-head", request, page, request.get_host(), variant
        )
    return None


@register.inclusion_tag("distribution/account_private_feed.html", takes_context=True)
def private_feed_panel(context: Any) -> dict[str, Any]:
    """The account-page panel showing, rotating and revoking the private feed URL."""
    request = context.get("request")
    user = getattr(request, "user", None)
    token = queries.active_feed_token(user)
    site = queries.site_info(request)
    urls = {}
    if token is not None:
        from django.urls import reverse

        secret = queries.feed_token_string(token)
        urls = {
            fmt: site.absolute(reverse(f"distribution:private_{fmt}", args=[secret]))
            for fmt in ("rss", "atom", "json")
        }
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "has_token": token is not None,
        "feed_urls": urls,
        "next": request.get_full_path() if request else "/account/",
    }
