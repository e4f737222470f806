"""Site chrome for every template: publication, navigation, today's date, breaking."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from . import queries
from .models import PublicationSettings


def site_chrome(request: HttpRequest) -> dict[str, Any]:
    """Publication, navigation, breaking news and today's date for every template.

    All of it comes from this process's cache (``core.keep``) after the
    first request, so it is read eagerly: lazy wrappers cost more, in attribute
    lookups, than the values do.
    """
    try:
        publication: PublicationSettings | None = PublicationSettings.for_request(
            request
        )
    except Exception:  # no site configured yet (fresh install, error pages)
        publication = None
    nav, breaking = queries.site_chrome_items()
    tz = publication.tzinfo if publication else timezone.get_current_timezone()
    return {
        "publication": publication,
        "nav_sections": nav,
        "breaking_news": breaking,
        # What the masthead marks as current; its key names the kept masthead.
        "nav_current": SimpleLazyObject(lambda: NavCurrent(request, nav)),
        "today": timezone.now().astimezone(tz),
    }


class NavCurrent:
    """The navigation links a page marks ``aria-current``, and a key naming them.

    A link is marked "page" on the page it leads to and "true" on pages inside
    its section; the front page link only on the front page; the search link on
    the search page. The masthead is kept per ``key``, so two pages share a kept
    masthead only when they mark the same links.
    """

    def __init__(self, request: HttpRequest, nav: list[dict[str, Any]]) -> None:
        path = request.path
        match = getattr(request, "resolver_match", None)
        self.home = "page" if path == "/" else ""
        self.search = match is not None and match.view_name == "newsroom:search"
        self.items: list[dict[str, Any]] = []
        marks = [f"home={self.home}"] if self.home else []
        for item in nav:
            current = _mark(path, item["url"])
            children = [
                {**c, "current": _mark(path, c["url"])} for c in item["children"]
            ]
            self.items.append({**item, "current": current, "children": children})
            marks += [f"{x['url']}={x['current']}" for x in [self.items[-1], *children]]
        marks = [m for m in marks if not m.endswith("=")]
        if self.search:
            marks.append("search")
        self.key = "|".join(marks) or "-"


def _mark(path: str, url: str) -> str:
    if path == url:
        return "page"
    return "true" if url != "/" and path.startswith(url) else ""
