"""The public archive of a newsletter: sent issues, locked where the gate says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from herald.members import actions as member_actions
from herald.members.models import AccessLevel, Tier, User
from herald.newsletters import queries
from herald.newsroom.testing import make_article, make_section

from .conftest import Client

pytestmark = pytest.mark.django_db

SECRET = "ARCHIVECANARY gated paragraph"


@pytest.fixture
def issues(morning):
    section = make_section("Harbour")
    free = make_article(section, "Ferry timetable changes")
    paid = make_article(
        section,
        "What the port audit found",
        access_level=AccessLevel.PAID,
        paragraphs=["Opening, for everybody.", SECRET, "Closing."],
        paywall_after=1,
    )
    now = timezone.now()

    def source(newsletter, limit):  # type: ignore[no-untyped-def]
        if newsletter != morning:
            return []
        return [
            queries.ArchiveIssue(
                title=a.title, url=a.url, sent_at=now - timedelta(days=i), gated=a
            )
            for i, a in enumerate((free, paid))
        ]

    queries.register_archive_source(source)
    yield free, paid
    queries.unregister_archive_source(source)


def test_anonymous_readers_see_gated_issues_locked_and_no_text(
    client, morning, issues, django_assert_max_num_queries
):
    client.get("/newsletters/morning/")
    with django_assert_max_num_queries(14):
        response = client.get("/newsletters/morning/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Ferry timetable changes") < html.index("What the port audit")
    assert html.count("(for members)") == 1
    assert SECRET not in html
    assert "no-store" in response["Cache-Control"]


def test_a_paying_member_sees_nothing_locked(morning, issues):
    gold = Tier.objects.create(
        name="Gold", slug="gold", monthly_price=900, yearly_price=9000
    )
    reader = User.objects.create_user("paid@example.org")
    member_actions.grant_comp(reader, tier=gold, ends_at=None)
    browser = Client()
    browser.force_login(reader)
    html = browser.get("/newsletters/morning/").content.decode()
    assert "(for members)" not in html and "What the port audit found" in html
    # then an anonymous reader still sees it locked (nothing kept from the member)
    assert "(for members)" in Client().get("/newsletters/morning/").content.decode()


def test_an_unknown_or_inactive_newsletter_is_404(client, morning, weekly):
    weekly.is_active = False
    weekly.save()
    assert client.get("/newsletters/nope/").status_code == 404
    assert client.get("/newsletters/long-reads/").status_code == 404


def test_a_newsletter_without_issues_says_so_and_offers_its_form(client, weekly):
    html = client.get("/newsletters/long-reads/").content.decode()
    assert "No issue has been sent yet." in html
    assert 'value="long-reads" id="id_newsletters_0" checked' in html


def test_a_paid_newsletter_archive_offers_no_anonymous_form(client, insider):
    html = client.get("/newsletters/insider/").content.decode()
    assert "For paying members." in html and "csrfmiddlewaretoken" not in html
