"""The publication's name, address, language and time zone, as members needs them.

``PublicationSettings`` belongs to ``newsroom``, which ``members`` must not
import; it is looked up by name for the default site. Without a site (a fresh
install, some tests) the defaults below answer.
"""

from __future__ import annotations

import zoneinfo
from email.utils import formataddr, parseaddr
from typing import Any

from django.apps import apps
from django.conf import settings


def current() -> Any | None:
    """The default site's publication settings, or None."""
    try:
        from wagtail.models import Site

        model = apps.get_model("newsroom", "PublicationSettings")
    except LookupError:
        return None
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return None
    return model.for_site(site)


def name(publication: Any | None = None) -> str:
    publication = publication or current()
    if publication is not None and publication.name:
        return str(publication.name)
    return str(getattr(settings, "WAGTAIL_SITE_NAME", "Herald"))


def language(publication: Any | None = None) -> str:
    publication = publication or current()
    return str(getattr(publication, "language", "") or settings.LANGUAGE_CODE)


def time_zone(publication: Any | None = None) -> zoneinfo.ZoneInfo:
    publication = publication or current()
    try:
        return zoneinfo.ZoneInfo(getattr(publication, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def from_email(publication: Any | None = None) -> str:
    """``"Name" <address>``: the publication's name and contact address.

    The address is the publication's contact email when one is set, otherwise
    the one in ``HERALD_DEFAULT_FROM_EMAIL``.
    """
    publication = publication or current()
    address = getattr(publication, "contact_email", "") or ""
    if not address:
        address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "news@localhost"
    return formataddr((name(publication), address))
