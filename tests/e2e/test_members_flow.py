"""A reader signs up, confirms, signs in by link and by code, hits the paywall on a
paid article, pays on the local Stripe server's checkout page and reads it all."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from herald.members.models import AccessLevel, Subscription, Tier, User
from herald.newsroom.testing import make_article, make_section

EMAIL = "newreader@example.org"
LINK_RE = re.compile(r"https?://\S+/account/\S+/")
CODE_RE = re.compile(r"\b(\d{3}) (\d{3})\b")


def last_mail_to(email: str) -> str:
    bodies = [m.body for m in mail.outbox if email in m.to]
    assert bodies, f"no mail to {email}"
    return bodies[-1]


@pytest.fixture
def paid_site(live_server, stripe_server, settings):
    settings.HERALD_PAYMENTS_PROVIDER = "stripe"
    settings.BASE_URL = live_server.url
    stripe_server.add_endpoint(f"{live_server.url}/account/webhooks/payments/")
    Tier.objects.create(name="Gold", slug="gold", monthly_price=900, yearly_price=9000)
    section = make_section("Investigations")
    article = make_article(
        section,
        "The harbour contracts",
        paragraphs=[
            "The council signed three contracts last spring.",
            "WHOLESTORY: the invoices show the same supplier behind all three.",
        ],
        paywall_after=1,
        access_level=AccessLevel.PAID,
    )
    mail.outbox.clear()
    return article


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/account/")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(re.compile(r"/$"))


def test_reader_signs_up_signs_in_pays_and_reads_the_whole_article(
    page, paid_site, stripe_server
):
    article = paid_site

    # The paywall: a preview and an offer, not the story.
    page.goto(article.url)
    assert page.locator(".paywall-offer").is_visible()
    assert "WHOLESTORY" not in page.content()
    page.get_by_role("link", name="Sign up and subscribe").click()

    # Sign up, confirm by the emailed link (GET shows a button, POST confirms).
    page.locator("#main").get_by_label("Email address", exact=True).fill(EMAIL)
    # (the footer has a newsletter sign-up of its own)
    page.locator("#main").get_by_role("button", name="Sign up").click()
    page.wait_for_url(re.compile(r"/account/code/$"))
    assert not User.objects.filter(email=EMAIL).exists()
    page.goto(LINK_RE.search(last_mail_to(EMAIL)).group(0))
    page.get_by_role("button", name="Confirm and sign in").click()
    # (back to the story after paying: the plans page carries where to go next)
    page.wait_for_url(re.compile(r"/account/plans/(\?next=[^&]+)?$"))
    assert User.objects.filter(email=EMAIL).exists()

    # Sign in again by link.
    sign_out(page)
    page.goto("/account/signin/")
    page.locator("#main").get_by_label("Email address", exact=True).fill(EMAIL)
    page.get_by_role("button", name="Email me a link").click()
    page.wait_for_url(re.compile(r"/account/code/$"))
    page.goto(LINK_RE.search(last_mail_to(EMAIL)).group(0))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/account/$"))

    # And by code, typed on the page that sent it.
    sign_out(page)
    page.goto("/account/signin/")
    page.locator("#main").get_by_label("Email address", exact=True).fill(EMAIL)
    page.get_by_role("button", name="Email me a link").click()
    page.wait_for_url(re.compile(r"/account/code/$"))
    first, second = CODE_RE.search(last_mail_to(EMAIL)).groups()
    page.get_by_label("Six-digit code").fill(first + second)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/account/$"))

    # A free member still meets the paywall, now as an upgrade.
    page.goto(article.url)
    assert page.locator(".paywall-offer").is_visible()
    assert "WHOLESTORY" not in page.content()
    page.get_by_role("link", name="Choose a plan").click()
    page.get_by_role("button", name="9.00 USD a month").click()

    # The local Stripe server's hosted checkout.
    page.wait_for_url(re.compile(re.escape(stripe_server.url) + r"/c/pay/"))
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry date (MM / YY)").fill("12 / 40")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name="Subscribe").click()
    # Back on the story the reader subscribed from (through the done page).
    page.wait_for_url(re.compile(re.escape(article.url) + "$"))
    stripe_server.wait_for_webhooks()
    assert Subscription.objects.get(user__email=EMAIL).status == "active"

    # The whole article.
    page.goto(article.url)
    assert "WHOLESTORY" in page.content()
    assert page.locator(".paywall-offer").count() == 0
