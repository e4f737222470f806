"""``{% load distribution %}``: the distribution part of every reader page's head."""

from __future__ import annotations

from typing import Any

from django import template

from .. import queries
from ..head import head_for

register = template.Library()


@register.inclusion_tag("distribution/head.html", takes_context=True)
def distribution_head(context: Any) -> dict[str, Any]:
    """Canonical, robots, feed and oEmbed discovery, social meta and JSON-LD."""
    request = context.get("request")
    if request is None:  # the bare 500 page: no site lookup when things are down
        return {"head": None}
    return {
        "head": head_for(context),
        "csp_nonce": getattr(request, "csp_nonce", "") if request else "",
    }


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
