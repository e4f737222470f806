"""The account page: name, email change, export, deletion; mail through real SMTP."""

from __future__ import annotations

import json
import socket
import time

import pytest
from django.core import mail

from herald.members import actions
from herald.members.models import (
    EventKind,
    MemberEvent,
    Payment,
    Subscription,
    User,
)

from .conftest import Client, last_link, last_mail, path_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(member) -> Client:
    browser = Client()
    browser.force_login(member)
    return browser


def test_account_page_needs_sign_in(client):
    response = client.get("/account/")

    assert response.status_code == 302
    assert response["Location"].startswith("/account/signin/?next=/account/")


def test_account_page_shows_the_member_and_no_newsletter_placeholder(signed_in):
    page = signed_in.get("/account/").content.decode()
    html = page[page.index('<section class="account">') : page.index("</main>")]

    assert "reader@example.org" in html
    assert "Free membership" in html
    assert "ewsletter" not in html


def test_changing_the_name_is_saved_and_recorded(signed_in, member):
    signed_in.post("/account/name/", {"name": "Rita Moreno"})

    assert User.objects.get(pk=member.pk).name == "Rita Moreno"
    assert MemberEvent.objects.filter(user=member, kind=EventKind.NAME_CHANGED).exists()


def test_email_change_waits_for_the_new_address_and_notifies_the_old_one(
    signed_in, member
):
    signed_in.post("/account/email/", {"email": "rita@new.example"})
    assert User.objects.get(pk=member.pk).email == "reader@example.org"
    link = path_of(last_link("rita@new.example"))

    response = Client().post(link)

    assert response.status_code == 302
    assert User.objects.get(pk=member.pk).email == "rita@new.example"
    notice = last_mail("reader@example.org")
    assert "rita@new.example" in notice.body
    assert MemberEvent.objects.filter(
        user=member, kind=EventKind.EMAIL_CHANGED
    ).exists()


def test_email_change_to_a_taken_address_changes_nothing_and_says_nothing(
    signed_in, member
):
    User.objects.create_user("taken@example.org")

    response = signed_in.post("/account/email/", {"email": "taken@example.org"})

    assert response.status_code == 302
    assert "already has an account" in last_mail("taken@example.org").body
    assert "/account/email/confirm/" not in last_mail("taken@example.org").body
    assert User.objects.get(pk=member.pk).email == "reader@example.org"


def test_email_change_with_a_bad_address_is_a_form_error(signed_in):
    response = signed_in.post("/account/email/", {"email": "nope"})

    assert response.status_code == 400
    assert b"valid email" in response.content


def test_export_gives_everything_held_as_json(signed_in, member, gold):
    actions.grant_comp(member, tier=gold, ends_at=None, reason="Press")

    response = signed_in.post("/account/export/")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "reader@example.org"
    assert data["complimentary_access"][0]["tier"] == "Gold"
    assert {e["what"] for e in data["history"]} >= {"comp_granted", "status_changed"}
    assert signed_in.get("/account/export/").status_code == 405


def test_deleting_the_account_keeps_payment_records_without_the_person(
    signed_in, member, gold
):
    sub = Subscription.objects.create(
        user=member, tier=gold, provider="dummy", provider_subscription_id="s1"
    )
    Payment.objects.create(
        user=member,
        subscription=sub,
        provider_invoice_id="in_1",
        amount=900,
        currency="USD",
        paid_at=sub.created_at,
    )
    page = signed_in.get("/account/delete/").content.decode()
    assert "What we keep" in page

    refused = signed_in.post("/account/delete/", {})
    assert refused.status_code == 400
    response = signed_in.post("/account/delete/", {"confirm": "on"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
    assert Payment.objects.get(provider_invoice_id="in_1").user is None
    assert Subscription.objects.get(pk=sub.pk).user is None
    assert MemberEvent.objects.filter(kind=EventKind.DELETED, user=None).exists()
    assert signed_in.get("/account/").status_code == 302


# --- Mail through a real SMTP server ---------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list = []

    class Collect(Message):
        def handle_message(self, message):  # type: ignore[no-untyped-def]
            received.append(message)

    controller = Controller(Collect(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    try:
        yield received
    finally:
        controller.stop()


def test_sign_in_mail_goes_out_through_smtp_with_link_and_code(smtp_server, member):
    response = Client().post("/account/signin/", {"email": "reader@example.org"})
    assert response.status_code == 302
    deadline = time.monotonic() + 5
    while not smtp_server and time.monotonic() < deadline:
        time.sleep(0.05)

    (message,) = smtp_server
    assert message["To"] == "reader@example.org"
    body = message.get_payload(decode=True).decode()
    assert "/account/signin/link/" in body
    assert mail.outbox == []  # it really went through SMTP
