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

    All of it comes from this process's cache (``core.localcache``) after the
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
        # What the masthead marks as current; the key of its cached fragment.
        "nav_state": SimpleLazyObject(lambda: nav_state(request, nav)),
        "today": timezone.now().astimezone(tz),
    }


def nav_state(request: HttpRequest, nav: list[dict[str, Any]]) -> str:
    """The navigation links this request marks ``aria-current``, as a short key.

    The masthead marks a link "page" when it is the page shown and "true" when
    the page is inside that section, and the search link on the search page.
    """
    path = request.path
    marks = []
    for item in nav:
        if path == item["url"]:
            marks.append(f"{item['url']}=page")
        elif item["url"] in path:
            marks.append(f"{item['url']}=true")
        marks += [f"{c['url']}=page" for c in item["children"] if path == c["url"]]
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name == "search":
        marks.append("search")
    return "|".join(marks) or "-"
