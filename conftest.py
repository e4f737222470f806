"""Test-wide setup: block the network except loopback; shared fixtures."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit, urlunsplit

import pytest

pytest_plugins = ["tests.fakes.stripe_fixtures"]

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address):  # type: ignore[no-untyped-def]
    host = address[0] if isinstance(address, tuple) else address
    if (
        isinstance(host, str)
        and self.family in (socket.AF_INET, socket.AF_INET6)
        and host not in ("127.0.0.1", "::1", "localhost")
        and not host.startswith("127.")
    ):
        raise OSError(f"Network access blocked in tests: {host}")
    return _real_connect(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]


def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    """Restore the migrations' rows (root page, site, groups) after each
    transactional test, whatever order the tests run in.

    A transactional test empties every table when it ends. Wagtail's root page
    and default site, and the newsroom's groups, come from data migrations, so a
    later test would find them gone, or, mixed with tests that already ask for
    ``serialized_rollback``, fail on duplicate content types. Making every
    transactional test (live_server, transaction=True) serialized avoids both.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        names = getattr(item, "fixturenames", ())
        transactional = kwargs.get("transaction") or (
            "live_server" in names or "transactional_db" in names
        )
        if transactional and not kwargs.get("serialized_rollback"):
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


def _xdist_worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ...
    return int(worker[2:]) if worker[2:].isdigit() else 0


def _shift_redis_db(url: str, by: int) -> str:
    parts = urlsplit(url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db + by) % 16}"))


@pytest.fixture(scope="session", autouse=True)
def _redis_db_per_xdist_worker():
    """Give each pytest-xdist worker its own Redis database.

    ``cache.clear()`` flushes a whole Redis database, so two workers sharing one
    would wipe each other's rate-limit counters and cached pages mid-test.
    """
    from django.conf import settings
    from django.test import override_settings

    index = _xdist_worker_index()
    default = settings.CACHES["default"]
    location = str(default.get("LOCATION", ""))
    if not index or not location.startswith(("redis://", "rediss://")):
        yield
        return
    caches = {
        **settings.CACHES,
        "default": {**default, "LOCATION": _shift_redis_db(location, index)},
    }
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache, caches

    cache.clear()
    caches["local"].clear()
    yield
    cache.clear()
    caches["local"].clear()
