"""Warming reader pages in gunicorn's master before it forks (herald.core.prefork)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.cache import caches
from django.core.wsgi import get_wsgi_application
from django.db import OperationalError, connection

from herald.core import prefork


@pytest.fixture
def article(transactional_db):
    from herald.newsroom.testing import (
        ensure_tree_roots,
        home_page,
        make_article,
        make_section,
        set_publication,
    )

    ensure_tree_roots()
    home_page()
    set_publication(name="The Harbour Herald", language="en")
    return make_article(
        make_section("World"),
        "Harbour reopens after the storm",
        paragraphs=["The harbour reopened today."],
    )


@contextmanager
def warnings_logged() -> Iterator[list[str]]:
    # Herald's loggers do not propagate to the root logger (settings.LOGGING).
    logged: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: logged.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("herald.core.prefork")
    logger.addHandler(handler)
    try:
        yield logged
    finally:
        logger.removeHandler(handler)


def test_warming_serves_the_pages_then_keeps_nothing_a_worker_would_inherit(article):
    # given: the application as gunicorn's master loads it
    application = get_wsgi_application()
    paths = ["/", "/feed/", article.get_url()]

    # when: the master warms it before forking
    served = prefork.warm(application, lambda: paths)

    # then: every page was served, as to an anonymous reader
    assert served == dict.fromkeys(paths, "200 OK")
    # and no kept copy or connection of the master's is left for the workers
    assert len(caches["local"]._cache) == 0
    assert connection.connection is None or connection.is_in_memory_db()


def test_a_page_that_fails_is_named_and_the_others_still_warm(article):
    application = get_wsgi_application()

    with warnings_logged() as logged:
        served = prefork.warm(application, lambda: ["/no-such-page/", "/"])

    assert served["/no-such-page/"].startswith("404")
    assert served["/"] == "200 OK"
    assert logged == ["warming /no-such-page/ before forking answered 404 Not Found"]


def test_a_database_not_reachable_yet_skips_warming_without_stopping_the_server():
    def paths() -> list[str]:
        raise OperationalError("could not connect to server")

    application = get_wsgi_application()  # (sets logging up again: first)
    with warnings_logged() as logged:
        served = prefork.warm(application, paths)

    assert served == {}
    assert len(logged) == 1
    assert "skipped warming" in logged[0] and "could not connect" in logged[0]
