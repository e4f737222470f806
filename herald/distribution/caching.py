"""Version counters for the distribution caches (bumping one drops its entries)."""

from __future__ import annotations

from django.core.cache import cache

FEED_VERSION_KEY = "herald:dist:feeds:version"
SITE_VERSION_KEY = "herald:dist:site:version"
FEED_TTL = 60 * 10
SITE_TTL = 60 * 60


def _version(key: str) -> int:
    value = cache.get(key)
    if value is None:
        value = 1
        cache.add(key, value, None)
    return int(value)


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 2, None)


def feed_version() -> int:
    """Current generation of cached feeds (bumped on publish, update, unpublish)."""
    return _version(FEED_VERSION_KEY)


def bump_feed_version() -> None:
    _bump(FEED_VERSION_KEY)


def site_version() -> int:
    return _version(SITE_VERSION_KEY)


def bump_site_version() -> None:
    _bump(SITE_VERSION_KEY)
    _bump(FEED_VERSION_KEY)
