"""Speak the publication's language and keep its time on reader pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from .models import PublicationSettings

# The admin keeps each editor's own language (Wagtail's account preferences).
SKIP_PREFIXES = ("/admin/", "/django-admin/", "/static/", "/media/")


class PublicationLocaleMiddleware:
    """Activate the language and time zone set in PublicationSettings.

    Placed after LocaleMiddleware so it wins over Accept-Language: a publication
    in Arabic is served in Arabic (and right to left) to every reader. Dates in
    templates then show in the publication's time zone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(SKIP_PREFIXES):
            return self.get_response(request)
        try:
            publication = PublicationSettings.for_request(request)
        except Exception:  # no site yet (fresh install): keep the defaults
            publication = None
        if publication is None:
            return self.get_response(request)
        translation.activate(publication.language or "en")
        request.LANGUAGE_CODE = translation.get_language()
        timezone.activate(publication.tzinfo)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
