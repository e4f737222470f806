"""Site and site-settings lookups served from the cache instead of the database.

Every reader request needs the Wagtail ``Site`` for its host (with its root page)
and the site settings (publication, membership). Wagtail reads each from the
database on every request; here they are kept in the cache and dropped whenever a
``Site``, a site setting or a site's root page is saved or deleted, so an editor's
change shows on the next request. A short time-to-live bounds any staleness left
by a write that bypasses model signals (``QuerySet.update``).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.http.request import split_domain_port
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import Page, Site

from . import localcache

SITES_KEY = "herald:sites:v1"
SETTING_KEY = "herald:site-setting:v1:{label}:{site_id}"
TTL = 300


def _host_key(request: HttpRequest) -> str:
    # Wagtail matches on the raw host (before ALLOWED_HOSTS) and the port.
    hostname = split_domain_port(request._get_raw_host())[0]
    return f"{hostname}:{request.get_port()}"


def site_for_request(request: HttpRequest) -> Site | None:
    """Return Wagtail's site for ``request`` (cached) and remember it on the request.

    The site's ``root_page`` is its specific page, so routing needs no query to
    reach it. ``Site.find_for_request`` then answers from the request.
    """
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site  # type: ignore[no-any-return]
    key = _host_key(request)
    site = localcache.get_or_build(f"site:{key}", lambda: _shared_site(request, key))
    request._wagtail_site = site  # type: ignore[attr-defined]
    # Wagtail reads this when it builds page URLs for the request (its own copy
    # is in the shared cache, one round trip away).
    if not hasattr(request, "_wagtail_cached_site_root_paths"):
        request._wagtail_cached_site_root_paths = localcache.get_or_build(  # type: ignore[attr-defined]
            "site-root-paths", Site.get_site_root_paths
        )
    return site


def _shared_site(request: HttpRequest, key: str) -> Site | None:
    sites: dict[str, Site | None] = cache.get(SITES_KEY) or {}
    if key in sites:
        site = sites[key]
    else:
        site = Site._find_for_request(request)
        if site is not None:
            root = site.root_page.specific
            site.root_page = root
        # Hosts are few (ALLOWED_HOSTS), but cap the map all the same.
        if len(sites) < 64:
            cache.set(SITES_KEY, {**sites, key: site}, TTL)
    return site


def setting_for_request(model: type[BaseSiteSetting], request: HttpRequest) -> Any:
    """``model.for_request(request)`` with the row kept in the cache."""
    attr_name = model.get_cache_attr_name()
    if hasattr(request, attr_name):
        return getattr(request, attr_name)
    site = site_for_request(request)
    if site is None:
        raise model.DoesNotExist(f"{model.__name__} does not exist for site None.")
    key = SETTING_KEY.format(label=model._meta.label_lower, site_id=site.pk)
    instance = localcache.get_or_build(key, lambda: _shared_setting(model, site, key))
    instance._request = request
    setattr(request, attr_name, instance)
    return instance


def _shared_setting(model: type[BaseSiteSetting], site: Site, key: str) -> Any:
    instance = cache.get(key)
    if instance is None:
        instance = model.for_site(site)
        cache.set(key, instance, TTL)
    return instance


def purge_sites() -> None:
    cache.delete(SITES_KEY)


def _purge_now_and_on_commit(keys: list[str]) -> None:
    # Now, for this process's next read inside the transaction; and again after
    # commit, in case another request cached the old rows in between.
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def _on_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, BaseSiteSetting):
        _purge_now_and_on_commit(
            [
                SETTING_KEY.format(
                    label=instance._meta.label_lower, site_id=instance.site_id
                )
            ]
        )
    elif isinstance(instance, Site):
        keys = [SITES_KEY]
        if instance.pk is not None:
            from django.apps import apps

            for model in apps.get_models():
                if issubclass(model, BaseSiteSetting):
                    keys.append(
                        SETTING_KEY.format(
                            label=model._meta.label_lower, site_id=instance.pk
                        )
                    )
        _purge_now_and_on_commit(keys)
    elif isinstance(instance, Page):
        # A change to a site's root page (slug, move, publish) must reach the
        # cached site. Roots usually sit at depth 2.
        sites = cache.get(SITES_KEY) or {}
        roots = {site.root_page_id for site in sites.values() if site is not None}
        if (instance.depth or 0) <= 2 or instance.pk in roots:
            _purge_now_and_on_commit([SITES_KEY])


post_save.connect(_on_change, dispatch_uid="herald-sitecache-save")
post_delete.connect(_on_change, dispatch_uid="herald-sitecache-delete")
