"""Comment counts on story lists: one query per list, never per card, and a
new comment shows in the count of a kept (anonymous) listing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from herald.newsroom.testing import home_page, make_article, make_section
from herald.reactions import actions
from herald.reactions.models import Comment

from .test_moderation import config

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    client.get(url)  # warm the per-process caches (settings rows made on
    client.get(url)  # first use move the generation once)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    return len(captured), html


def test_counts_on_a_section_list_cost_no_query_per_card(
    member_client, member, other_member
):
    # given a section with three stories, two with comments
    section = make_section("Harbour", parent=home_page())
    stories = [make_article(section, f"Story number {i}") for i in range(3)]
    for story, n in zip(stories, (2, 1, 0), strict=True):
        Comment.objects.bulk_create(
            Comment(article=story, author=member, text="x", html="", state="published")
            for _ in range(n)
        )
    Comment.objects.create(  # a held one is not counted
        article=stories[0], author=other_member, text="h", html="", state="pending"
    )
    few, html = queries_for(member_client, section.url)
    assert "2 comments" in html and "1 comment<" in html
    # when the section has three times as many stories, with comments
    for i in range(6):
        story = make_article(section, f"More story {i}")
        Comment.objects.create(
            article=story, author=member, text="x", html="", state="published"
        )
    many, html = queries_for(member_client, section.url)
    # then the page makes the same number of queries
    assert html.count("1 comment<") == 7
    assert many == few


def test_a_kept_front_page_shows_a_new_comment_in_its_count(anon_client, member):
    section = make_section("Harbour", parent=home_page())
    story = make_article(section, "Ferry strike ends")
    anon_client.get("/")
    assert "card-comments" not in anon_client.get("/").content.decode()
    actions.post_comment(
        story,
        author=member,
        text="Finally",
        config=config(premoderate_first_comment=False),
    )
    assert "1 comment<" in anon_client.get("/").content.decode()
