"""Automatic digests: due at a local time, built from what is new, never twice."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import TestCase
from freezegun import freeze_time
from wagtail.models import Site

from herald.newsletters.models import Cadence, Weekday
from herald.newsletters.sending import digests
from herald.newsletters.sending.models import Send, SendKind, SendState
from herald.newsroom.models import PublicationSettings
from herald.newsroom.testing import make_article, make_section

from .sendkit import make_newsletter, parts, subscribe

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

# 07:00 in Chicago in January is 13:00 UTC (UTC-6).
CHICAGO_SEVEN = datetime(2026, 1, 14, 13, 0, tzinfo=UTC)


@pytest.fixture
def chicago(db):
    site = Site.objects.get(is_default_site=True)
    publication = PublicationSettings.for_site(site)
    publication.time_zone = "America/Chicago"
    publication.save()
    return publication


@pytest.fixture
def daily(chicago):
    newsletter = make_newsletter(
        name="Morning Briefing",
        digest_cadence=Cadence.DAILY,
        digest_time=dt.time(7, 0),
    )
    subscribe(newsletter, "early@example.org")
    return newsletter


def tick(now):
    with freeze_time(now), TestCase.captureOnCommitCallbacks(execute=True):
        return digests.create_due_digests()


def test_a_daily_digest_goes_out_at_its_local_time_with_the_new_stories(daily):
    section = make_section("City")
    older = make_article(
        section, "Bridge reopens", published_at=CHICAGO_SEVEN - timedelta(hours=30)
    )
    fresh = make_article(
        section, "Tram line opens", published_at=CHICAGO_SEVEN - timedelta(hours=3)
    )

    assert tick(CHICAGO_SEVEN - timedelta(minutes=1)) == []
    (send,) = tick(CHICAGO_SEVEN + timedelta(minutes=1))

    send.refresh_from_db()
    assert send.kind == SendKind.DIGEST
    assert send.state == SendState.SENT
    assert send.digest_articles == [fresh.pk]
    (message,) = mail.outbox
    text, html = parts(message)
    assert "Tram line opens" in html and "Tram line opens" in text
    assert older.title not in html
    # A second tick in the same period makes no second digest.
    assert tick(CHICAGO_SEVEN + timedelta(minutes=2)) == []
    assert len(mail.outbox) == 1


def test_no_digest_is_sent_when_nothing_is_new(daily):
    make_article(
        make_section("City"),
        "Tram line opens",
        published_at=CHICAGO_SEVEN - timedelta(hours=3),
    )
    assert len(tick(CHICAGO_SEVEN + timedelta(minutes=1))) == 1

    next_day = CHICAGO_SEVEN + timedelta(days=1, minutes=1)
    assert tick(next_day) == []
    assert len(mail.outbox) == 1
    assert Send.objects.count() == 1


def test_the_next_digest_starts_where_the_last_one_ended(daily):
    section = make_section("City")
    make_article(section, "First", published_at=CHICAGO_SEVEN - timedelta(hours=3))
    tick(CHICAGO_SEVEN + timedelta(minutes=1))
    later = make_article(
        section, "Second", published_at=CHICAGO_SEVEN + timedelta(hours=5)
    )

    (send,) = tick(CHICAGO_SEVEN + timedelta(days=1, minutes=1))

    assert send.digest_articles == [later.pk]


def test_editors_picks_come_first(daily):
    section = make_section("City")
    breaking = make_article(
        section,
        "Storm warning",
        is_breaking=True,
        published_at=CHICAGO_SEVEN - timedelta(hours=10),
    )
    newest = make_article(
        section, "Market day", published_at=CHICAGO_SEVEN - timedelta(hours=1)
    )

    (send,) = tick(CHICAGO_SEVEN + timedelta(minutes=1))

    assert send.digest_articles == [breaking.pk, newest.pk]


def test_a_weekly_digest_waits_for_its_weekday(chicago):
    newsletter = make_newsletter(
        digest_cadence=Cadence.WEEKLY,
        digest_weekday=Weekday.FRIDAY,
        digest_time=dt.time(18, 30),
    )
    subscribe(newsletter, "weekend@example.org")
    make_article(
        make_section("Culture"),
        "Gallery opens",
        published_at=CHICAGO_SEVEN - timedelta(days=2),
    )
    # Wednesday 14 January 2026; Friday the 16th, 18:30 Chicago = 00:30 UTC Sat.
    assert tick(CHICAGO_SEVEN + timedelta(hours=6)) == []
    friday = datetime(2026, 1, 17, 0, 30, tzinfo=UTC)
    assert tick(friday - timedelta(minutes=1)) == []
    (send,) = tick(friday + timedelta(minutes=1))
    assert send.digest_key.startswith("weekly:2026-01-16T18:30:00-06:00")
