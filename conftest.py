"""Test-wide setup: block the network except loopback; shared fixtures."""

from __future__ import annotations

import os
import socket
import time
import uuid

import pytest

pytest_plugins = ["tests.fakes.stripe_fixtures", "tests.fakes.mail_fixtures"]

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


@pytest.fixture(scope="session", autouse=True)
def _mail_through_the_outbox(django_test_environment):
    """Send test mail through Herald's outbox, as every real process does.

    Django's test set-up replaces EMAIL_BACKEND with its in-memory backend; put
    the outbox back. It delivers (after commit, in-process) through
    HERALD_EMAIL_PROVIDER, which the test settings set to that same in-memory
    backend, so ``django.core.mail.outbox`` still shows what was sent.
    """
    from django.conf import settings

    settings.EMAIL_BACKEND = "herald.outbox.backends.OutboxBackend"
    yield


@pytest.fixture(scope="session", autouse=True)
def _redis_key_prefix_per_run():
    """Give this test run (and each pytest-xdist worker) its own Redis key prefix.

    Two runs on one machine (another checkout, CI, a second terminal) then never
    read or clear each other's keys: ``HeraldRedisCache.clear`` removes only the
    keys under its own prefix. Celery workers that tests start inherit the
    prefix through the environment.
    """
    from django.conf import settings
    from django.test import override_settings

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    prefix = f"herald-test-{run[:12]}-{worker}"
    os.environ["HERALD_CACHE_KEY_PREFIX"] = prefix
    default = settings.CACHES["default"]
    if not str(default.get("LOCATION", "")).startswith(("redis://", "rediss://")):
        yield
        return
    caches = {**settings.CACHES, "default": {**default, "KEY_PREFIX": prefix}}
    with override_settings(CACHES=caches):
        yield
    _drop_unconsumed_task_messages(settings.CELERY_BROKER_URL)


def _drop_unconsumed_task_messages(broker_url: str) -> None:
    """Empty the default Celery queue of the test broker when the run ends.

    Without a worker (the PostgreSQL stage), tasks a test queues are never
    consumed; the cache is no longer flushed between tests, so they would pile
    up in Redis run after run. No test reads them: tests that need a task's
    effect run it in-process (``eager_celery``), and the Celery worker test uses
    a broker database of its own.
    """
    if not broker_url.startswith(("redis://", "rediss://")):
        return
    import redis

    client = redis.Redis.from_url(broker_url)
    try:
        client.delete("celery")
    finally:
        client.close()


@pytest.fixture
def eager_celery():
    """Run Celery tasks in-process for one test, whatever the broker.

    The PostgreSQL stage has a Redis broker and no worker, so a queued task
    would never run there; a test that needs a task's effect asks for this.
    """
    from herald.celery import app

    old = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache, caches

    cache.clear()
    caches["local"].clear()
    yield
    cache.clear()
    caches["local"].clear()


@pytest.fixture(autouse=True)
def _rate_limit_windows_hold_still(monkeypatch):
    """django-ratelimit counts in fixed windows of the wall clock: a test that
    makes three requests against a limit of two fails when a window ends
    between them (it did, on a loaded machine). Its clock stands still for the
    length of a test, so every count in a test falls in one window."""
    import types

    import django_ratelimit.core

    now = time.time()
    monkeypatch.setattr(
        django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: now)
    )
