"""Staff: newsletters create/edit, subscribers with counts and growth, CSV both ways."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from herald.members.models import User
from herald.newsletters import actions, csvio, queries
from herald.newsletters.models import (
    Newsletter,
    Subscription,
    SubscriptionEvent,
    SubscriptionSource,
    SubscriptionState,
    UnsubscribeReason,
)
from herald.newsroom.testing import set_publication

from .conftest import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    boss = User.objects.create_superuser("boss@example.org", "a-long-password-1")
    browser = Client()
    browser.force_login(boss)
    return browser


def fill(newsletter: Newsletter, n: int, *, state: str = "subscribed") -> None:
    for i in range(n):
        row = actions.subscribe(
            newsletter, email=f"r{i}@example.org", source=SubscriptionSource.STAFF
        )
        if state == "unsubscribed":
            actions.unsubscribe(row, reason=UnsubscribeReason.STAFF)


def test_staff_create_a_newsletter_with_every_field(admin_client):
    response = admin_client.post(
        "/admin/newsletters/new/",
        {
            "name": "Friday Letter",
            "slug": "friday",
            "description": "The week, read slowly.",
            "sender_name": "The Friday desk",
            "sender_email": "friday@news.example.org",
            "reply_to": "letters@news.example.org",
            "visibility": "paid",
            "default_for_new_members": "on",
            "digest_cadence": "weekly",
            "digest_weekday": "4",
            "digest_time": "17:30",
            "is_active": "on",
            "sort_order": "3",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    made = Newsletter.objects.get(slug="friday")
    assert (made.visibility, made.digest_cadence, made.digest_weekday) == (
        "paid",
        "weekly",
        4,
    )
    assert str(made.digest_time) == "17:30:00" and made.track_opens is False


def test_the_list_counts_by_state_in_bounded_queries(
    admin_client, morning, weekly, django_assert_max_num_queries
):
    fill(morning, 3)
    fill(weekly, 2, state="unsubscribed")
    admin_client.get("/admin/newsletters/")
    with django_assert_max_num_queries(25):
        html = admin_client.get("/admin/newsletters/").content.decode()
    fill(morning, 30)
    with django_assert_max_num_queries(25):
        admin_client.get("/admin/newsletters/")
    assert f'/admin/newsletters/subscribers/{morning.pk}/">3<' in html


def test_subscribers_page_counts_filters_and_growth(
    admin_client, morning, django_assert_max_num_queries
):
    fill(morning, 4)
    actions.request_subscription([morning], email="late@example.org")
    actions.unsubscribe(
        Subscription.objects.get(email="r0@example.org"),
        reason=UnsubscribeReason.ONE_CLICK,
    )
    url = f"/admin/newsletters/subscribers/{morning.pk}/"
    admin_client.get(url)
    with django_assert_max_num_queries(25):
        html = admin_client.get(url).content.decode()
    assert "3 subscribed, 1 waiting for confirmation, 1 unsubscribed." in html
    pending = admin_client.get(url, {"state": "pending"}).content.decode()
    assert "late@example.org" in pending and "r1@example.org" not in pending
    assert "newsletter-growth" in html


def test_growth_counts_events_per_week_in_the_publication_time_zone(morning):
    # given events on a Sunday late evening in Auckland (still Sunday there,
    # already Sunday morning UTC) and on the next Monday
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    fill(morning, 3)
    today = timezone.localdate(timezone=auckland)
    monday = today - timedelta(days=today.weekday())
    sunday_late = timezone.datetime.combine(
        monday - timedelta(days=1), timezone.datetime.min.time(), tzinfo=auckland
    ) + timedelta(hours=23)
    events = list(SubscriptionEvent.objects.order_by("id"))
    SubscriptionEvent.objects.filter(pk=events[0].pk).update(created_at=sunday_late)
    SubscriptionEvent.objects.filter(pk=events[1].pk).update(
        created_at=sunday_late + timedelta(hours=2)
    )
    # when
    weeks = queries.growth_by_week(morning, weeks=2, tz=auckland)
    # then the Sunday event is last week, the Monday one this week
    assert [w.start for w in weeks] == [monday - timedelta(weeks=1), monday]
    assert weeks[0].gained == 1
    assert weeks[1].gained == 2 and weeks[1].net == 2


def test_subscriber_csv_round_trip_is_lossless(admin_client, morning, weekly, member):
    fill(morning, 2)
    actions.subscribe(
        morning, email=member.email, member=member, source=SubscriptionSource.ACCOUNT
    )
    actions.unsubscribe(
        Subscription.objects.get(email="r1@example.org"),
        reason=UnsubscribeReason.BOUNCE,
    )
    actions.request_subscription([morning], email="wait@example.org")
    exported = admin_client.get(f"/admin/newsletters/subscribers/{morning.pk}/export/")
    assert exported["Content-Type"].startswith("text/csv")
    text = exported.content.decode()

    # import into the other newsletter, then export it: same rows
    response = admin_client.post(
        f"/admin/newsletters/subscribers/{weekly.pk}/import/",
        {"file": SimpleUploadedFile("s.csv", text.encode(), "text/csv")},
    )
    assert response.status_code == 200
    assert "4 addresses imported" in response.content.decode()
    import io

    again = io.StringIO()
    csvio.export_csv(weekly, again)
    assert again.getvalue() == text
    assert queries.subscribers(weekly).count() == 2


def test_import_never_resubscribes_and_a_bad_line_imports_nothing(
    admin_client, morning
):
    fill(morning, 1, state="unsubscribed")
    good = "email,state\nr0@example.org,subscribed\nnew@example.org,\n"
    report = csvio.import_csv(morning, good)
    assert (report.created, report.skipped_existing) == (1, 1)
    assert Subscription.objects.get(email="r0@example.org").state == "unsubscribed"

    bad = "email\nfine@example.org\nnot an address\nfine@example.org\n"
    response = admin_client.post(
        f"/admin/newsletters/subscribers/{morning.pk}/import/",
        {"file": SimpleUploadedFile("s.csv", bad.encode(), "text/csv")},
    )
    html = response.content.decode()
    assert response.status_code == 400 and "Nothing was imported." in html
    assert "<td>3</td>" in html and "<td>4</td>" in html
    assert not Subscription.objects.filter(email="fine@example.org").exists()


def test_import_refuses_binary_and_unknown_columns(admin_client, morning):
    binary = admin_client.post(
        f"/admin/newsletters/subscribers/{morning.pk}/import/",
        {"file": SimpleUploadedFile("s.csv", b"email\x00\n", "text/csv")},
    )
    assert binary.status_code == 400
    report = csvio.import_csv(morning, "email,favourite_colour\na@example.org,red\n")
    assert not report.imported and "favourite_colour" in report.errors[0][1]


def test_subscriber_screens_need_newsletter_permission(morning, member):
    browser = Client()
    member.is_staff = True
    member.save()
    browser.force_login(member)
    for url in (
        f"/admin/newsletters/subscribers/{morning.pk}/",
        f"/admin/newsletters/subscribers/{morning.pk}/export/",
    ):
        response = browser.get(url)
        assert response.status_code in (302, 403)
        assert b"r0@example.org" not in response.content


def test_the_members_csv_carries_newsletters_both_ways(morning, weekly, member):
    import io

    from django.test import TestCase

    from herald.members import csvio as members_csv
    from herald.members.models import MemberEvent

    actions.subscribe_member(
        member, slugs=["morning", "long-reads"], source=SubscriptionSource.ACCOUNT
    )
    out = io.StringIO()
    members_csv.export_csv(out)
    first = out.getvalue()
    assert ',"long-reads,morning",' in first

    # wipe the members and their subscriptions, then import the file
    Subscription.objects.all().delete()
    MemberEvent.objects.all().delete()
    User.objects.all().delete()
    with TestCase.captureOnCommitCallbacks(execute=True):
        report = members_csv.import_csv(first)
    assert report.ok
    again = io.StringIO()
    members_csv.export_csv(again)
    assert again.getvalue() == first
    row = Subscription.objects.get(newsletter=morning)
    assert row.member.email == "reader@example.org" and row.source == "import"
    assert row.state == SubscriptionState.SUBSCRIBED


def test_publication_time_zone_is_read_from_settings(db):
    set_publication(time_zone="America/Sao_Paulo")
    assert str(queries.publication_tz()) == "America/Sao_Paulo"
