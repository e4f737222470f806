"""Site chrome for every template: publication, navigation, today's date, breaking."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from . import queries
from .models import PublicationSettings


def site_chrome(request: HttpRequest) -> dict[str, Any]:
    def publication() -> PublicationSettings | None:
        try:
            return PublicationSettings.for_request(request)
        except Exception:  # no site configured yet (fresh install, error pages)
            return None

    pub = SimpleLazyObject(publication)
    chrome = SimpleLazyObject(queries.site_chrome_items)

    return {
        "publication": pub,
        # One cache round trip for both (queries.site_chrome_items).
        "nav_sections": SimpleLazyObject(lambda: chrome[0]),
        "breaking_news": SimpleLazyObject(lambda: chrome[1]),
        "today": SimpleLazyObject(
            lambda: timezone.now().astimezone(
                pub.tzinfo if pub else timezone.get_current_timezone()
            )
        ),
    }
