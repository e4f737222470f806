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


def test_postmark_gets_one_batch_call_with_each_readers_merge_data(postmark_server):
    outcomes = send_batch([_newsletter()], keep=False)

    # one template stored, one batch call for the three readers, template removed
    steps = [(r.method, r.path.strip("/")) for r in postmark_server.received]
    template_id = postmark_server.received[0].answer["TemplateId"]
    assert steps == [
        ("POST", "templates"),
        ("POST", "email/batchWithTemplates"),
        ("DELETE", f"templates/{template_id}"),
    ]
    (call,) = [r for r in postmark_server.received if "batchWithTemplates" in r.path]
    assert [m["TemplateModel"] for m in call.messages] == [
        {"unsubscribe_url": f"https://ferry.example/u/{r.split('@')[0]}/"}
        for r in READERS
    ]
    assert postmark_server.templates == {}
    assert [o.status for o in outcomes] == ["sent"] * 3
    ids = {o.message_id for o in outcomes}
    assert len(ids) == 3 and "" not in ids
    # what each reader gets: their own link, their own headers, nobody else's
    assert sorted(m["To"] for m in postmark_server.delivered) == READERS
    for payload in postmark_server.delivered:
        name = payload["To"].split("@")[0]
        assert payload["Subject"] == "The Friday Ferry"
        assert f"Unsubscribe: https://ferry.example/u/{name}/" in payload["TextBody"]
        assert f'href="https://ferry.example/u/{name}/"' in payload["HtmlBody"]
        headers = {h["Name"]: h["Value"] for h in payload["Headers"]}
        assert headers["List-Unsubscribe"] == f"<https://ferry.example/u/{name}/>"
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        others = [r.split("@")[0] for r in READERS if r != payload["To"]]
        assert not any(f"/u/{o}/" in str(payload) for o in others)
        (outcome,) = [o for o in outcomes if o.email == payload["To"]]
        assert outcome.message_id == payload["MessageID"]


def test_readers_named_with_a_display_name_get_their_own_merge_data(postmark_server):
    # given: one bare address, one with a display name, one in capitals
    readers = ["ana@example.org", "Ben Ferry <ben@example.org>", "CY@Example.org"]
    actions.suppress_address("dee@example.org", reason="hard_bounce")
    message = _newsletter([*readers, "Dee <DEE@example.org>"], provider="postmark")

    outcomes = send_batch([message], keep=False)

    assert sorted((o.email, o.status) for o in outcomes) == [
        ("ana@example.org", "sent"),
        ("ben@example.org", "sent"),
        ("cy@example.org", "sent"),
        ("dee@example.org", "suppressed"),
    ]
    by_reader = {m["To"]: m for m in postmark_server.delivered}
    assert sorted(by_reader) == sorted(readers)
    assert "/u/ana/" in by_reader["ana@example.org"]["TextBody"]
    assert "/u/Ben Ferry <ben/" in by_reader["Ben Ferry <ben@example.org>"]["TextBody"]
    assert "/u/CY/" in by_reader["CY@Example.org"]["TextBody"]


def test_a_postmark_batch_is_split_into_calls_of_500(postmark_server, settings):
    readers = [f"reader{n}@example.org" for n in range(501)]

    outcomes = send_batch([_newsletter(readers)], keep=False)

    calls = [r for r in postmark_server.received if "batchWithTemplates" in r.path]
    assert [len(c.messages) for c in calls] == [500, 1]
    assert (
        len([r for r in postmark_server.received if r.path.endswith("/templates")]) == 1
    )
    assert [o.status for o in outcomes] == ["sent"] * 501


def test_text_that_looks_like_a_template_tag_is_sent_one_by_one(postmark_server):
    message = _newsletter()
    message.body = "Use {{name}} in your templates.\n" + message.body

    outcomes = send_batch([message], keep=False)

    assert [o.status for o in outcomes] == ["sent"] * 3
    assert postmark_server.templates == {}
    assert not any(
        r.path.rstrip("/").endswith("/templates") for r in postmark_server.received
    )
    assert all("Use {{name}} in" in m["TextBody"] for m in postmark_server.delivered)


@pytest.mark.parametrize("status", [429, 500])
def test_postmark_refusing_the_template_is_a_retry_for_everyone(
    postmark_server, status
):
    postmark_server.answer_next(status, path="/templates")

    outcomes = send_batch([_newsletter()], keep=False)

    assert [(o.email, o.status) for o in outcomes] == [(r, "retry") for r in READERS]
    assert postmark_server.delivered == []


def test_postmark_errors_in_the_batch_call_become_per_reader_outcomes(postmark_server):
    # given: Postmark marked ben inactive (an old hard bounce)
    postmark_server.inactive.add("ben@example.org")

    outcomes = send_batch([_newsletter()], keep=False)

    assert [(o.email, o.status) for o in outcomes] == [
        ("ana@example.org", "sent"),
        ("ben@example.org", "rejected"),
        ("cy@example.org", "sent"),
    ]
    assert postmark_server.templates == {}  # deleted after the call


def test_a_5xx_batch_call_is_a_retry_and_the_template_is_removed(postmark_server):
    postmark_server.answer_next(500, path="/email/batchWithTemplates")

    outcomes = send_batch([_newsletter()], keep=False)

    assert [o.status for o in outcomes] == ["retry"] * 3
    assert postmark_server.delivered == []
    assert postmark_server.templates == {}


def test_no_answer_to_the_batch_call_is_unknown_for_its_readers(
    postmark_server, settings
):
    settings.ANYMAIL = {**settings.ANYMAIL, "REQUESTS_TIMEOUT": (2, 0.5)}
    postmark_server.hold_next(path="/email/batchWithTemplates")

    outcomes = send_batch([_newsletter()], keep=False)

    assert [o.status for o in outcomes] == ["unknown"] * 3
    assert {o.message_id for o in outcomes} == {""}


def test_no_answer_when_storing_the_template_is_a_retry(postmark_server, settings):
    # nothing reached a reader: the template call is not a message
    settings.ANYMAIL = {**settings.ANYMAIL, "REQUESTS_TIMEOUT": (2, 0.5)}
    postmark_server.hold_next(path="/templates")

    outcomes = send_batch([_newsletter()], keep=False)

    assert [o.status for o in outcomes] == ["retry"] * 3
    assert postmark_server.delivered == []


def test_single_messages_still_go_one_call_each(postmark_server):
    messages = []
    for reader in READERS:
        message = EmailMultiAlternatives(
            "Hello", "Hi.", "letters@ferry.example", [reader]
        )
        messages.append(message)

    outcomes = send_batch(messages, keep=False)

    assert [o.status for o in outcomes] == ["sent"] * 3
    assert [
        r.path.rstrip("/").rsplit("/", 1)[-1] for r in postmark_server.received
    ] == ["email"] * 3


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
