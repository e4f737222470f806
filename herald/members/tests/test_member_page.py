"""The member page in the members admin: a person's record, in words."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time
from wagtail.models import Site

from herald.members import actions, hooks
from herald.members.models import Label, User
from herald.members.providers.base import InvoiceState, ProviderEvent
from herald.newsroom.models import PublicationSettings

from .conftest import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(db) -> User:
    return User.objects.create_superuser(
        "boss@example.org", "a-long-password-1", first_name="Maren", last_name="Oduya"
    )


@pytest.fixture
def browser(boss) -> Client:
    client = Client()
    client.force_login(boss)
    return client


def publication() -> PublicationSettings:
    return PublicationSettings.for_site(Site.objects.get(is_default_site=True))


def page(browser: Client, member: User) -> str:
    response = browser.get(f"/admin/members/inspect/{member.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def pay(member: User, *, invoice: str, amount: int, when: datetime) -> None:
    """A paid invoice as the payment provider's webhook reports it."""
    actions.handle_provider_event(
        ProviderEvent(
            id=f"evt_{invoice}",
            type="invoice.paid",
            created=int(when.timestamp()),
            invoice=InvoiceState(
                id=invoice,
                customer_id="cus_1",
                subscription_id=None,
                amount_paid=amount,
                currency="eur",
                paid_at=when,
            ),
            customer_id="cus_1",
        ),
        provider_name="stripe",
    )


def test_each_row_of_the_members_list_leads_to_the_member_page(browser, member):
    html = browser.get("/admin/members/").content.decode()

    assert f'href="/admin/members/inspect/{member.pk}/"' in html


def test_member_page_reads_like_a_record_not_a_field_dump(browser, member, gold, boss):
    # given a member with a label, a complimentary tier and a payment
    member.labels.add(Label.objects.create(name="press"))
    member.stripe_customer_id = "cus_1"
    member.save(update_fields=["stripe_customer_id"])
    actions.grant_comp(
        member,
        tier=gold,
        ends_at=timezone.now() + timedelta(days=30),
        actor=boss,
        reason="Press pass",
    )
    pay(member, invoice="in_1", amount=900, when=timezone.now())

    # when
    html = page(browser, member)

    # then: profile, status and tiers, payments and a history in words
    assert "Rita" in html and "reader@example.org" in html
    assert "press" in html
    assert "Complimentary member" in html
    assert "Gold, complimentary" in html
    assert "1 payment, 9.00 EUR in total" in html
    assert "in_1" in html
    assert "Moved from Free to Complimentary Gold until" in html
    assert "by Maren Oduya. Reason: Press pass." in html
    assert "Paid 9.00 EUR by the payment provider" in html
    # and never a raw dump of fields or history data
    assert "pbkdf2" not in html and "password" not in html.lower()
    assert "auth_epoch" not in html and "{&#x27;" not in html and "{&quot;" not in html


def test_member_page_shows_times_in_the_publications_zone(browser, member, gold):
    settings_row = publication()
    settings_row.time_zone = "Pacific/Auckland"
    settings_row.save()
    # 11:30 UTC on 1 March is half past midnight on 2 March in Auckland.
    with freeze_time(datetime(2026, 3, 1, 11, 30, tzinfo=UTC)):
        actions.grant_comp(member, tier=gold, ends_at=None, reason="Trial")
    member.date_joined = datetime(2026, 3, 1, 11, 30, tzinfo=UTC)
    member.save(update_fields=["date_joined"])

    html = page(browser, member)

    assert "Pacific/Auckland" in html
    assert "March 2, 2026, 12:30 a.m." in html
    assert "March 1, 2026" not in html.split('id="member-history"')[1]
    profile = html[html.index('id="member-profile"') : html.index("</dl>")]
    assert "March 2, 2026</time>" in profile  # member since, on their day there
    assert "March 1, 2026" not in profile
    # and the members list shows the sign-up time in the same zone
    listing = browser.get("/admin/members/").content.decode()
    assert 'datetime="2026-03-02T00:30:00+13:00"' in listing
    assert "March 2, 2026, 12:30 a.m." in listing


def test_a_subscription_and_its_status_move_read_as_one_line(browser, member, gold):
    from herald.members.providers.base import SubscriptionState

    end = timezone.now() + timedelta(days=31)
    actions.apply_subscription_state(
        SubscriptionState(
            id="sub_1",
            customer_id="cus_1",
            status="active",
            created=int(timezone.now().timestamp()),
            interval="month",
            current_period_end=end,
            metadata={"herald_tier": "gold"},
        ),
        event_created=int(timezone.now().timestamp()),
        provider="stripe",
        user=member,
        reason="customer.subscription.created evt_9",
    )

    html = page(browser, member)

    assert "Moved from Free to Paid: started a Gold subscription (active)" in html
    assert "provider event evt_9" in html
    assert "Paying member" in html and "Gold, paid subscription (monthly)" in html


def test_member_page_has_a_place_for_other_apps(browser, member):
    def newsletters(request, user):  # type: ignore[no-untyped-def]
        return f'<section class="from-newsletters">{user.email} reads Morning</section>'

    hooks.register("member_admin_sections", newsletters)
    try:
        html = page(browser, member)
    finally:
        hooks.unregister("member_admin_sections", newsletters)

    assert "reader@example.org reads Morning" in html


def test_member_page_query_count_does_not_grow_with_history(
    browser, member, gold, django_assert_max_num_queries
):
    for i in range(30):
        actions.add_label(member, label=Label.objects.create(name=f"l{i}"))
    page(browser, member)

    with django_assert_max_num_queries(30):
        html = page(browser, member)

    assert html.count("<li><time") == 30


def test_counts_use_the_right_plural(browser, member):
    one = browser.get("/admin/members/").content.decode()
    User.objects.create_user("other@example.org")
    two = browser.get("/admin/members/").content.decode()

    assert "1 member: 1 free" in one
    assert "2 members: 2 free" in two


def test_the_member_page_counts_payments_with_the_right_plural(browser, member):
    member.stripe_customer_id = "cus_1"
    member.save(update_fields=["stripe_customer_id"])
    pay(member, invoice="in_1", amount=900, when=timezone.now())
    one = page(browser, member)
    pay(member, invoice="in_2", amount=450, when=timezone.now())
    two = page(browser, member)

    assert "1 payment, 9.00 EUR in total" in one
    assert "2 payments, 13.50 EUR in total" in two
    assert "1 payments" not in one and "2 payment," not in two


def test_export_takes_the_lists_search_and_filters(browser, member, gold):
    actions.grant_comp(member, tier=gold, ends_at=None)
    User.objects.create_user("other@example.org", first_name="Otto")
    listing = browser.get("/admin/members/", {"status": "comped"}).content.decode()
    assert "/admin/members/export/?status=comped" in listing

    def emails(response) -> list[str]:  # type: ignore[no-untyped-def]
        rows = csv.DictReader(io.StringIO(response.content.decode()))
        return [row["email"] for row in rows]

    assert emails(browser.get("/admin/members/export/", {"status": "comped"})) == [
        "reader@example.org"
    ]
    assert emails(browser.get("/admin/members/export/", {"q": "otto"})) == [
        "other@example.org"
    ]
    assert sorted(emails(browser.get("/admin/members/export/"))) == [
        "other@example.org",
        "reader@example.org",
    ]


def test_the_member_page_is_closed_to_members(member):
    client = Client()
    client.force_login(member)

    response = client.get(f"/admin/members/inspect/{member.pk}/")

    assert response.status_code == 302
    assert "reader@example.org" not in response.content.decode()


def test_member_page_lists_the_newsletters_the_member_receives(browser, member):
    from herald.newsletters import actions as newsletter_actions
    from herald.newsletters.models import Newsletter, SubscriptionSource

    Newsletter.objects.create(name="The Morning Tide", slug="morning")
    newsletter_actions.subscribe_member(
        member, slugs=["morning"], source=SubscriptionSource.MEMBER_SIGNUP
    )

    html = page(browser, member)

    section = html[html.index('id="member-newsletters"') :]
    assert "The Morning Tide" in section
    assert "receives it" in section or "not confirmed yet" in section
