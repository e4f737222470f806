"""The masthead marks the right link as current, whatever page was shown before.

The masthead is kept (``core.keep``) per set of marked links; a kept masthead
must never carry another page's marks (wrong ``aria-current`` for screen readers).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from herald.newsroom.testing import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


def marks(html: str) -> dict[str, str]:
    """Link text → aria-current value, in the masthead's main navigation row."""
    row = re.search(r'<ul class="nav-row".*?</ul>', html, re.S)
    assert row, "no navigation row"
    found = {}
    for attrs, text in re.findall(r"<a ([^>]*)>([^<]*)</a>", row.group(0)):
        current = re.search(r'aria-current="([^"]+)"', attrs)
        found[text.strip()] = current.group(1) if current else ""
    return found


@pytest.fixture
def site():
    world = make_section("World")
    author = make_author("Lea Morvan")
    article = make_article(world, authors=[author], tags=["harbour"])
    member = get_user_model().objects.create_user("masthead@example.org")
    return {"world": world, "article": article, "author": author, "member": member}


@pytest.mark.parametrize("front_first", [True, False])
def test_front_page_link_is_current_only_on_the_front_page(site, front_first):
    client = Client()
    others = [f"/author/{site['author'].slug}/", "/tag/harbour/", "/search/"]
    order = ["/", *others] if front_first else [*others, "/"]
    seen = {url: marks(client.get(url).content.decode()) for url in order}

    assert seen["/"]["Front page"] == "page"
    for url in others:
        assert seen[url]["Front page"] == "", url
        assert seen[url]["World"] == "", url


def test_sections_are_marked_on_their_page_and_inside_them(site):
    client = Client()
    client.get("/")
    section = marks(client.get(site["world"].url).content.decode())
    article = marks(client.get(site["article"].url).content.decode())

    assert section["World"] == "page" and section["Front page"] == ""
    assert article["World"] == "true" and article["Front page"] == ""


def test_account_page_marks_no_navigation_link(site):
    client = Client()
    client.get("/")  # a kept masthead with the front page marked
    client.force_login(site["member"])
    account = marks(client.get("/account/").content.decode())

    assert set(account.values()) == {""}
