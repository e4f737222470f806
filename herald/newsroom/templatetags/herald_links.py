"""``safe_link``: settings links reach an href only as http(s) URLs or site paths."""

from __future__ import annotations

from django import template

from herald.core.links import safe_link as _safe_link

register = template.Library()


@register.filter
def safe_link(value: object) -> str:
    """Drop a link with any other scheme (rows saved before validation existed)."""
    return _safe_link(value)
