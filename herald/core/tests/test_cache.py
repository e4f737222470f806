"""The Redis cache backend: keys of one install or test run stay its own."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from herald.core.cache import HeraldRedisCache


def _redis_location() -> str:
    location = str(settings.CACHES["default"].get("LOCATION", ""))
    if not location.startswith("redis://"):
        pytest.skip("needs Redis (the PostgreSQL stage runs it with HERALD_REDIS_URL)")
    return location


def _cache(prefix: str) -> HeraldRedisCache:
    return HeraldRedisCache(_redis_location(), {"KEY_PREFIX": prefix})


def test_clearing_one_prefix_leaves_another_runs_keys_alone():
    ours, theirs = (_cache(f"t-{uuid.uuid4().hex[:8]}") for _ in range(2))
    odd = _cache(f"t*[?]-{uuid.uuid4().hex[:8]}")  # glob characters in a prefix
    try:
        ours.set("generation", 1)
        theirs.set("generation", 2)
        odd.set("generation", 3)

        ours.clear()

        assert ours.get("generation") is None
        assert theirs.get("generation") == 2
        assert odd.get("generation") == 3
        odd.clear()
        assert theirs.get("generation") == 2 and odd.get("generation") is None
    finally:
        theirs.clear()
        odd.clear()


def test_this_run_has_a_prefix_of_its_own():
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    _redis_location()
    assert prefix.startswith("herald-test-") and prefix != "herald"


def test_disconnect_closes_the_connections_and_the_next_call_reconnects():
    cache = _cache(f"t-{uuid.uuid4().hex[:8]}")
    client = cache._cache.get_client(None, write=True)
    before = client.client_id()

    cache.disconnect()

    assert client.client_id() != before  # a new connection: the old one was closed
    cache.set("generation", 1)
    assert cache.get("generation") == 1
    cache.clear()
