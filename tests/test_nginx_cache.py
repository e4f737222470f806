"""nginx's page cache in front of Herald, for real (docs/deploy/nginx.conf).

nginx runs as a child process with the shipped site config (rendered for the
loopback by tools/nginx_local.py) in front of pytest-django's live server.
Privileged readers (an editor's *View draft*, a member, a metered reader) read
first; anonymous readers then read through the same nginx, and must never be
handed what the privileged readers were shown. Publishing a new revision,
adding a correction and unpublishing purge the kept page at once.

Skipped only when nginx or Debian's purge module is not installed
(`make nginx` installs both; `make test` runs it).
"""

from __future__ import annotations

import importlib.util
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from wagtail.models import Site

from herald.members.models import AccessLevel, MembershipSettings, User
from herald.newsroom import actions
from herald.newsroom.models import ArticlePage, Correction
from herald.newsroom.testing import make_article, make_section

ROOT = Path(__file__).resolve().parents[1]


def _load_nginx_local():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "herald_tools_nginx_local", ROOT / "tools" / "nginx_local.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


nginx_local = _load_nginx_local()

pytestmark = pytest.mark.django_db(transaction=True)

PURGE_BACKEND = "herald.distribution.providers.http_purge.NginxPurgeBackend"


@pytest.fixture
def nginx(live_server, settings, tmp_path, eager_celery):  # type: ignore[no-untyped-def]
    why = nginx_local.missing()
    if why:
        pytest.skip(f"{why}; `make nginx` installs it")
    server = nginx_local.LocalNginx(
        tmp_path / "nginx",
        upstream=live_server.url.split("://", 1)[1],
        static_root=Path(settings.STATIC_ROOT).resolve(),
    )
    # Herald's absolute URLs (and so its purges) name the host readers use.
    settings.BASE_URL = server.url
    settings.WAGTAILFRONTENDCACHE = {
        "nginx": {"BACKEND": PURGE_BACKEND, "LOCATION": server.purge_url}
    }
    with server:
        yield server


class Answer:
    def __init__(self, status: int, headers: object, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.text = body.decode("utf-8", "replace")

    @property
    def cache(self) -> str:
        return self.headers.get("X-Cache-Status", "")  # type: ignore[attr-defined]

    @property
    def control(self) -> str:
        return self.headers.get("Cache-Control", "")  # type: ignore[attr-defined]


def read(nginx, path: str, cookie: str = "") -> Answer:  # type: ignore[no-untyped-def]
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(nginx.url + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.headers, exc.read())


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def test_privileged_reads_first_then_anonymous_reads_get_none_of_it(nginx):
    # given a live story with an unpublished draft, and a members-only story
    desk = make_section("Harbour")
    story = make_article(
        desk, "Ferries return", paragraphs=["The ferries came back on Monday."]
    )
    draft = ArticlePage.objects.get(pk=story.pk)
    draft.title = "Ferries return DRAFTHEADLINE"
    draft.save_revision()
    gated = make_article(
        desk,
        "Dock wages",
        paragraphs=["Wages at the dock rose.", "MEMBERSONLYTEXT in the ledger."],
        paywall_after=1,
        access_level=AccessLevel.MEMBERS,
    )
    editor = User.objects.create_superuser("editor@example.org", "a-long-password-1")
    member = User.objects.create_user("reader@example.org")

    # when an editor views the draft and the live page, and a member reads the
    # gated story, all through nginx
    staff = session_cookie(editor)
    preview = read(nginx, f"/admin/pages/{story.pk}/view_draft/", staff)
    assert preview.status == 200
    assert "DRAFTHEADLINE" in preview.text
    as_staff = read(nginx, story.url, staff)
    as_member = read(nginx, gated.url, session_cookie(member))
    assert "MEMBERSONLYTEXT" in as_member.text
    for answer in (preview, as_staff, as_member):
        assert answer.cache == "BYPASS"
        assert "private" in answer.control

    # then anonymous readers get the live, public page, kept from their second read
    first, again = read(nginx, story.url), read(nginx, story.url)
    assert (first.cache, again.cache) == ("MISS", "HIT")
    gated_first, gated_again = read(nginx, gated.url), read(nginx, gated.url)
    for answer in (first, again, gated_first, gated_again):
        assert answer.status == 200
        assert "DRAFTHEADLINE" not in answer.text
        assert "MEMBERSONLYTEXT" not in answer.text
    assert "public" in again.control
    # (the gated page's sign-up box sets the reader's CSRF cookie: private, so
    # each anonymous reader gets a page of their own, never a kept one)
    assert "private" in gated_first.control
    assert gated_again.cache == "MISS"
    assert "Ferries return" in again.text
    assert "Wages at the dock rose." in gated_again.text
    # and the home page is kept too, without the draft
    home = [read(nginx, "/") for _ in range(2)]
    assert [h.cache for h in home] == ["MISS", "HIT"]
    assert "DRAFTHEADLINE" not in home[1].text


def test_a_metered_read_is_never_kept_for_the_next_reader(nginx):
    # given metering on and a members-only story
    MembershipSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"metering_enabled": True, "metered_articles": 3},
    )
    story = make_article(
        make_section("Courts"),
        "Appeal heard",
        paragraphs=["The appeal was heard.", "METEREDTEXT from the bench."],
        paywall_after=1,
        access_level=AccessLevel.MEMBERS,
    )

    # when a reader without an account reads it on the meter, then again with
    # the meter's cookie
    metered = read(nginx, story.url)
    assert "METEREDTEXT" in metered.text
    cookie = metered.headers.get("Set-Cookie", "").split(";", 1)[0]
    assert cookie.startswith("herald_meter=")
    with_cookie = read(nginx, story.url, cookie)

    # then neither answer was kept: each was made for that reader
    assert "METEREDTEXT" in with_cookie.text
    assert "private" in metered.control
    assert with_cookie.cache == "BYPASS"
    later = read(nginx, story.url)
    assert later.cache != "HIT"
    assert "private" in later.control
    # and the reader's other pages are never answered from the cache
    assert read(nginx, "/", cookie).cache == "BYPASS"


def test_publishing_a_revision_a_correction_and_unpublishing_purge_the_page(nginx):
    # given a story and the pages that show it, each kept by nginx
    desk = make_section("Weather")
    story = make_article(
        desk, "Storm due", paragraphs=["A storm is due on the coast tonight."]
    )
    pages = [story.url, "/", desk.url, "/feed/"]
    for path in pages:
        assert [read(nginx, path).cache for _ in range(2)] == ["MISS", "HIT"]

    # when the desk publishes a new revision
    story = ArticlePage.objects.get(pk=story.pk)
    story.title = "Storm arrives early"
    story.save_revision()
    actions.publish_article(story)

    # then the next anonymous read of each page is made afresh and shows it
    for path in pages:
        answer = read(nginx, path)
        assert answer.cache == "MISS", path
        assert "Storm arrives early" in answer.text, path
    assert read(nginx, story.url).cache == "HIT"

    # when a correction is added
    story = ArticlePage.objects.get(pk=story.pk)
    story.corrections.add(Correction(text="CORRECTIONTEXT: the time was wrong."))
    story.save_revision()
    actions.publish_article(story)

    # then the next anonymous read shows it
    corrected = read(nginx, story.url)
    assert corrected.cache == "MISS"
    assert "CORRECTIONTEXT" in corrected.text

    # when the story is unpublished
    actions.unpublish_article(ArticlePage.objects.get(pk=story.pk))

    # then it is gone for anonymous readers at once, and from the listings
    gone = read(nginx, story.url)
    assert gone.status == 404
    assert "Storm arrives early" not in read(nginx, "/").text
    assert "Storm arrives early" not in read(nginx, "/feed/").text
