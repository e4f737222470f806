"""Purging the frontend cache (nginx) when a story changes: which URLs, when, how.

A local HTTP server stands in for nginx's purge server and records each PURGE
(tests/test_nginx_cache.py runs the real nginx).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from herald.distribution.providers.http_purge import NginxPurgeBackend
from herald.newsroom import actions
from herald.newsroom.models import ArticlePage
from herald.newsroom.testing import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

BACKEND = "herald.distribution.providers.http_purge.NginxPurgeBackend"


class PurgeServer(ThreadingHTTPServer):
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.purged: list[tuple[str, str, str]] = []
        super().__init__(("127.0.0.1", 0), PurgeHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class PurgeHandler(BaseHTTPRequestHandler):
    server: PurgeServer

    def do_PURGE(self) -> None:  # noqa: N802 - the HTTP method's name
        self.server.purged.append((self.command, self.headers["Host"], self.path))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def purge_server(settings):  # type: ignore[no-untyped-def]
    server = PurgeServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.BASE_URL = "https://news.example.org"
    settings.WAGTAILFRONTENDCACHE = {
        "nginx": {"BACKEND": BACKEND, "LOCATION": server.url}
    }
    yield server
    server.shutdown()
    server.server_close()


def test_publishing_purges_the_story_its_listings_and_feeds_after_commit(
    purge_server, eager_celery, django_capture_on_commit_callbacks
):
    desk = make_section("Harbour")
    author = make_author("Ada Quay", slug="ada-quay")
    story = make_article(desk, "Ferries return", authors=[author], tags=["ferries"])
    story = ArticlePage.objects.get(pk=story.pk)
    story.title = "Ferries return early"
    story.save_revision()

    with django_capture_on_commit_callbacks(execute=False) as pending:
        actions.publish_article(story)
    assert purge_server.purged == []  # nothing before the commit
    for callback in pending:
        callback()

    paths = {path for _method, _host, path in purge_server.purged}
    assert {method for method, _h, _p in purge_server.purged} == {"PURGE"}
    assert {host for _m, host, _p in purge_server.purged} == {"news.example.org"}
    assert {
        story.url,
        "/",
        desk.url,
        "/author/ada-quay/",
        "/tag/ferries/",
        "/feed/",
        "/feed/atom/",
        "/feed/json/",
        "/section/harbour/feed/",
    } <= paths


def test_unpublishing_purges_the_story(
    purge_server, eager_celery, django_capture_on_commit_callbacks
):
    story = make_article(make_section("Courts"), "Appeal heard")

    with django_capture_on_commit_callbacks(execute=True):
        actions.unpublish_article(story)

    assert story.url in {path for _m, _h, path in purge_server.purged}


def test_saving_a_draft_purges_nothing(
    purge_server, eager_celery, django_capture_on_commit_callbacks
):
    story = make_article(make_section("Weather"), "Storm due")
    purge_server.purged.clear()

    with django_capture_on_commit_callbacks(execute=True):
        story.title = "Storm due tonight"
        story.save_revision()

    assert purge_server.purged == []


def test_without_a_purge_url_nothing_is_sent(
    settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_article(make_section("Sport"), "Cup final")

    assert callbacks  # the hooks ran, and had nothing to purge with


def test_a_key_nginx_did_not_keep_and_an_unreachable_server_are_not_errors(caplog):
    missing = PurgeServer(status=404)
    thread = threading.Thread(target=missing.serve_forever, daemon=True)
    thread.start()
    try:
        NginxPurgeBackend({"LOCATION": missing.url}).purge("https://x.test/a/")
    finally:
        missing.shutdown()
        missing.server_close()
    assert missing.purged == [("PURGE", "x.test", "/a/")]
    assert "refused" not in caplog.text

    NginxPurgeBackend({"LOCATION": missing.url, "TIMEOUT": 1}).purge(
        "https://x.test/b/"
    )  # the server is gone: logged, not raised
    assert "failed" in caplog.text
