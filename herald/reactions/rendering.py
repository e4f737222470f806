"""Comment text to safe HTML: plain text, links, *emphasis*, **strong**, nh3."""

from __future__ import annotations

import re

import nh3
from django.utils.html import escape

MAX_LENGTH = 3000

_URL = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_STRONG = re.compile(r"\*\*(\S(?:.*?\S)?)\*\*")
_EM = re.compile(r"(?<![*\w])\*(\S(?:.*?\S)?)\*(?![*\w])")


def _link(match: re.Match[str]) -> str:
    url = match.group(0).rstrip(".,;:!?)")
    rest = match.group(0)[len(url) :]
    return f'<a href="{url}">{url}</a>{rest}'


def render_comment(text: str) -> str:
    """Escape everything, then add only links, emphasis and paragraphs; nh3 last."""
    html_paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        escaped = escape(paragraph)
        escaped = _URL.sub(_link, escaped)
        escaped = _STRONG.sub(r"<strong>\1</strong>", escaped)
        escaped = _EM.sub(r"<em>\1</em>", escaped)
        html_paragraphs.append("<p>" + escaped.replace("\n", "<br>") + "</p>")
    return nh3.clean(
        "".join(html_paragraphs),
        tags={"p", "br", "a", "em", "strong"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="nofollow ugc noopener",
    )
