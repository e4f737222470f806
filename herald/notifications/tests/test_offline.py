"""What a reader's device may keep offline: the ``Herald-Offline`` header.

The service worker (``sw.js``) stores a page only when this header says
``keep``, and deletes stored pages when ``reader`` or ``access`` change; the
browser test (tests/e2e/test_push_notifications.py) checks the worker's side.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from herald.core.keep import offline
from herald.members.access import Reader
from herald.members.models import AccessLevel, User
from herald.newsroom.testing import home_page, make_article, make_section

pytestmark = pytest.mark.django_db


def mark(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The header as a dict: {"reader": ..., "keep": "", "access": ...}."""
    value = response.get(offline.HEADER)
    assert value, "no Herald-Offline header"
    parts = [p.strip().split("=", 1) for p in value.split(",")]
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


@pytest.fixture
def desk():
    return make_section("Harbour")


def story(desk, level):  # type: ignore[no-untyped-def]
    return make_article(
        desk,
        f"A {level} story",
        paragraphs=["Open text.", "Closed text FULLTEXT."],
        paywall_after=1,
        access_level=level,
    )


def member(email: str = "reader@example.org") -> Client:
    client = Client()
    client.force_login(User.objects.create_user(email))
    return client


def test_an_anonymous_readers_public_page_may_be_kept_as_anonymous(desk):
    response = Client().get(story(desk, AccessLevel.PUBLIC).url)

    got = mark(response)
    assert got["reader"] == "anonymous"
    assert "keep" in got
    assert got["access"]


def test_a_page_with_a_paywall_is_never_kept_for_anyone(desk):
    paid = story(desk, AccessLevel.PAID)
    for client in (Client(), member()):
        response = client.get(paid.url)
        assert "FULLTEXT" not in response.content.decode()
        assert "keep" not in mark(response)


def test_a_member_may_keep_what_they_may_read_and_nothing_of_the_account(desk):
    client = member()
    gated = story(desk, AccessLevel.MEMBERS)

    response = client.get(gated.url)
    assert "FULLTEXT" in response.content.decode()
    assert "private" in response["Cache-Control"]
    got = mark(response)
    assert got["reader"].startswith("m-") and "keep" in got
    assert got["access"]
    # a listing is kept too (no gated text in it); the account page is not
    assert "keep" in mark(client.get(home_page().url))
    account = client.get("/account/")
    assert account.status_code == 200
    assert "keep" not in mark(account)
    assert mark(account)["reader"] == got["reader"]


def test_reader_ids_differ_per_member_and_hold_across_pages(desk):
    url = story(desk, AccessLevel.MEMBERS).url
    rita = member("rita@example.org")
    first = mark(rita.get(url))["reader"]
    omar = mark(member("omar@example.org").get(url))["reader"]
    assert first != omar
    assert mark(rita.get(home_page().url))["reader"] == first
    # a keyed hash: no address in it
    assert re.fullmatch(r"m-[0-9a-f]{16}", first)


def test_the_access_id_changes_with_what_the_gate_knows():
    free = Reader(is_authenticated=True)
    paid = Reader(is_authenticated=True, has_paid=True)
    gold = Reader(is_authenticated=True, has_paid=True, tier_ids=frozenset({3}))
    ids = {offline.access_id(r) for r in (free, paid, gold, Reader())}
    assert len(ids) == 4
    assert offline.access_id(paid) == offline.access_id(
        Reader(is_authenticated=True, has_paid=True)
    )


def test_search_results_and_the_offline_page_are_never_kept(desk):
    story(desk, AccessLevel.PUBLIC)
    assert "keep" not in mark(Client().get("/search/?q=story"))
    offline_page = Client().get("/notifications/offline/")
    assert "public" in offline_page["Cache-Control"]
    assert "keep" not in mark(offline_page)


def test_signing_out_clears_the_device_and_the_next_page_is_anonymous(desk):
    client = member()
    url = story(desk, AccessLevel.MEMBERS).url
    assert mark(client.get(url))["reader"].startswith("m-")

    response = client.post("/account/signout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache"'

    after = client.get(url)
    assert mark(after)["reader"] == "anonymous"
    assert "FULLTEXT" not in after.content.decode()
    assert "keep" not in mark(after)  # a members' story: the paywall again
    # an ordinary page says nothing of clearing
    assert "Clear-Site-Data" not in after


def test_a_page_that_sets_a_cookie_is_not_kept_for_an_anonymous_reader(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    request = rf.get("/")
    request.user = AnonymousUser()
    response = HttpResponse("page", content_type="text/html")
    response["Cache-Control"] = "public, max-age=60"
    response.set_cookie("csrftoken", "abc")
    assert "keep" not in offline.mark(request, response)[offline.HEADER]
    # a preview or an answer other than a page gets no header at all
    request.is_preview = True
    assert offline.HEADER not in offline.mark(request, HttpResponse("p"))
