"""Queries: listings, the body gate, navigation and pagination."""

from datetime import timedelta

import pytest
from django.utils import timezone

from herald.members.access import ANONYMOUS, Reader
from herald.members.models import AccessLevel
from herald.newsroom import queries
from herald.newsroom.testing import (
    home_page,
    make_article,
    make_section,
)

CANARY = "canary-7f3a-gated-sentence"


@pytest.fixture
def world(db):
    return make_section("World")


def test_live_articles_are_newest_first_and_skip_drafts(world):
    now = timezone.now()
    old = make_article(world, "Old", published_at=now - timedelta(days=2))
    new = make_article(world, "New", published_at=now - timedelta(hours=1))
    make_article(world, "Draft", publish=False)

    assert [a.title for a in queries.live_articles()] == [new.title, old.title]


def test_under_includes_sub_sections_but_not_siblings(world):
    asia = make_section("Asia", parent=world)
    sport = make_section("Sport")
    in_asia = make_article(asia, "In Asia")
    in_world = make_article(world, "In World")
    make_article(sport, "Elsewhere")

    assert {a.pk for a in queries.under(world)} == {in_asia.pk, in_world.pk}


def test_cards_attach_each_articles_own_section(world):
    asia = make_section("Asia", parent=world)
    make_article(asia, "In Asia")
    make_article(world, "In World")

    cards = queries.cards(queries.live_articles())

    assert {a.title: a.card_section.title for a in cards} == {
        "In Asia": "Asia",
        "In World": "World",
    }


@pytest.mark.parametrize(
    ("level", "reader", "expected"),
    [
        (AccessLevel.PUBLIC, ANONYMOUS, True),
        (AccessLevel.MEMBERS, ANONYMOUS, False),
        (AccessLevel.MEMBERS, Reader(is_authenticated=True), True),
        (AccessLevel.PAID, Reader(is_authenticated=True), False),
        (AccessLevel.PAID, Reader(is_authenticated=True, has_paid=True), True),
    ],
)
def test_article_body_for_renders_gated_text_only_for_readers_the_gate_allows(
    world, level, reader, expected
):
    article = make_article(
        world,
        "Gated",
        paragraphs=["Free opening.", f"Premium part {CANARY}."],
        paywall_after=1,
        access_level=level,
    )

    body = queries.article_body_for(article, reader, publication=None)

    assert body.can_read is expected
    assert "Free opening." in body.preview_html
    if expected:
        assert CANARY in body.rest_html
    else:
        assert body.rest_html is None
        assert CANARY not in body.preview_html


def test_article_without_paywall_break_previews_the_first_paragraphs(world):
    paragraphs = [f"Paragraph {i}." for i in range(1, 6)]
    article = make_article(
        world, "No break", paragraphs=paragraphs, access_level=AccessLevel.MEMBERS
    )

    body = queries.article_body_for(article, ANONYMOUS, publication=None)

    assert "Paragraph 3." in body.preview_html
    assert "Paragraph 4." not in body.preview_html


def test_home_context_leads_with_newest_and_builds_a_rail_per_section(world):
    sport = make_section("Sport")
    now = timezone.now()
    for i in range(20):
        make_article(world, f"World {i}", published_at=now - timedelta(hours=i + 1))
        make_article(sport, f"Sport {i}", published_at=now - timedelta(hours=i + 30))

    context = queries.home_page_context(home_page())

    assert context["lead"].title == "World 0"
    assert len(context["top_stories"]) == 5
    rails = {
        section.title: [a.title for a in items] for section, items in context["rails"]
    }
    # The rails show the newest stories of each section that the lead, the top
    # stories and Latest above them do not already show.
    shown = {context["lead"].pk, *(a.pk for a in context["top_stories"])}
    shown |= {a.pk for a in context["latest"]}
    assert rails["World"] == ["World 16", "World 17", "World 18", "World 19"]
    assert rails["Sport"] == ["Sport 0", "Sport 1", "Sport 2", "Sport 3"]
    for _section, items in context["rails"]:
        assert not shown & {a.pk for a in items}


def test_navigation_lists_top_sections_with_children(world):
    make_section("Asia", parent=world)
    make_section("Sport")

    nav = queries.navigation_sections()

    assert [item["title"] for item in nav] == ["World", "Sport"]
    assert [c["title"] for c in nav[0]["children"]] == ["Asia"]
    assert nav[0]["url"] == "/world/"


def test_breaking_news_lists_only_recent_breaking_stories(world):
    now = timezone.now()
    make_article(world, "Fresh alert", is_breaking=True, published_at=now)
    make_article(
        world, "Stale alert", is_breaking=True, published_at=now - timedelta(days=2)
    )
    make_article(world, "Ordinary", published_at=now)

    assert [item["title"] for item in queries.breaking_news()] == ["Fresh alert"]


@pytest.mark.parametrize(
    ("param", "expected"), [("abc", 1), ("999", 3), ("", 1), ("2", 2)]
)
def test_paginate_falls_back_to_first_or_last_page(param, expected):
    page = queries.paginate(list(range(45)), param, per_page=20)
    assert page.number == expected


def test_related_articles_prefer_shared_tags(world):
    sport = make_section("Sport")
    article = make_article(world, "Main", tags=["harbour"])
    tagged = make_article(sport, "Tagged elsewhere", tags=["harbour"])
    same_section = make_article(world, "Same section")

    related = queries.related_articles(article, limit=2)

    assert [a.pk for a in related] == [tagged.pk, same_section.pk]


@pytest.mark.django_db
def test_stored_block_text_equals_the_text_of_built_blocks():
    """Snippets read the stored JSON (raw_block_text); search and reading time read
    built blocks (block_text): the same text for every kind of block."""
    import json

    from herald.newsroom.rendering import block_text, raw_block_text

    body = [
        {"type": "paragraph", "value": '<p>Tides &amp; <a href="/x/">ferries</a></p>'},
        {"type": "heading", "value": {"text": "What changed", "level": "h2"}},
        {"type": "blockquote", "value": {"quote": "We said so.", "attribution": "A"}},
        {"type": "pullquote", "value": {"quote": "Loud words", "attribution": ""}},
        {
            "type": "factbox",
            "value": {"title": "Facts", "body": "<p>One <b>bold</b> fact</p>"},
        },
        {"type": "paywall", "value": None},
        {"type": "paragraph", "value": "<p>2 &lt; 3, said the <i>clerk</i>.</p>"},
    ]
    article = make_article(make_section("World"), "Blocks", body=json.dumps(body))
    built = [block_text(block) for block in article.body]
    stored = [
        raw_block_text(item["type"], item["value"]) for item in article.body.raw_data
    ]
    assert built == stored
    assert "2 &lt; 3, said the clerk." in stored
