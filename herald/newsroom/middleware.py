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


ADMIN_PREFIX = "/admin/"


class NewsroomTimeZoneMiddleware:
    """Give newsroom accounts the publication's time zone in the admin by default.

    Wagtail shows and reads admin dates in the account's own time zone
    (``UserProfile.current_time_zone``, "Account → Preferences") and falls back
    to the server's (``TIME_ZONE``, UTC). An editor in Amsterdam whose
    publication runs on Amsterdam time would then schedule "17:00" for 18:00.
    Here an account that chose no zone of its own works in the publication's.
    Nothing is saved: a later change of the publication's zone applies to every
    such account at once. Placed after AuthenticationMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(ADMIN_PREFIX):
            apply_publication_time_zone(request)
        return self.get_response(request)


def publication_time_zone_name(request: HttpRequest) -> str:
    """The time zone the request's publication keeps (its settings), else UTC."""
    try:
        publication = PublicationSettings.for_request(request)
    except Exception:  # no site yet (fresh install): the server's zone
        return "UTC"
    return publication.tzinfo.key


def apply_publication_time_zone(request: HttpRequest) -> None:
    """Make an account without a zone of its own read the publication's (in memory)."""
    from wagtail.users.models import UserProfile

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    try:
        profile = user.wagtail_userprofile
    except UserProfile.DoesNotExist:
        # Not saved here: Wagtail creates the row when the account first
        # changes a preference.
        profile = UserProfile(user=user)
        user.wagtail_userprofile = profile
    if profile.current_time_zone:
        return
    zone = publication_time_zone_name(request)
    # Only the answer Wagtail asks for changes; the stored (empty) choice and
    # the preferences form stay as they are.
    profile.get_current_time_zone = lambda: zone
