"""The fake Stripe, driven only through the real ``stripe`` SDK and plain HTTP."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import stripe

from tests.fakes.stripe_fixtures import django_client_endpoint

GOOD_CARD = {"card_number": "4242 4242 4242 4242", "expiry": "12 / 40", "cvc": "123"}


class Receiver:
    """A tiny webhook endpoint: records each POST and answers ``status``."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        serve = lambda: self.httpd.serve_forever(poll_interval=0.05)  # noqa: E731
        threading.Thread(target=serve, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/stripe/webhook/"

    def events(self, secret: str) -> list[stripe.Event]:
        """Every received body, verified the way Herald verifies it."""
        return [
            stripe.Webhook.construct_event(body, headers["Stripe-Signature"], secret)
            for headers, body in self.requests
        ]


@pytest.fixture
def receiver(stripe_server):
    receiver = Receiver()
    stripe_server.add_endpoint(receiver.url)
    yield receiver
    receiver.httpd.shutdown()
    receiver.httpd.server_close()


@pytest.fixture
def monthly_price(stripe_server):
    product = stripe.Product.create(name="Supporter")
    return stripe.Price.create(
        product=product.id,
        unit_amount=500,
        currency="eur",
        recurring={"interval": "month"},
        lookup_key="supporter_monthly",
    )


def checkout(price, **params):
    params.setdefault(
        "success_url", "http://127.0.0.1:9/ok?session={CHECKOUT_SESSION_ID}"
    )
    params.setdefault("cancel_url", "http://127.0.0.1:9/plans")
    return stripe.checkout.Session.create(
        mode="subscription", line_items=[{"price": price.id, "quantity": 1}], **params
    )


def paid_subscription(stripe_server, price, **params):
    params.setdefault("customer_email", "reader@example.com")
    session = checkout(price, **params)
    stripe_server.complete_checkout(session.id)
    return stripe.Subscription.retrieve(
        stripe.checkout.Session.retrieve(session.id).subscription
    )


def period_end(subscription) -> int:
    return subscription["items"]["data"][0]["current_period_end"]


# ------------------------------------------------------------------ plumbing
def test_fixture_points_the_sdk_and_herald_settings_at_the_server(
    stripe_server, settings
):
    assert stripe.api_base == stripe_server.url
    assert stripe.api_base.startswith("http://127.0.0.1:")
    assert stripe_server.url == settings.HERALD_STRIPE_API_BASE
    assert stripe_server.webhook_secret == settings.HERALD_STRIPE_WEBHOOK_SECRET
    assert stripe.api_key == settings.HERALD_STRIPE_SECRET_KEY


def test_new_style_stripe_client_reaches_the_server(stripe_client, stripe_server):
    customer = stripe_client.v1.customers.create(params={"email": "a@example.com"})
    listed = stripe_client.v1.customers.list(params={"email": "a@example.com"})
    assert [c.id for c in listed.data] == [customer.id]
    assert customer.id in stripe_server.objects


def test_a_wrong_api_key_is_refused(stripe_server):
    with pytest.raises(stripe.AuthenticationError):
        stripe.Customer.create(email="a@example.com", api_key="sk_test_wrong_key_1234")
    assert stripe.Customer.list().data == []


# ------------------------------------------------------------ plain resources
def test_catalog_and_customers_have_stripe_shapes(stripe_server, monthly_price):
    assert monthly_price.id.startswith("price_")
    assert monthly_price.product.startswith("prod_")
    assert monthly_price.recurring.interval == "month"
    assert monthly_price.livemode is False and monthly_price.object == "price"
    yearly = stripe.Price.create(
        product=monthly_price.product,
        unit_amount=5000,
        currency="EUR",
        recurring={"interval": "year"},
    )
    assert yearly.currency == "eur"
    listed = stripe.Price.list(product=monthly_price.product, active=True)
    assert {p.id for p in listed.data} == {monthly_price.id, yearly.id}
    by_key = stripe.Price.list(lookup_keys=["supporter_monthly"])
    assert [p.id for p in by_key.data] == [monthly_price.id]

    customer = stripe.Customer.create(
        email="a@example.com", name="Ada", metadata={"herald_user": "7"}
    )
    assert customer.id.startswith("cus_") and customer.metadata.herald_user == "7"
    updated = stripe.Customer.modify(customer.id, name="Ada L.", metadata={"x": "1"})
    assert updated.name == "Ada L." and updated.metadata.to_dict() == {
        "herald_user": "7",
        "x": "1",
    }
    assert stripe.Customer.retrieve(customer.id).name == "Ada L."
    found = stripe.Customer.search(query="email:'a@example.com'")
    assert [c.id for c in found.data] == [customer.id]
    assert stripe.Customer.list(email="b@example.com").data == []


def test_lists_paginate_newest_first(stripe_server):
    made = [stripe.Customer.create(email=f"r{i}@example.com").id for i in range(12)]
    first = stripe.Customer.list(limit=5)
    assert first.has_more and [c.id for c in first.data] == made[::-1][:5]
    assert [c.id for c in stripe.Customer.list().auto_paging_iter()] == made[::-1]


def test_coupons_check_their_terms(stripe_server):
    coupon = stripe.Coupon.create(
        id="LAUNCH", percent_off=25, duration="repeating", duration_in_months=3
    )
    assert coupon.id == "LAUNCH" and coupon.percent_off == 25
    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe.Coupon.create(percent_off=10, duration="repeating")
    assert error.value.param == "duration_in_months"
    with pytest.raises(stripe.InvalidRequestError):
        stripe.Coupon.create(amount_off=300, duration="once")  # no currency
    promo = stripe.PromotionCode.create(
        promotion={"type": "coupon", "coupon": "LAUNCH"}, code="SPRING"
    )
    assert promo.id.startswith("promo_") and promo.promotion.coupon == "LAUNCH"


# ------------------------------------------------------------------- errors
def test_errors_have_stripe_status_codes_and_bodies(stripe_server, monthly_price):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe.Customer.retrieve("cus_doesnotexist")
    assert missing.value.http_status == 404
    assert missing.value.code == "resource_missing"
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        stripe.Customer.create(emial="typo@example.com")
    assert (unknown.value.http_status, unknown.value.param) == (400, "emial")
    with pytest.raises(stripe.InvalidRequestError) as no_url:
        stripe.checkout.Session.create(
            mode="subscription", line_items=[{"price": monthly_price.id}]
        )
    assert no_url.value.code == "parameter_missing"
    assert no_url.value.param == "success_url"

    raw = requests.get(
        f"{stripe_server.url}/v1/subscriptions/sub_nope",
        headers={"Authorization": f"Bearer {stripe_server.api_key}"},
    )
    assert raw.status_code == 404
    assert set(raw.json()["error"]) >= {"type", "code", "message", "param"}


def test_a_declined_invoice_payment_is_a_402_card_error(stripe_server, monthly_price):
    subscription = paid_subscription(stripe_server, monthly_price)
    stripe_server.fail_next_payment(subscription.id, count=2)
    stripe_server.advance_time(subscription.id, to=period_end(subscription))
    with pytest.raises(stripe.CardError) as declined:
        stripe.Invoice.pay(stripe.Subscription.retrieve(subscription.id).latest_invoice)
    assert declined.value.http_status == 402
    assert declined.value.code == "card_declined"


def test_idempotency_key_replays_the_first_response(stripe_server):
    first = stripe.Customer.create(email="a@example.com", idempotency_key="signup-7")
    again = stripe.Customer.create(email="a@example.com", idempotency_key="signup-7")
    assert again.id == first.id
    assert len(stripe.Customer.list().data) == 1
    with pytest.raises(stripe.IdempotencyError):
        stripe.Customer.create(email="b@example.com", idempotency_key="signup-7")


# ------------------------------------------------------------------ checkout
def test_paying_on_the_hosted_page_subscribes_and_signs_webhooks(
    stripe_server, receiver, monthly_price
):
    session = checkout(
        monthly_price,
        customer_email="reader@example.com",
        client_reference_id="user-7",
        metadata={"tier": "supporter"},
    )
    assert session.id.startswith("cs_test_") and session.status == "open"
    assert session.url.startswith(stripe_server.url)
    form = requests.get(session.url)
    assert form.status_code == 200
    assert '<label for="card_number">Card number</label>' in form.text
    assert 'href="http://127.0.0.1:9/plans"' in form.text  # the cancel link

    paid = requests.post(session.url, data=GOOD_CARD, allow_redirects=False)

    assert paid.status_code == 303
    assert paid.headers["Location"] == f"http://127.0.0.1:9/ok?session={session.id}"
    events = receiver.events(stripe_server.webhook_secret)
    assert [e.type for e in events] == [
        "customer.created",
        "customer.subscription.created",
        "invoice.paid",
        "invoice.payment_succeeded",
        "checkout.session.completed",
    ]
    completed = events[-1].data.object
    assert completed.client_reference_id == "user-7"
    assert completed.metadata.tier == "supporter"
    assert completed.payment_status == "paid"
    done = stripe.checkout.Session.retrieve(session.id, expand=["subscription"])
    assert done.status == "complete"
    assert done.subscription.status == "active"
    assert done.subscription.customer == done.customer
    assert done.subscription["items"]["data"][0]["price"]["id"] == monthly_price.id
    invoice = stripe.Invoice.retrieve(done.subscription.latest_invoice)
    assert (invoice.status, invoice.amount_paid) == ("paid", 500)
    assert invoice.parent.subscription_details.subscription == done.subscription.id
    listed = stripe.Subscription.list(expand=["data.customer"])
    assert listed.data[0].customer.email == "reader@example.com"


def test_a_declined_card_shows_the_error_and_subscribes_nobody(
    stripe_server, receiver, monthly_price
):
    session = checkout(monthly_price, customer_email="reader@example.com")
    declined = requests.post(
        session.url, data={**GOOD_CARD, "card_number": "4000 0000 0000 0002"}
    )
    assert declined.status_code == 402
    assert '<p role="alert" id="error">Your card was declined.</p>' in declined.text
    assert stripe.Subscription.list(status="all").data == []
    assert receiver.requests == []
    assert stripe.checkout.Session.retrieve(session.id).status == "open"


def test_an_existing_customer_gets_a_trial_and_a_coupon(stripe_server, monthly_price):
    customer = stripe.Customer.create(email="member@example.com")
    stripe.Coupon.create(id="HALF", percent_off=50, duration="repeating",
                         duration_in_months=2)  # fmt: skip
    session = checkout(
        monthly_price,
        customer=customer.id,
        discounts=[{"coupon": "HALF"}],
        subscription_data={"trial_period_days": 14},
    )
    done = stripe_server.complete_checkout(session.id)
    assert done["payment_status"] == "no_payment_required"
    subscription = stripe.Subscription.retrieve(done["subscription"])
    assert subscription.status == "trialing"
    assert subscription.trial_end - subscription.trial_start == 14 * 86_400
    assert period_end(subscription) == subscription.trial_end

    stripe_server.advance_time(subscription.id, to=subscription.trial_end)
    after_trial = stripe.Subscription.retrieve(subscription.id)
    assert after_trial.status == "active"
    assert stripe.Invoice.retrieve(after_trial.latest_invoice).amount_paid == 250
    stripe_server.advance_time(subscription.id, to=subscription.trial_end + 70 * 86_400)
    later = stripe.Invoice.retrieve(
        stripe.Subscription.retrieve(subscription.id).latest_invoice
    )
    assert later.amount_paid == 500  # the two discounted months are over


def test_a_promotion_code_typed_on_the_page_applies(stripe_server, monthly_price):
    stripe.Coupon.create(id="FIVER", amount_off=100, currency="eur", duration="forever")
    stripe.PromotionCode.create(
        promotion={"type": "coupon", "coupon": "FIVER"}, code="SPRING"
    )
    session = checkout(
        monthly_price, customer_email="r@example.com", allow_promotion_codes=True
    )
    wrong = requests.post(session.url, data={**GOOD_CARD, "promotion_code": "WINTER"})
    assert wrong.status_code == 400 and "This code is invalid." in wrong.text
    code = {**GOOD_CARD, "promotion_code": "spring"}
    requests.post(session.url, data=code, allow_redirects=False)
    done = stripe.checkout.Session.retrieve(session.id, expand=["invoice"])
    assert done.invoice.amount_paid == 400


# ------------------------------------------------------------ subscriptions
def test_cancel_at_period_end_ends_the_subscription_on_time(
    stripe_server, receiver, monthly_price
):
    subscription = paid_subscription(stripe_server, monthly_price)
    updated = stripe.Subscription.modify(subscription.id, cancel_at_period_end=True)
    assert updated.status == "active" and updated.cancel_at == period_end(updated)
    stripe_server.wait_for_webhooks()
    last = receiver.events(stripe_server.webhook_secret)[-1]
    assert last.type == "customer.subscription.updated"
    assert last.data.previous_attributes.cancel_at_period_end is False

    stripe_server.advance_time(subscription.id, to=period_end(updated) - 1)
    assert stripe.Subscription.retrieve(subscription.id).status == "active"
    stripe_server.advance_time(subscription.id, to=period_end(updated))
    assert stripe.Subscription.retrieve(subscription.id).status == "canceled"
    assert stripe_server.event_types()[-1] == "customer.subscription.deleted"
    assert stripe.Subscription.list(customer=subscription.customer).data == []


def test_cancelling_now_and_twice(stripe_server, monthly_price):
    subscription = paid_subscription(stripe_server, monthly_price)
    canceled = stripe.Subscription.cancel(subscription.id)
    assert canceled.status == "canceled" and canceled.ended_at
    with pytest.raises(stripe.InvalidRequestError):
        stripe.Subscription.cancel(subscription.id)


def test_failed_renewals_go_past_due_then_unpaid(stripe_server, monthly_price):
    subscription = paid_subscription(stripe_server, monthly_price)
    stripe_server.fail_next_payment(subscription.id, count=3)
    stripe_server.advance_time(subscription.id, to=period_end(subscription))
    assert stripe.Subscription.retrieve(subscription.id).status == "past_due"
    assert stripe_server.event_types()[-2:] == [
        "invoice.payment_failed",
        "customer.subscription.updated",
    ]
    stripe_server.advance_time(
        subscription.id, to=period_end(subscription) + 10 * 86_400
    )
    assert stripe.Subscription.retrieve(subscription.id).status == "unpaid"
    assert stripe_server.event_types().count("invoice.payment_failed") == 3


def test_a_retried_payment_brings_the_subscription_back(stripe_server, monthly_price):
    subscription = paid_subscription(stripe_server, monthly_price)
    stripe_server.fail_next_payment(subscription.id)
    stripe_server.advance_time(subscription.id, to=period_end(subscription))
    assert stripe_server.retry_payment(subscription.id) is True
    assert stripe.Subscription.retrieve(subscription.id).status == "active"


# -------------------------------------------------------------------- portal
def test_the_portal_cancels_at_period_end_and_returns(
    stripe_server, receiver, monthly_price
):
    subscription = paid_subscription(stripe_server, monthly_price)
    portal = stripe.billing_portal.Session.create(
        customer=subscription.customer, return_url="http://127.0.0.1:9/account"
    )
    assert portal.id.startswith("bps_") and portal.url.startswith(stripe_server.url)
    shown = requests.get(portal.url)
    assert "Supporter: 5.00 EUR per month" in shown.text
    form = {"subscription": subscription.id, "action": "cancel"}
    done = requests.post(portal.url, data=form, allow_redirects=False)
    assert (done.status_code, done.headers["Location"]) == (303, portal.return_url)
    assert receiver.events(stripe_server.webhook_secret)[-1].type == (
        "customer.subscription.updated"
    )
    assert stripe.Subscription.retrieve(subscription.id).cancel_at_period_end is True


def test_the_portal_switches_price_and_cancels_now(stripe_server, monthly_price):
    subscription = paid_subscription(stripe_server, monthly_price)
    yearly = stripe.Price.create(
        product=monthly_price.product,
        unit_amount=5000,
        currency="eur",
        recurring={"interval": "year"},
    )
    portal = stripe.billing_portal.Session.create(customer=subscription.customer)
    stripe_server.portal_action(
        portal.id,
        {"subscription": subscription.id, "action": "switch", "price": yearly.id},
    )
    switched = stripe.Subscription.retrieve(subscription.id)
    assert switched["items"]["data"][0]["price"]["id"] == yearly.id
    updated = stripe_server.events[-1]
    assert updated["type"] == "customer.subscription.updated"
    previous = updated["data"]["previous_attributes"]["items"]["data"][0]
    assert previous["price"]["id"] == monthly_price.id
    form = {"subscription": subscription.id, "action": "cancel_now"}
    requests.post(portal.url, data=form)
    assert stripe.Subscription.retrieve(subscription.id).status == "canceled"
    assert stripe_server.event_types()[-1] == "customer.subscription.deleted"


def test_the_portal_refuses_another_customers_subscription(
    stripe_server, monthly_price
):
    theirs = paid_subscription(stripe_server, monthly_price, customer_email="b@x.org")
    mine = stripe.Customer.create(email="a@x.org")
    portal = stripe.billing_portal.Session.create(customer=mine.id)
    form = {"subscription": theirs.id, "action": "cancel_now"}
    refused = requests.post(portal.url, data=form)
    assert refused.status_code == 404
    assert stripe.Subscription.retrieve(theirs.id).status == "active"


# ------------------------------------------------------------------ webhooks
def test_a_tampered_or_foreign_webhook_fails_verification(stripe_server, receiver):
    stripe.Customer.create(email="a@example.com")
    stripe_server.wait_for_webhooks()
    headers, body = receiver.requests[0]
    signature = headers["Stripe-Signature"]
    assert signature.startswith("t=") and ",v1=" in signature
    assert stripe.Webhook.construct_event(body, signature, stripe_server.webhook_secret)
    tampered = body.replace(b"a@example.com", b"b@example.com")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            tampered, signature, stripe_server.webhook_secret
        )
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, signature, "whsec_someone_else")


def test_events_can_be_held_then_delivered_out_of_order_and_twice(
    stripe_server, receiver, monthly_price
):
    stripe_server.auto_deliver = False
    paid_subscription(stripe_server, monthly_price)
    assert receiver.requests == []
    sent = stripe_server.event_types()

    stripe_server.deliver(order="reversed")
    received = receiver.events(stripe_server.webhook_secret)
    assert [e.type for e in received] == sent[::-1]

    stripe_server.resend(received[0].id)
    again = receiver.events(stripe_server.webhook_secret)[-1]
    assert again.id == received[0].id
    assert receiver.requests[-1][1] == receiver.requests[0][1]  # same body
    assert stripe_server.deliver() == []  # nothing left pending


def test_failed_deliveries_are_recorded(stripe_server, receiver):
    receiver.status = 400
    event = stripe_server.send_event(
        "customer.updated", {"id": "cus_x", "object": "customer"}
    )
    assert [(d.event_id, d.status) for d in stripe_server.deliveries] == [
        (event["id"], 400)
    ]


def test_an_in_process_endpoint_receives_events_when_flushed(stripe_server):
    received = []
    stripe_server.add_endpoint(
        lambda payload, headers: received.append(payload) or (200, "")
    )
    stripe.Customer.create(email="a@example.com")  # made in the server's thread
    assert received == []
    stripe_server.flush()
    assert json.loads(received[0])["type"] == "customer.created"


def test_the_django_client_endpoint_posts_signed_json(stripe_server, db):
    stripe_server.add_endpoint(django_client_endpoint("/no-such-webhook/"))
    stripe_server.send_event("invoice.paid", {"id": "in_x", "object": "invoice"})
    assert stripe_server.deliveries[-1].status == 404  # reached Django's URLconf


def test_advance_time_takes_an_aware_datetime(stripe_server, monthly_price):
    subscription = paid_subscription(stripe_server, monthly_price)
    end = datetime.fromtimestamp(period_end(subscription), UTC)
    stripe_server.advance_time(to=end)
    renewed = stripe.Subscription.retrieve(subscription.id)
    assert period_end(renewed) > period_end(subscription)
    assert stripe_server.now() >= period_end(subscription)
