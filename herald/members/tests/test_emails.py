"""Mail to readers speaks for the publication: its name, address and language;
a welcome after sign-up and a receipt after each payment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import translation
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

    # then the receipt is written and dated in French, on the publication's day
    receipt = [m for m in mail.outbox if "Le Courrier" in m.subject][-1]
    assert receipt.subject == "Votre reçu de Le Courrier"
    assert receipt.extra_headers["Content-Language"] == "fr"
    assert "Bonjour Rita," in receipt.body
    assert "Merci de soutenir Le Courrier." in receipt.body
    assert "Pour : Gold (Mensuel)" in receipt.body
    assert "Date : 30 novembre 2026" in receipt.body
    assert "1 décembre" not in receipt.body
    assert "Thank you" not in receipt.body and "Amount:" not in receipt.body


def test_sign_up_mail_and_welcome_are_in_the_publications_language(db, gold):
    set_publication(name="Le Courrier", language="fr", contact_email="a@courrier.fr")

    browser = Client()
    browser.post("/account/signup/", {"email": "new@example.org", "name": "Ines"})
    confirm = last_mail("new@example.org")
    browser.post("/account/code/", {"code": last_code("new@example.org")})
    welcome = last_mail("new@example.org")

    assert confirm.subject == "Confirmez votre adresse e-mail pour Le Courrier"
    assert "Merci de confirmer que vous souhaitez devenir membre" in confirm.body
    assert welcome.subject == "Bienvenue chez Le Courrier"
    assert welcome.from_email == "Le Courrier <a@courrier.fr>"
    assert "Bonjour Ines," in welcome.body
    assert "Votre adhésion à Le Courrier est confirmée." in welcome.body
    assert "Hello" not in confirm.body + welcome.body


EMAIL_TEMPLATES = sorted(
    path.stem
    for path in (
        Path(__file__).resolve().parents[1] / "templates" / "members" / "email"
    ).glob("*.txt")
)


@pytest.mark.parametrize("template", EMAIL_TEMPLATES)
def test_every_mail_to_readers_has_its_french_text(template):
    """A new mail template without French text fails here, not in an inbox."""
    context = {
        "publication_name": "Le Courrier",
        "greeting_name": " Rita",
        "link": "https://x.example/l",
        "code": "123 456",
        "minutes": 10,
        "amount": "9.00 EUR",
        "tier": "Gold",
        "interval": "Monthly",
        "paid_at": datetime(2026, 12, 1, tzinfo=UTC),
        "reference": "in_1",
        "test_payment": True,
        "account_url": "https://x.example/account/",
        "plans_url": "https://x.example/plans/",
        "signup_url": "https://x.example/signup/",
        "admin_url": "https://x.example/admin/",
        "new_email": "b@x.example",
    }

    def render(language: str) -> list[str]:
        with translation.override(language):
            text = render_to_string(f"members/email/{template}.txt", context)
        return [line.strip() for line in text.splitlines() if line.strip()]

    english, french = render("en"), render("fr")

    assert french[0] != english[0]  # the subject
    untranslated = [
        line
        for line in french
        if line in english and "://" not in line and line != context["code"]
    ]
    assert untranslated == []
