"""Mail to readers speaks for the publication: its name, address and language;
a welcome after sign-up and a receipt after each payment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import mail
from freezegun import freeze_time

from herald.newsroom.testing import set_publication
from tests.fakes.stripe_fixtures import django_client_endpoint

from .conftest import Client, last_code, last_mail, path_of

pytestmark = pytest.mark.django_db

WEBHOOK = "/account/webhooks/payments/"


@pytest.fixture
def courier(db):
    return set_publication(
        name="The Tidewater Courier", contact_email="desk@tidewater.example"
    )


def sign_up(email: str = "new@example.org", name: str = "Ines") -> Client:
    browser = Client()
    browser.post("/account/signup/", {"email": email, "name": name})
    confirmed = browser.post("/account/code/", {"code": last_code(email)})
    assert confirmed.status_code == 302
    return browser


def test_a_new_member_gets_a_welcome_from_the_publication(courier, gold):
    sign_up()

    welcome = last_mail("new@example.org")
    assert welcome.subject == "Welcome to The Tidewater Courier"
    assert welcome.from_email == "The Tidewater Courier <desk@tidewater.example>"
    assert "Hello Ines," in welcome.body
    assert "/account/" in welcome.body and "/account/plans/" in welcome.body
    assert welcome.extra_headers["Content-Language"] == "en"


def test_the_confirmation_mail_before_it_comes_from_the_publication_too(courier):
    Client().post("/account/signup/", {"email": "new@example.org"})

    message = last_mail("new@example.org")
    assert message.from_email == "The Tidewater Courier <desk@tidewater.example>"
    assert "The Tidewater Courier" in message.subject


def test_without_a_contact_address_the_sites_sender_address_is_used(db, settings):
    settings.DEFAULT_FROM_EMAIL = "Herald <news@herald.example>"
    set_publication(name="Harbour Daily", contact_email="")

    sign_up()

    assert last_mail().from_email == "Harbour Daily <news@herald.example>"


def test_a_test_checkout_sends_one_receipt(courier, member, gold):
    browser = Client()
    browser.force_login(member)
    mail.outbox.clear()

    started = browser.post("/account/checkout/", {"tier": "gold", "interval": "year"})
    paid = browser.post(started["Location"])
    browser.get(path_of(paid["Location"]))

    receipts = [m for m in mail.outbox if m.subject.startswith("Your receipt")]
    assert len(receipts) == 1
    receipt = receipts[0]
    assert receipt.subject == "Your receipt from The Tidewater Courier"
    assert receipt.to == ["reader@example.org"]
    assert "Hello Rita," in receipt.body
    assert "Amount: 90.00 USD" in receipt.body
    assert "For: Gold (Yearly)" in receipt.body
    assert "no money was taken" in receipt.body


def test_a_stripe_payment_sends_one_receipt_for_its_two_invoice_events(
    courier, member, gold, stripe_server, settings
):
    settings.HERALD_PAYMENTS_PROVIDER = "stripe"
    # The webhook's client runs on-commit work as a real request does.
    stripe_server.add_endpoint(django_client_endpoint(WEBHOOK, client=Client()))
    browser = Client()
    browser.force_login(member)
    mail.outbox.clear()

    started = browser.post("/account/checkout/", {"tier": "gold", "interval": "month"})
    stripe_server.complete_checkout(
        started["Location"].rsplit("/", 1)[1], email=member.email
    )

    receipts = [m for m in mail.outbox if m.subject.startswith("Your receipt")]
    assert len(receipts) == 1
    assert "Amount: 9.00 USD" in receipts[0].body
    assert "no money was taken" not in receipts[0].body


def test_mail_is_in_the_publications_language_and_time_zone(db, member, gold):
    # given a publication in French, in Tahiti (UTC-10)
    set_publication(name="Le Courrier", language="fr", time_zone="Pacific/Tahiti")
    browser = Client()
    browser.force_login(member)
    mail.outbox.clear()

    # when a member pays at 03:00 UTC on 1 December (still 30 November there)
    with freeze_time(datetime(2026, 12, 1, 3, 0, tzinfo=UTC)):
        started = browser.post(
            "/account/checkout/", {"tier": "gold", "interval": "month"}
        )
        browser.post(started["Location"])

    # then the receipt is dated in French, on the publication's day
    receipt = [m for m in mail.outbox if "Le Courrier" in m.subject][-1]
    assert receipt.extra_headers["Content-Language"] == "fr"
    assert "30 novembre 2026" in receipt.body
    assert "1 décembre" not in receipt.body
