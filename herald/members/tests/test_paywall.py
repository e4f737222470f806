"""The paywall box fits the reader, and the gate stays a pure function."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from herald.members import actions
from herald.members.access import ANONYMOUS, Reader, can_read
from herald.members.models import AccessLevel, Tier, User
from herald.newsroom.testing import make_article, make_section

from .conftest import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return make_section("Harbour")


def article(desk, level, tiers=None):
    return make_article(
        desk,
        paragraphs=["Open text.", "Closed text FULLTEXT."],
        paywall_after=1,
        access_level=level,
        tiers=tiers,
    )


def box(html: str) -> str:
    start = html.find('class="paywall-offer')
    assert start != -1, "no paywall box"
    return html[start : html.find("</aside>", start)]


def test_anonymous_reader_of_a_members_story_is_offered_a_free_signup(desk):
    story = article(desk, AccessLevel.MEMBERS)

    html = Client().get(story.url).content.decode()

    offer = box(html)
    assert "paywall-offer-signup" in offer
    assert 'action="/account/signup/"' in offer
    assert f"/account/signin/?next={story.url}" in offer
    assert "FULLTEXT" not in html


def test_anonymous_reader_of_a_paid_story_sees_the_plans(desk, gold):
    story = article(desk, AccessLevel.PAID)

    offer = box(Client().get(story.url).content.decode())

    assert "paywall-offer-subscribe" in offer
    assert "Gold" in offer and "9.00 USD a month" in offer


def test_free_member_of_a_tier_story_is_offered_only_the_tiers_that_unlock_it(
    desk, gold, silver, member
):
    story = article(desk, AccessLevel.TIERS, tiers=[gold])
    browser = Client()
    browser.force_login(member)

    offer = box(browser.get(story.url).content.decode())

    assert "paywall-offer-upgrade" in offer
    assert "Gold" in offer
    assert "Silver" not in offer
    assert "/account/plans/" in offer


def test_an_entitled_member_sees_no_box_and_the_whole_story(desk, gold, member):
    story = article(desk, AccessLevel.TIERS, tiers=[gold])
    actions.grant_comp(member, tier=gold, ends_at=timezone.now() + timedelta(days=1))
    browser = Client()
    browser.force_login(member)

    html = browser.get(story.url).content.decode()

    assert "FULLTEXT" in html
    assert "paywall-offer" not in html


def test_gated_article_pages_for_members_are_private(desk, member):
    story = article(desk, AccessLevel.MEMBERS)
    browser = Client()
    browser.force_login(member)

    response = browser.get(story.url)

    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_metering_is_off_by_default(desk):
    story = article(desk, AccessLevel.MEMBERS)
    reader = Client()

    response = reader.get(story.url)

    assert "FULLTEXT" not in response.content.decode()
    assert "herald_meter" not in response.cookies


def test_expired_comp_no_longer_opens_the_story(desk, gold, member):
    story = article(desk, AccessLevel.PAID)
    actions.grant_comp(member, tier=gold, ends_at=timezone.now() - timedelta(days=1))
    browser = Client()
    browser.force_login(member)

    assert "FULLTEXT" not in browser.get(story.url).content.decode()


class Story:
    def __init__(self, level: str, tiers: tuple[int, ...] = (), pk: int = 1):
        self.access_level, self.pk, self._tiers = level, pk, tiers

    def required_tier_ids(self) -> tuple[int, ...]:
        return self._tiers


@pytest.mark.parametrize(
    ("reader", "level", "expected"),
    [
        (ANONYMOUS, AccessLevel.PUBLIC, True),
        (ANONYMOUS, AccessLevel.MEMBERS, False),
        (Reader(is_authenticated=True), AccessLevel.MEMBERS, True),
        (Reader(is_authenticated=True), AccessLevel.PAID, False),
        (Reader(is_authenticated=True, has_paid=True), AccessLevel.PAID, True),
        (Reader(is_authenticated=True, tier_ids=frozenset({2})), "tiers", False),
        (Reader(is_authenticated=True, tier_ids=frozenset({1})), "tiers", True),
        (Reader(metered_ids=frozenset({1})), AccessLevel.MEMBERS, True),
        (Reader(metered_ids=frozenset({1})), AccessLevel.TIERS, False),
        (Reader(metered_ids=frozenset({9})), AccessLevel.MEMBERS, False),
        (Reader(is_authenticated=True, is_staff=True), AccessLevel.TIERS, True),
        (Reader(is_authenticated=True, has_paid=True), "unknown", False),
    ],
)
def test_can_read_is_a_pure_function_of_level_and_reader(reader, level, expected):
    assert can_read(reader, Story(level, tiers=(1,))) is expected


def test_an_inactive_account_reads_as_anonymous(member, gold):
    User.objects.filter(pk=member.pk).update(is_active=False)
    from herald.members.access import reader_for

    assert reader_for(User.objects.get(pk=member.pk)) == ANONYMOUS
    assert Tier.objects.filter(pk=gold.pk).exists()
