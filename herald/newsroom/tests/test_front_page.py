"""The front page: who leads, the top-story slots, "Latest", rails and card times."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from freezegun import freeze_time

from herald.newsroom import actions
from herald.newsroom.models import HomePage, HomeTopStory, LeadClaim
from herald.newsroom.testing import (
    home_page,
    make_article,
    make_image,
    make_section,
    make_staff,
    set_publication,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    set_publication(name="The Tidewater Courier")
    return make_section("World")


@pytest.fixture
def picture():
    return make_image(width=800, height=450)


def front(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def lead_card(page: str) -> str:
    start = page.index('class="card card-lead')
    return page[start : page.index("</article>", start)]


def lead_title(page: str) -> str:
    match = re.search(
        r'class="card-title"><a href="[^"]*">([^<]*)</a>', lead_card(page)
    )
    assert match, "the front page has no lead"
    return match.group(1)


def top_titles(page: str) -> list[str]:
    return re.findall(
        r'<article class="card card-top">.*?class="card-title"><a href="[^"]*">'
        r"([^<]*)</a>",
        page,
        flags=re.S,
    )


def latest_titles(page: str) -> list[str]:
    start = page.index('class="latest-list"')
    block = page[start : page.index("</ol>", start)]
    return re.findall(r'<a href="[^"]*">([^<]*)</a>', block)


def publish_home(**fields) -> HomePage:
    home = HomePage.objects.get(pk=home_page().pk)
    slots = fields.pop("slots", None)
    for name, value in fields.items():
        setattr(home, name, value)
    if slots is not None:
        home.top_story_slots = [
            HomeTopStory(article=article, sort_order=i)
            for i, article in enumerate(slots)
        ]
    home.save_revision().publish()
    return home


def set_breaking(article, flag: bool) -> None:
    article.refresh_from_db()
    article.is_breaking = flag
    article.save_revision().publish()


def stories(section, count: int, *, image=None, start: int = 0) -> list:
    now = timezone.now()
    return [
        make_article(
            section,
            f"Story {i:02d}",
            hero_image=image,
            published_at=now - timedelta(hours=i + 1),
        )
        for i in range(start, start + count)
    ]


# --- Who leads ----------------------------------------------------------------


def test_a_breaking_story_leads_until_an_editor_pins_another(client, world, picture):
    # given three stories and an editor's pin
    pinned, breaking, later_pin = stories(world, 3, image=picture)
    publish_home(lead_article=pinned)
    assert lead_title(front(client)) == pinned.title

    # when a story is flagged breaking, it takes the lead, labelled, and the
    # pinned story stays on the front page as the first top story
    set_breaking(breaking, True)
    page = front(client)
    assert lead_title(page) == breaking.title
    assert 'class="breaking-tag"' in lead_card(page)
    assert top_titles(page)[0] == pinned.title

    # when an editor pins another story, the pin leads although the other is
    # still breaking
    publish_home(lead_article=later_pin)
    page = front(client)
    assert lead_title(page) == later_pin.title
    assert 'class="breaking-tag"' not in lead_card(page)

    # and unflagging the breaking story changes nothing for the lead
    set_breaking(breaking, False)
    assert lead_title(front(client)) == later_pin.title


def test_the_pin_leads_again_once_the_story_is_no_longer_breaking(
    client, world, picture
):
    pinned, breaking = stories(world, 2, image=picture)
    publish_home(lead_article=pinned)
    set_breaking(breaking, True)
    assert lead_title(front(client)) == breaking.title

    set_breaking(breaking, False)

    page = front(client)
    assert lead_title(page) == pinned.title
    assert 'class="breaking-tag"' not in page


def test_a_breaking_story_taken_down_gives_the_lead_back(client, world, picture):
    pinned, breaking = stories(world, 2, image=picture)
    publish_home(lead_article=pinned)
    set_breaking(breaking, True)

    actions.unpublish_article(breaking)

    page = front(client)
    assert lead_title(page) == pinned.title
    assert breaking.title not in page
    assert not LeadClaim.objects.filter(article=breaking).exists()


def test_republishing_the_home_page_keeps_the_breaking_lead(client, world, picture):
    # The pin's time is when it was set, not when the home page was last saved.
    pinned, breaking = stories(world, 2, image=picture)
    publish_home(lead_article=pinned)
    set_breaking(breaking, True)

    publish_home(intro="A new intro, the same pin")

    assert lead_title(front(client)) == breaking.title


def test_the_newest_breaking_story_leads(client, world, picture):
    first, second, plain = stories(world, 3, image=picture)
    set_breaking(first, True)
    set_breaking(second, True)
    assert lead_title(front(client)) == second.title

    set_breaking(second, False)
    assert lead_title(front(client)) == first.title


def test_without_pin_or_breaking_the_newest_story_leads(client, world, picture):
    newest, *_older = stories(world, 4, image=picture)
    assert lead_title(front(client)) == newest.title


def test_a_pinned_story_that_is_taken_down_does_not_lead(client, world, picture):
    newest, pinned = stories(world, 2, image=picture)
    publish_home(lead_article=pinned)
    actions.unpublish_article(pinned)

    page = front(client)
    assert lead_title(page) == newest.title
    assert pinned.title not in page


def test_recording_claims_twice_changes_nothing(world, picture):
    (story,) = stories(world, 1, image=picture)
    set_breaking(story, True)
    claim = LeadClaim.objects.get(article=story)

    story.refresh_from_db()
    actions.record_lead_claims(story, at=timezone.now() + timedelta(hours=1))

    assert list(LeadClaim.objects.all()) == [claim]
    assert LeadClaim.objects.get().since == claim.since


# --- Slots, de-duplication and "Latest" -----------------------------------------


def test_top_story_slots_show_in_the_editors_order(client, world, picture):
    many = stories(world, 12, image=picture)
    chosen = [many[9], many[4], many[11]]
    publish_home(lead_article=many[7], slots=chosen)

    page = front(client)

    assert lead_title(page) == many[7].title
    assert top_titles(page) == [a.title for a in chosen]


def test_no_story_appears_twice_on_the_front_page(client, world, picture):
    # given a pin that is also in a slot, a breaking story in a slot, and more
    # stories than the lead, slots and "Latest" hold
    sport = make_section("Sport")
    many = stories(world, 14, image=picture) + stories(sport, 14, start=14)
    publish_home(lead_article=many[3], slots=[many[3], many[0], many[20], many[0]])
    set_breaking(many[0], True)

    page = front(client)

    links = re.findall(r'class="card-title"><a href="([^"]+)"', page)
    start = page.index('class="latest-list"')
    links += re.findall(r'<a href="([^"]+)"', page[start : page.index("</ol>", start)])
    twice = [url for url, n in Counter(links).items() if n > 1]
    assert twice == []
    assert lead_title(page) == many[0].title
    assert top_titles(page) == [many[3].title, many[20].title]
    # Lead, 2 top stories, 10 in "Latest" (the newest not above), then the
    # rails: World's two stories left, Sport's four newest left.
    assert len(links) == 1 + 2 + 10 + 2 + 4


def test_latest_lists_the_newest_stories_not_in_the_top_slots(client, world, picture):
    older = stories(world, 8, image=picture, start=10)
    publish_home(lead_article=older[0], slots=older[1:4])
    newest = make_article(world, "Just in: the ferry is back", hero_image=picture)

    page = front(client)

    latest = latest_titles(page)
    assert latest[0] == newest.title
    assert latest == [newest.title] + [a.title for a in older[4:]]


def test_without_slots_the_newest_stories_fill_the_top(client, world, picture):
    many = stories(world, 8, image=picture)
    page = front(client)
    assert lead_title(page) == many[0].title
    assert top_titles(page) == [a.title for a in many[1:6]]
    assert latest_titles(page) == [a.title for a in many[6:]]


def test_slots_whose_stories_are_gone_fall_back_to_the_newest(client, world, picture):
    many = stories(world, 8, image=picture)
    publish_home(slots=[many[5]])
    actions.unpublish_article(many[5])

    page = front(client)

    assert top_titles(page) == [a.title for a in many[1:5] + many[6:7]]


# --- Text lead ------------------------------------------------------------------


def test_a_lead_without_a_picture_is_a_text_lead(client, world, picture):
    stories(world, 4, image=picture)
    words = make_article(world, "The council resigns", dek="All nine members quit.")
    set_breaking(words, True)

    page = front(client)

    card = lead_card(page)
    assert lead_title(page) == words.title
    assert 'class="card card-lead card-text-lead"' in card
    assert "card-media" not in card and "<img" not in card
    assert "All nine members quit." in card
    assert 'class="front-top wrap front-top-text"' in page


def test_a_lead_with_a_picture_is_laid_out_with_it(client, world, picture):
    stories(world, 3, image=picture)
    page = front(client)
    assert 'class="card card-lead"' in page
    assert "card-media" in lead_card(page)
    assert "front-top-text" not in page


# --- Times on cards ---------------------------------------------------------------

NOON_UTC = datetime(2026, 3, 10, 12, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "zone", "today_text", "older_text"),
    [
        # Tokyo is UTC+9: 11:42 UTC is 20:42 there, the same day.
        ("de", "Asia/Tokyo", "20:42", "7. März 2026"),
        ("en", "America/New_York", "7:42 a.m.", "March 7, 2026"),
    ],
)
def test_cards_show_the_time_for_todays_stories_and_the_date_for_older_ones(
    client, picture, language, zone, today_text, older_text
):
    set_publication(name="The Tidewater Courier", time_zone=zone, language=language)
    world = make_section("World")
    with freeze_time(NOON_UTC):
        today = make_article(
            world,
            "Story of the day",
            hero_image=picture,
            published_at=datetime(2026, 3, 10, 11, 42, tzinfo=UTC),
        )
        older = make_article(
            world,
            "Older story",
            hero_image=picture,
            # 21:00 in Tokyo, 7:00 in New York: March 7 in both.
            published_at=datetime(2026, 3, 7, 12, 0, tzinfo=UTC),
        )
        page = front(client)

    def time_of(article) -> str:
        # The card's <time> after its title; the lead is "today", the other a top story.
        start = page.index(f">{article.title}</a>")
        match = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', page[start:])
        assert match
        return match.group(2)

    assert time_of(today) == today_text
    assert time_of(older) == older_text
    # "Latest" is empty here (two stories); a kept page stays true all day.


def test_a_kept_front_page_shows_yesterdays_stories_by_date_after_midnight(
    client, picture
):
    set_publication(name="The Tidewater Courier", time_zone="Asia/Tokyo")
    world = make_section("World")
    published = datetime(2026, 3, 10, 11, 42, tzinfo=UTC)  # 20:42 in Tokyo
    with freeze_time(published + timedelta(minutes=5)):
        make_article(world, "Evening story", hero_image=picture, published_at=published)
        assert "8:42 p.m." in front(client)
    # 00:10 in Tokyo the next day: the kept page of the day before is not used.
    with freeze_time(datetime(2026, 3, 10, 15, 10, tzinfo=UTC)):
        page = front(client)
    assert "8:42 p.m." not in page
    assert "March 10, 2026</time>" in page


# --- Kept for anonymous readers, and what staff saw ------------------------------


def test_staff_first_then_anonymous_sees_only_the_published_front_page(
    client, world, picture
):
    # given a published front page and an editor's unpublished new pin
    live_lead, draft_pin = stories(world, 2, image=picture)
    publish_home(lead_article=live_lead)
    home = HomePage.objects.get(pk=home_page().pk)
    home.lead_article = draft_pin
    home.save_revision()
    editor = make_staff("Editors")
    client.force_login(editor)
    assert lead_title(front(client)) == live_lead.title
    preview = client.get(f"/admin/pages/{home.pk}/view_draft/")
    assert preview.status_code == 200
    assert lead_title(preview.content.decode()) == draft_pin.title
    client.logout()

    # then the anonymous reader gets the published front page, not the draft
    page = front(client)
    assert lead_title(page) == live_lead.title
    assert LeadClaim.objects.get(kind="pinned").article_id == live_lead.pk


# --- Query budget -------------------------------------------------------------------

HOME_BUDGET = 15  # test_query_budgets.py


def test_a_curated_front_page_stays_within_the_home_budget(
    client, picture, django_assert_max_num_queries
):
    set_publication(name="The Tidewater Courier")
    sections = [make_section(name) for name in ("World", "Politics", "Sport")]
    many = []
    for i in range(30):
        many += stories(sections[i % 3], 1, image=picture, start=i)
    # Pinned and curated stories older than the newest, and a breaking one.
    publish_home(lead_article=many[25], slots=[many[20], many[21], many[29]])
    set_breaking(many[2], True)
    assert client.get("/").status_code == 200
    cache.clear()
    assert client.get("/politics/").status_code == 200
    with django_assert_max_num_queries(HOME_BUDGET, info="home (cold)"):
        page = front(client)
    assert lead_title(page) == many[2].title
    assert top_titles(page)[0] == many[25].title
    with django_assert_max_num_queries(HOME_BUDGET, info="home (warm)"):
        front(client)
