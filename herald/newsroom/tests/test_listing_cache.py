"""Listings kept per process (core.keep) still show every change at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches

from herald.newsroom.testing import make_article, make_section, now

pytestmark = pytest.mark.django_db


def html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_story_reaches_a_cached_front_page(client):
    world = make_section("World")
    make_article(world, "The first story")
    assert "The first story" in html(client, "/")
    make_article(world, "A story published since")
    assert "A story published since" in html(client, "/")


def test_a_cached_section_page_follows_an_edit(client):
    world = make_section("World")
    article = make_article(world, "An early headline")
    assert "An early headline" in html(client, "/world/")
    article.title = "A corrected headline"
    article.save_revision().publish()
    page = html(client, "/world/")
    assert "A corrected headline" in page and "An early headline" not in page


def test_each_page_of_a_section_is_kept_apart(client, settings):
    settings.HERALD_PAGE_SIZE = 2
    world = make_section("World")
    for i in range(4):
        make_article(
            world, f"Story number {i}", published_at=now() - timedelta(hours=i)
        )
    first, second = html(client, "/world/"), html(client, "/world/?page=2")
    assert "Story number 0" in first and "Story number 0" not in second
    assert "Story number 3" in second and "Story number 3" not in first


def test_odd_query_strings_are_answered_but_not_kept(client):
    world = make_section("World")
    make_article(world, "A story")
    local = caches["local"]
    html(client, "/world/")
    html(client, "/world/?page=abc")  # the first visit also makes the settings rows
    kept = len(local._cache)
    for junk in ("?utm_source=x", "?page=2&x=1", "?page=" + "9" * 50, "?a=1", "?b=2"):
        assert "A story" in html(client, "/world/" + junk)
    assert len(local._cache) == kept


def test_signed_in_readers_do_not_get_the_anonymous_front_page(client):
    world = make_section("World")
    make_article(world, "A story")
    anonymous = html(client, "/")
    assert "Become a member" in anonymous
    user = get_user_model().objects.create_user(email="reader@example.org")
    client.force_login(user)
    signed_in = html(client, "/")
    assert "Become a member" not in signed_in
    assert "A story" in signed_in
