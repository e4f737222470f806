"""The sign-up boxes on kept pages stay reader-neutral: public, no token, no reader."""

from __future__ import annotations

import pytest
from django.test import Client

from herald.newsroom.testing import make_article, make_section, set_publication

pytestmark = pytest.mark.django_db


def test_an_article_with_sign_up_boxes_stays_public_after_a_member_read(
    morning, member
):
    # given an article, read first by a signed-in member
    set_publication(newsletter_url="")
    article = make_article(make_section("City"), "Tram line opens at last")
    signed_in = Client()
    signed_in.force_login(member)
    first = signed_in.get(article.url)
    assert first.status_code == 200
    assert "private" in first["Cache-Control"]

    # when an anonymous reader opens it
    response = Client().get(article.url)
    page = response.content.decode()

    # then it is public, carries the GET boxes and nothing of the member or a token
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert 'action="/newsletters/" class="inline-signup"' in page
    assert 'id="story-signup-email"' in page and 'id="footer-signup-email"' in page
    assert "csrfmiddlewaretoken" not in page
    assert member.email not in page and "Your account" not in page
    assert "csrftoken" not in response.cookies


def test_an_off_site_newsletter_link_still_wins(morning):
    set_publication(newsletter_url="https://lists.example.org/join")
    page = Client().get("/").content.decode()
    assert 'href="https://lists.example.org/join">Subscribe<' in page
    assert "inline-signup" not in page
