"""send_batch: many messages, one connection, one outcome per recipient."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMultiAlternatives

from herald.outbox import actions
from herald.outbox.batch import Outcome, merge_field, send_batch
from herald.outbox.models import OutboundMessage

pytestmark = pytest.mark.django_db

READERS = ["ana@example.org", "ben@example.org", "cy@example.org"]


def _newsletter(recipients=READERS, provider=None) -> EmailMultiAlternatives:
    link = merge_field("unsubscribe_url", provider=provider)
    message = EmailMultiAlternatives(
        subject="The Friday Ferry",
        body=f"This week's stories.\nUnsubscribe: {link}\n",
        from_email="The Daily Ferry <letters@ferry.example>",
        to=list(recipients),
    )
    message.attach_alternative(
        f'<p>Stories. <a href="{link}">Unsubscribe</a></p>', "text/html"
    )
    message.merge_data = {
        a: {"unsubscribe_url": f"https://ferry.example/u/{a.split('@')[0]}/"}
        for a in recipients
    }
    message.merge_headers = {
        a: {
            "List-Unsubscribe": f"<https://ferry.example/u/{a.split('@')[0]}/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        for a in recipients
    }
    return message


def test_smtp_batch_sends_one_email_per_reader_over_one_connection(
    smtp_sink, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):  # the suppression list, once
        outcomes = send_batch([_newsletter()], keep=False)

    assert [o.status for o in outcomes] == ["sent"] * 3
    assert smtp_sink.connections == 1
    assert len(smtp_sink.received) == 3
    for reader in READERS:
        (got,) = smtp_sink.to(reader)
        name = reader.split("@")[0]
        assert got.rcpt_tos == [reader]
        assert f"https://ferry.example/u/{name}/" in got.text
        assert got.message["List-Unsubscribe"] == f"<https://ferry.example/u/{name}/>"
        assert got.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        others = [r for r in READERS if r != reader]
        assert not any(o in str(got.message) for o in others)
        (outcome,) = [o for o in outcomes if o.email == reader]
        assert outcome.message_id == got.message["Message-ID"]


def test_smtp_batch_reports_refused_readers_one_by_one(smtp_sink):
    smtp_sink.refuse["ben@example.org"] = "550 5.1.1 No such user"
    smtp_sink.refuse["cy@example.org"] = "450 4.2.1 Mailbox busy"

    outcomes = send_batch([_newsletter()], keep=False)

    by_email = {o.email: o for o in outcomes}
    assert by_email["ana@example.org"].status == "sent"
    assert by_email["ben@example.org"].status == "rejected"
    assert by_email["cy@example.org"].status == "retry"
    assert [d.rcpt_tos for d in smtp_sink.received] == [["ana@example.org"]]


def test_suppressed_readers_are_never_sent_to(smtp_sink):
    actions.suppress_address("Ben@Example.org", reason="hard_bounce")

    outcomes = send_batch([_newsletter()], keep=False)

    assert Outcome("ben@example.org", "suppressed") in outcomes
    assert smtp_sink.to("ben@example.org") == []
    assert len(smtp_sink.received) == 2


def test_postmark_batch_gives_each_reader_its_own_message_id(postmark_server):
    outcomes = send_batch([_newsletter()], keep=False)

    assert [o.status for o in outcomes] == ["sent"] * 3
    ids = {o.message_id for o in outcomes}
    assert len(ids) == 3 and "" not in ids
    sent = [m for r in postmark_server.received for m in r.messages]
    assert sorted(m["To"] for m in sent) == READERS
    for payload in sent:
        name = payload["To"].split("@")[0]
        assert f"https://ferry.example/u/{name}/" in payload["TextBody"]
        headers = {h["Name"]: h["Value"] for h in payload["Headers"]}
        assert headers["List-Unsubscribe"] == f"<https://ferry.example/u/{name}/>"


def test_postmark_errors_become_per_reader_outcomes(postmark_server, settings):
    # given: the first reader's call fails temporarily, the second is refused
    postmark_server.answer_next(500)
    postmark_server.answer_next(
        422, {"ErrorCode": 300, "Message": "Invalid 'To' address: 'ben@example.org'."}
    )

    outcomes = send_batch([_newsletter()], keep=False)

    assert [(o.email, o.status) for o in outcomes] == [
        ("ana@example.org", "retry"),
        ("ben@example.org", "rejected"),
        ("cy@example.org", "sent"),
    ]


def test_no_answer_is_unknown_and_the_batch_goes_on(postmark_server, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "REQUESTS_TIMEOUT": (2, 0.5)}
    postmark_server.hold_next()

    outcomes = send_batch([_newsletter()], keep=False)

    assert [o.status for o in outcomes] == ["unknown", "sent", "sent"]
    assert outcomes[0].message_id == ""


def test_kept_copies_show_in_the_outbox(smtp_sink):
    send_batch([_newsletter()], keep=True)

    kept = OutboundMessage.objects.order_by("to")
    assert [m.to for m in kept] == [[r] for r in READERS]
    assert {m.state for m in kept} == {"sent"}
    assert {m.stream for m in kept} == {"bulk"}


def test_merge_fields_follow_the_provider():
    assert merge_field("u", provider="mailgun") == "%recipient.u%"
    assert merge_field("u", provider="postmark") == "[[herald:u]]"
    assert merge_field("u", provider="smtp") == "[[herald:u]]"
