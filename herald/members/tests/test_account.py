"""The account page: name, email change, export, deletion; mail through real SMTP."""

from __future__ import annotations

import json

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
from herald.outbox.models import MessageState, OutboundMessage

from .conftest import Client, last_code, last_link, last_mail, path_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(member) -> Client:
    browser = Client()
    browser.force_login(member)
    return browser


def prove_inbox(browser: Client, email: str = "reader@example.org") -> None:
    """Ask for a confirmation code and type it, as the member does."""
    asked = browser.post("/account/confirm/", {"next": "/account/"})
    assert asked.status_code == 302, asked
    typed = browser.post("/account/confirm/code/", {"code": last_code(email)})
    assert typed.status_code == 302, typed.content


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
    prove_inbox(signed_in)
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
    prove_inbox(signed_in)

    response = signed_in.post("/account/email/", {"email": "taken@example.org"})

    assert response.status_code == 302
    assert "already has an account" in last_mail("taken@example.org").body
    assert "/account/email/confirm/" not in last_mail("taken@example.org").body
    assert User.objects.get(pk=member.pk).email == "reader@example.org"


def test_email_change_with_a_bad_address_is_a_form_error(signed_in):
    prove_inbox(signed_in)
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
    prove_inbox(signed_in)
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


# --- Sessions and fresh proof of the inbox ------------------------------------


def test_confirming_a_new_email_ends_every_other_session(member):
    # given: the member is signed in on a phone and a laptop
    laptop, phone = Client(), Client()
    laptop.force_login(member)
    phone.force_login(member)
    prove_inbox(laptop)
    laptop.post("/account/email/", {"email": "rita@new.example"})
    link = path_of(last_link("rita@new.example"))

    # when: the change is confirmed on the laptop
    laptop.post(link)

    # then: the laptop stays signed in, the phone is signed out
    assert User.objects.get(pk=member.pk).email == "rita@new.example"
    assert laptop.get("/account/").status_code == 200
    stale = phone.get("/account/")
    assert stale.status_code == 302
    assert "rita@new.example" not in stale.content.decode()


def test_deleting_the_account_needs_a_fresh_code_from_the_inbox(signed_in, member):
    page = signed_in.get("/account/delete/")
    assert page.status_code == 200
    assert 'action="/account/confirm/"' in page.content.decode()

    refused = signed_in.post("/account/delete/", {"confirm": "on"})

    assert refused.status_code == 403
    assert User.objects.filter(pk=member.pk).exists()


def test_email_change_needs_a_fresh_code_from_the_inbox(signed_in, member):
    response = signed_in.post("/account/email/", {"email": "rita@new.example"})

    assert response.status_code == 302
    assert response["Location"].startswith("/account/confirm/")
    assert not [m for m in mail.outbox if "rita@new.example" in m.to]
    assert User.objects.get(pk=member.pk).email == "reader@example.org"


def test_the_inbox_proof_goes_to_the_current_address_and_works_once(signed_in, member):
    prove_inbox(signed_in)
    code = last_code("reader@example.org")
    signed_in.post("/account/email/", {"email": "rita@new.example"})

    # The proof was spent on that request; the same code cannot be typed again.
    again = signed_in.post("/account/confirm/code/", {"code": code})
    refused = signed_in.post("/account/delete/", {"confirm": "on"})

    assert again.status_code == 302
    assert again["Location"] == "/account/confirm/"  # asked to start over
    assert refused.status_code == 403
    assert User.objects.filter(pk=member.pk).exists()


def test_a_wrong_inbox_code_is_a_form_error_and_proves_nothing(signed_in, member):
    signed_in.post("/account/confirm/", {"next": "/account/delete/"})

    wrong = signed_in.post("/account/confirm/code/", {"code": "000000"})
    refused = signed_in.post("/account/delete/", {"confirm": "on"})

    if last_code("reader@example.org") == "000000":  # one chance in a million
        pytest.skip("the random code happened to be the guess")
    assert wrong.status_code == 400
    assert refused.status_code == 403
    assert User.objects.filter(pk=member.pk).exists()


def test_the_inbox_proof_expires_after_a_few_minutes(signed_in, member):
    from datetime import timedelta

    from django.utils import timezone
    from freezegun import freeze_time

    prove_inbox(signed_in)

    with freeze_time(timezone.now() + timedelta(minutes=11)):
        refused = signed_in.post("/account/delete/", {"confirm": "on"})

    assert refused.status_code == 403
    assert User.objects.filter(pk=member.pk).exists()


def test_an_inbox_link_of_another_member_proves_nothing(signed_in, member):
    other = User.objects.create_user("other@example.org")
    thief = Client()
    thief.force_login(other)
    signed_in.post("/account/confirm/", {"next": "/account/"})
    link = path_of(last_link("reader@example.org"))

    used = thief.post(link)
    refused = thief.post("/account/delete/", {"confirm": "on"})

    assert used.status_code == 403
    assert refused.status_code == 403
    assert User.objects.filter(pk=other.pk).exists()


def test_the_inbox_link_proves_the_member_in_their_own_browser(signed_in, member):
    signed_in.post("/account/confirm/", {"next": "/account/delete/"})
    link = path_of(last_link("reader@example.org"))
    assert signed_in.get(link).status_code == 200  # a button, not used yet

    used = signed_in.post(link)
    deleted = signed_in.post("/account/delete/", {"confirm": "on"})

    assert used.status_code == 302
    assert used["Location"] == "/account/delete/"
    assert deleted.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()


# --- Deletion leaves nothing personal; expired data is purged -----------------


def test_deleting_the_account_leaves_no_name_or_email_behind(signed_in, member):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.utils import timezone

    from herald.members.models import LoginToken

    # given: history naming the member, a pending sign-up token for an old
    # address, and admin sign-in attempts typed with the address
    actions.change_name(member, name="Rita Moreno")
    MemberEvent.objects.create(
        user=member,
        kind=EventKind.EMAIL_CHANGED,
        data={"from": "rita.old@example.org", "to": "reader@example.org"},
    )
    actions.request_signup("rita.old@example.org", name="Rita Moreno")
    actions.request_signin("reader@example.org")
    now = timezone.now()
    for address in ("reader@example.org", "rita.old@example.org"):
        AccessAttempt.objects.create(
            username=address,
            ip_address="192.0.2.1",
            user_agent="test",
            failures_since_start=1,
            attempt_time=now,
        )
        AccessLog.objects.create(
            username=address, ip_address="192.0.2.1", user_agent="t", attempt_time=now
        )
        AccessFailureLog.objects.create(
            username=address, ip_address="192.0.2.1", user_agent="t", attempt_time=now
        )
    prove_inbox(signed_in)

    # when
    response = signed_in.post("/account/delete/", {"confirm": "on"})

    # then
    assert response.status_code == 302
    traces = ("Rita", "Moreno", "reader@example.org", "rita.old@example.org")
    for event in MemberEvent.objects.all():
        text = json.dumps(event.data) + event.reason
        assert not any(t in text for t in traces), event.data
    for token in LoginToken.objects.all():
        text = token.email + json.dumps(token.data)
        assert not any(t in text for t in traces), token
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        assert not model.objects.filter(username__icontains="example.org").exists()
    assert MemberEvent.objects.filter(kind=EventKind.DELETED).exists()


def test_purge_removes_expired_tokens_sessions_and_old_login_logs(member, settings):
    from datetime import timedelta
    from importlib import import_module

    from axes.models import AccessAttempt, AccessLog
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from herald.members import tasks
    from herald.members.models import LoginToken

    # given: a non-default retention, expired and fresh rows of each kind
    settings.HERALD_AUTH_LOG_RETENTION_DAYS = 7
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    now = timezone.now()
    expired = actions.request_signin("reader@example.org")
    LoginToken.objects.filter(pk=expired.pk).update(expires_at=now - timedelta(days=2))
    fresh = actions.request_signin("reader@example.org")
    store = import_module(settings.SESSION_ENGINE).SessionStore
    old_session, live_session = store(), store()
    old_session.set_expiry(now - timedelta(days=1))
    old_session.create()
    live_session.create()
    old_log = AccessLog.objects.create(
        username="a@example.org", ip_address="192.0.2.1", user_agent="t"
    )
    AccessLog.objects.filter(pk=old_log.pk).update(attempt_time=now - timedelta(days=8))
    new_log = AccessLog.objects.create(
        username="b@example.org", ip_address="192.0.2.1", user_agent="t"
    )
    old_attempt = AccessAttempt.objects.create(
        username="a@example.org",
        ip_address="192.0.2.1",
        user_agent="t",
        failures_since_start=3,
    )
    AccessAttempt.objects.filter(pk=old_attempt.pk).update(
        attempt_time=now - timedelta(days=8)
    )

    # when: the beat task runs twice
    first = tasks.purge_expired_data()
    second = tasks.purge_expired_data()

    # then
    assert not LoginToken.objects.filter(pk=expired.pk).exists()
    assert LoginToken.objects.filter(pk=fresh.pk).exists()
    assert not Session.objects.filter(session_key=old_session.session_key).exists()
    assert Session.objects.filter(session_key=live_session.session_key).exists()
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [new_log.pk]
    assert not AccessAttempt.objects.filter(pk=old_attempt.pk).exists()
    assert first["login_tokens"] == 1
    assert second == dict.fromkeys(second, 0)


def test_the_purge_runs_on_the_beat_schedule(settings):
    from herald.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "herald.members.tasks.purge_expired_data" in scheduled
    assert "herald.members.tasks.purge_expired_data" in app.tasks


# --- Mail through a real SMTP server ---------------------------------------------


def test_sign_in_mail_goes_out_through_smtp_with_link_and_code(smtp_sink, member):
    response = Client().post("/account/signin/", {"email": "reader@example.org"})
    assert response.status_code == 302

    # It left through the outbox (kept, then sent after the request's commit).
    (delivered,) = smtp_sink.received
    message = delivered.message
    assert message["To"] == "reader@example.org"
    assert message["From"] == "Herald <news@localhost>"
    assert "/account/signin/link/" in delivered.text
    assert mail.outbox == []  # it really went through SMTP
    (kept,) = OutboundMessage.objects.all()
    assert kept.state == MessageState.SENT
    assert kept.to == ["reader@example.org"]


def test_member_mail_comes_from_the_publication_name(smtp_sink, member):
    # given a publication whose name needs quoting in a From header
    from wagtail.models import Site

    from herald.newsroom.models import PublicationSettings

    publication = PublicationSettings.for_site(Site.objects.get(is_default_site=True))
    publication.name = "Ferry, Daily & Co"
    publication.save()

    Client().post("/account/signin/", {"email": "reader@example.org"})

    (delivered,) = smtp_sink.received
    assert delivered.message["From"] == '"Ferry, Daily & Co" <news@localhost>'
    assert delivered.message["From"].addresses[0].display_name == "Ferry, Daily & Co"
