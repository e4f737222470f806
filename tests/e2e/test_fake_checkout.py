"""The fake Stripe's hosted pages in Chromium: usable by label and accessible."""

from __future__ import annotations

import re

import stripe
from axe_playwright_python.sync_playwright import Axe


def _subscription_session(stripe_server):
    product = stripe.Product.create(name="Supporter")
    price = stripe.Price.create(
        product=product.id,
        unit_amount=500,
        currency="eur",
        recurring={"interval": "month"},
    )
    return stripe.checkout.Session.create(
        mode="subscription",
        customer_email="reader@example.com",
        line_items=[{"price": price.id, "quantity": 1}],
        success_url=f"{stripe_server.url}/thanks?session={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{stripe_server.url}/plans",
    )


def test_a_reader_is_declined_then_pays_on_the_checkout_page(page, stripe_server):
    session = _subscription_session(stripe_server)
    page.goto(session.url)
    assert Axe().run(page).violations_count == 0

    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_label("Expiry date (MM / YY)").fill("12 / 40")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name="Subscribe").click()
    assert page.get_by_role("alert").inner_text() == "Your card was declined."
    assert page.get_by_label("Card number").get_attribute("aria-invalid") == "true"
    assert stripe.Subscription.list(status="all").data == []

    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_url(re.compile(r"/thanks\?session=cs_test_"))
    assert page.url.endswith(f"session={session.id}")
    assert "checkout.session.completed" in stripe_server.event_types()


def test_the_billing_portal_cancels_a_plan_from_the_keyboard(page, stripe_server):
    session = _subscription_session(stripe_server)
    done = stripe_server.complete_checkout(session.id)
    portal = stripe.billing_portal.Session.create(
        customer=done["customer"], return_url=f"{stripe_server.url}/account"
    )
    page.goto(portal.url)
    assert Axe().run(page).violations_count == 0
    page.get_by_role("button", name="Cancel plan").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/account$"))
    assert stripe.Subscription.retrieve(done["subscription"]).cancel_at_period_end
