"""Site and site-settings lookups served from ``core.keep`` instead of the database.

Every reader request needs the Wagtail ``Site`` for its host (with its root page)
and the site settings (publication, membership). Wagtail reads each from the
database on every request; here they are kept (this process, then the shared
cache) under the change generation, which any save or delete of a ``Site``, a
site setting or a page moves forward, so an editor's change shows on the next
request.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.http.request import split_domain_port
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import Site

from . import keep


def _host_key(request: HttpRequest) -> str:
    # Wagtail matches on the raw host (before ALLOWED_HOSTS) and the port.
    hostname = split_domain_port(request._get_raw_host())[0]
    return f"{hostname}:{request.get_port()}"


def site_for_request(request: HttpRequest) -> Site | None:
    """Return Wagtail's site for ``request`` (kept) and remember it on the request.

    The site's ``root_page`` is its specific page, so routing needs no query to
    reach it. ``Site.find_for_request`` then answers from the request.
    """
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site  # type: ignore[no-any-return]
    site = keep.get_or_build(
        f"site:{_host_key(request)}",
        lambda: _find_site(request),
        shared=True,
        # Hosts are few (ALLOWED_HOSTS), but a scan of odd Host headers must
        # not fill the cache with misses.
        keep_none=False,
    )
    request._wagtail_site = site  # type: ignore[attr-defined]
    # Wagtail reads this when it builds page URLs for the request (its own copy
    # is in the shared cache, one round trip away).
    if not hasattr(request, "_wagtail_cached_site_root_paths"):
        request._wagtail_cached_site_root_paths = keep.get_or_build(  # type: ignore[attr-defined]
            "site-root-paths", Site.get_site_root_paths
        )
    return site


def _find_site(request: HttpRequest) -> Site | None:
    site = Site._find_for_request(request)
    if site is not None:
        site.root_page = site.root_page.specific
    return site


def setting_for_request(model: type[BaseSiteSetting], request: HttpRequest) -> Any:
    """``model.for_request(request)`` with the row kept."""
    attr_name = model.get_cache_attr_name()
    if hasattr(request, attr_name):
        return getattr(request, attr_name)
    site = site_for_request(request)
    if site is None:
        raise model.DoesNotExist(f"{model.__name__} does not exist for site None.")
    instance = keep.get_or_build(
        f"setting:{model._meta.label_lower}:{site.pk}",
        lambda: model.for_site(site),
        shared=True,
    )
    instance._request = request
    setattr(request, attr_name, instance)
    return instance
