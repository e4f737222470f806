"""``safe_link``: settings links reach an href only as http(s) URLs or site paths."""

from __future__ import annotations

from django import template

from herald.core.links import safe_link as _safe_link

register = template.Library()


@register.filter
def safe_link(value: object) -> str:
    """Drop a link with any other scheme (rows saved before validation existed)."""
    return _safe_link(value)


@register.simple_tag
def footer_page_links(publication: object) -> list[tuple[str, str]]:
    """The footer's About … Contact links: each setting's link, else its page."""
    from herald.newsroom.queries import footer_page_links as links

    return links(publication)
