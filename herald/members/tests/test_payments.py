"""Paid tiers through Stripe Checkout, the portal and webhooks (local Stripe server)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from herald.members import actions
from herald.members.access import reader_for
from herald.members.models import (
    EventKind,
    MemberEvent,
    MemberStatus,
    Offer,
    Subscription,
    User,
    WebhookEvent,
)
from tests.fakes.stripe_fixtures import django_client_endpoint

from .conftest import Client

pytestmark = pytest.mark.django_db

WEBHOOK = "/account/webhooks/payments/"


@pytest.fixture
def stripe_site(stripe_server, settings):
    settings.HERALD_PAYMENTS_PROVIDER = "stripe"
    stripe_server.add_endpoint(django_client_endpoint(WEBHOOK))
    return stripe_server


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def pay(stripe_site, member, tier, *, interval="month", offer=None):
    """Go through checkout as the member; return the Stripe subscription id."""
    browser = Client()
    browser.force_login(member)
    data = {"tier": tier.slug, "interval": interval}
    if offer:
        data["offer"] = offer.code
    response = browser.post("/account/checkout/", data)
    assert response.status_code == 302, response.content
    assert response["Location"].startswith(stripe_site.url + "/c/pay/")
    session_id = response["Location"].rsplit("/", 1)[1]
    session = stripe_site.complete_checkout(session_id, email=member.email)
    return session["subscription"]


def test_paying_at_checkout_gives_paid_access_and_records_history(
    stripe_site, member, gold
):
    sub_id = pay(stripe_site, member, gold)

    member = fresh(member)
    row = Subscription.objects.get(provider_subscription_id=sub_id)
    assert row.status == "active"
    assert row.tier == gold
    assert row.interval == "month"
    assert row.current_period_end > timezone.now() + timedelta(days=27)
    assert member.status == MemberStatus.PAID
    assert member.stripe_customer_id.startswith("cus_")
    assert member.has_paid_access()
    assert gold.pk in member.active_tier_ids()
    kinds = set(MemberEvent.objects.filter(user=member).values_list("kind", flat=True))
    assert {EventKind.SUBSCRIPTION_CHANGED, EventKind.STATUS_CHANGED} <= kinds
    assert all(d.status == 200 for d in stripe_site.deliveries), [
        (d.event_type, d.status, d.body) for d in stripe_site.deliveries
    ]


def test_checkout_creates_one_stripe_price_per_tier_period_and_amount(
    stripe_site, member, gold
):
    browser = Client()
    browser.force_login(member)
    for _ in range(2):
        browser.post("/account/checkout/", {"tier": "gold", "interval": "year"})

    prices = stripe_site.of_kind("price")
    assert len(prices) == 1
    assert prices[0]["unit_amount"] == 9000
    assert prices[0]["recurring"]["interval"] == "year"


def test_webhook_with_a_bad_signature_is_400_and_changes_nothing(
    stripe_server, settings, member, gold
):
    settings.HERALD_PAYMENTS_PROVIDER = "stripe"
    payload = b'{"id": "evt_1", "type": "customer.subscription.created"}'

    response = Client().post(
        WEBHOOK,
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": "t=1,v1=deadbeef"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_signature"
    assert not WebhookEvent.objects.exists()
    assert not Subscription.objects.exists()


def test_webhook_without_a_signature_is_400(stripe_server, settings):
    settings.HERALD_PAYMENTS_PROVIDER = "stripe"

    response = Client().post(WEBHOOK, data=b"{}", content_type="application/json")

    assert response.status_code == 400


def test_a_duplicate_webhook_changes_nothing_the_second_time(stripe_site, member, gold):
    pay(stripe_site, member, gold)
    events_before = MemberEvent.objects.count()
    created = next(
        e for e in stripe_site.events if e["type"] == "customer.subscription.created"
    )

    (delivery,) = stripe_site.resend(created["id"])

    assert delivery.status == 200
    assert '"duplicate"' in delivery.body
    assert MemberEvent.objects.count() == events_before
    assert WebhookEvent.objects.filter(event_id=created["id"]).count() == 1


def test_a_late_event_does_not_undo_a_cancellation(stripe_site, member, gold):
    sub_id = pay(stripe_site, member, gold)
    stripe_site.auto_deliver = False
    import stripe

    stripe.Subscription.modify(sub_id, metadata={"note": "x"})  # an "updated" event
    stripe.Subscription.cancel(sub_id)  # a "deleted" event

    # Delivered newest first: the older "active" state arrives last.
    deliveries = stripe_site.deliver(order="reversed")

    assert [d.status for d in deliveries] == [200, 200]
    row = Subscription.objects.get(provider_subscription_id=sub_id)
    assert row.status == "canceled"
    member = fresh(member)
    assert member.status == MemberStatus.FREE
    assert not member.has_paid_access()


def test_access_ends_at_the_period_end_when_cancelled_at_period_end(
    stripe_site, member, gold
):
    sub_id = pay(stripe_site, member, gold)
    browser = Client()
    browser.force_login(fresh(member))
    portal = browser.post("/account/billing/")
    assert portal.status_code == 302
    portal_id = portal["Location"].rsplit("/", 1)[1]
    stripe_site.portal_action(portal_id, {"subscription": sub_id, "action": "cancel"})
    row = Subscription.objects.get(provider_subscription_id=sub_id)
    assert row.cancel_at_period_end
    end = row.current_period_end

    with freeze_time(end - timedelta(minutes=1)):
        assert fresh(member).has_paid_access()
    with freeze_time(end + timedelta(seconds=1)):
        assert not fresh(member).has_paid_access()
        assert actions.expire_access() == 1
        assert fresh(member).status == MemberStatus.FREE
        assert actions.expire_access() == 0  # idempotent


def test_past_due_keeps_access_and_unpaid_ends_it(stripe_site, member, gold):
    sub_id = pay(stripe_site, member, gold)
    row = Subscription.objects.get(provider_subscription_id=sub_id)
    stripe_site.fail_next_payment(sub_id, count=10)

    stripe_site.advance_time(sub_id, to=row.current_period_end + timedelta(hours=1))
    row.refresh_from_db()
    assert row.status == "past_due"
    with freeze_time(row.current_period_end - timedelta(days=1)):
        assert fresh(member).has_paid_access()

    stripe_site.advance_time(sub_id, to=row.current_period_end + timedelta(days=20))
    row.refresh_from_db()
    assert row.status == "unpaid"
    assert not fresh(member).has_paid_access()
    assert fresh(member).status == MemberStatus.FREE


def test_an_offer_applies_its_discount_and_trial(stripe_site, member, gold):
    offer = Offer.objects.create(
        name="Spring",
        code="spring",
        tier=gold,
        interval="month",
        discount_kind="percent",
        discount_value=20,
        duration="repeating",
        duration_months=3,
        trial_days=14,
    )

    sub_id = pay(stripe_site, member, gold, offer=offer)

    row = Subscription.objects.get(provider_subscription_id=sub_id)
    assert row.status == "trialing"
    assert row.offer == offer
    coupons = stripe_site.of_kind("coupon")
    assert len(coupons) == 1 and coupons[0]["percent_off"] == 20
    offer.refresh_from_db()
    assert offer.provider_coupon_id == coupons[0]["id"]
    assert fresh(member).has_paid_access()


def test_offer_page_has_its_own_link_and_shows_the_terms(client, gold):
    Offer.objects.create(
        name="Half off",
        code="half",
        tier=gold,
        interval="year",
        discount_kind="percent",
        discount_value=50,
        duration="once",
    )

    page = client.get("/account/offer/half/")

    assert page.status_code == 200
    assert b"50% off your first payment" in page.content
    assert client.get("/account/offer/nope/").status_code == 404


def test_checkout_when_stripe_is_down_is_a_clear_502(settings, member, gold):
    settings.HERALD_PAYMENTS_PROVIDER = "stripe"
    settings.HERALD_STRIPE_API_BASE = "http://127.0.0.1:9"
    settings.HERALD_STRIPE_SECRET_KEY = "sk_test_x"
    import stripe

    saved = stripe.api_base, stripe.max_network_retries
    stripe.max_network_retries = 0
    try:
        browser = Client()
        browser.force_login(member)
        response = browser.post(
            "/account/checkout/", {"tier": "gold", "interval": "month"}
        )
    finally:
        stripe.api_base, stripe.max_network_retries = saved

    assert response.status_code == 502
    assert b"not available right now" in response.content


def test_checkout_for_an_unknown_tier_is_400(client, member):
    client.force_login(member)

    response = client.post("/account/checkout/", {"tier": "nope", "interval": "month"})

    assert response.status_code == 400


def test_checkout_needs_a_signed_in_member(client, gold):
    response = client.post("/account/checkout/", {"tier": "gold", "interval": "month"})

    assert response.status_code == 302
    assert response["Location"].startswith("/account/signin/")


def test_comp_access_lasts_until_its_end_date(member, gold, staff):
    end = timezone.now() + timedelta(days=30)
    actions.grant_comp(member, tier=gold, ends_at=end, actor=staff, reason="Press")

    assert fresh(member).status == MemberStatus.COMPED
    assert fresh(member).has_paid_access()
    event = MemberEvent.objects.get(user=member, kind=EventKind.COMP_GRANTED)
    assert event.actor == staff and event.reason == "Press"
    with freeze_time(end + timedelta(seconds=1)):
        assert not fresh(member).has_paid_access()
        actions.expire_access()
    assert fresh(member).status == MemberStatus.FREE


def test_reader_for_asks_the_database_once(member, gold, django_assert_num_queries):
    actions.grant_comp(member, tier=gold, ends_at=None)
    user = fresh(member)

    with django_assert_num_queries(1):
        reader = reader_for(user)
        reader_for(user)

    assert reader.has_paid and gold.pk in reader.tier_ids


def test_member_events_are_append_only(member):
    event = actions.record_event(member, EventKind.NOTE_CHANGED)
    event.reason = "rewritten"

    with pytest.raises(ValueError):
        event.save()
