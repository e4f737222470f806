"""The outbox: every email is kept, then delivered after commit with retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction
from django.utils import timezone

from herald.outbox import actions, providers
from herald.outbox.models import DeliveryEvent, MessageState, OutboundMessage

pytestmark = pytest.mark.django_db


def _send(to: str = "reader@example.org", **kwargs) -> None:
    message = EmailMultiAlternatives(
        subject=kwargs.pop("subject", "Your sign-in code"),
        body=kwargs.pop("body", "Code: 123 456\n"),
        from_email='"The Daily Ferry" <news@ferry.example>',
        to=[to],
        **kwargs,
    )
    message.attach_alternative("<p>Code: <b>123 456</b></p>", "text/html")
    message.send()


def test_mail_is_kept_and_leaves_only_after_commit(django_capture_on_commit_callbacks):
    # given a transaction that sends mail
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        send_mail("Hello", "Body", "news@ferry.example", ["reader@example.org"])
        # then nothing has left yet: the row waits for the commit
        assert mail.outbox == []
        row = OutboundMessage.objects.get()
        assert row.state == MessageState.QUEUED

    row.refresh_from_db()
    assert row.state == MessageState.SENT
    assert row.attempts == 1
    (sent,) = mail.outbox
    assert sent.to == ["reader@example.org"]
    assert row.provider_message_id == sent.extra_headers["Message-ID"]


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_mail("Hello", "Body", "news@ferry.example", ["a@example.org"])
        raise RuntimeError("the request failed")

    assert mail.outbox == []
    assert not OutboundMessage.objects.exists()


def test_the_kept_message_is_whole(smtp_sink, django_capture_on_commit_callbacks):
    # given a message with HTML, an attachment, a reply-to and a custom header
    with django_capture_on_commit_callbacks(execute=True):
        message = EmailMultiAlternatives(
            subject="Ünïcode subject",
            body="Plain text\n",
            from_email='"The Daily Ferry" <news@ferry.example>',
            to=["reader@example.org"],
            cc=["copy@example.org"],
            bcc=["hidden@example.org"],
            reply_to=["desk@ferry.example"],
            headers={"List-Id": "Ferry <ferry.example>"},
        )
        message.attach_alternative("<p>HTML text</p>", "text/html")
        message.attach("notes.csv", b"a,b\n1,2\n", "text/csv")
        message.send()

    # then what the SMTP server received equals what was kept
    (got,) = smtp_sink.received
    row = OutboundMessage.objects.get()
    assert row.state == MessageState.SENT
    assert sorted(got.rcpt_tos) == [
        "copy@example.org",
        "hidden@example.org",
        "reader@example.org",
    ]
    assert "hidden@example.org" not in str(got.message)
    assert got.message["Subject"] == "Ünïcode subject"
    assert got.message["List-Id"] == "Ferry <ferry.example>"
    assert got.message["Reply-To"] == "desk@ferry.example"
    assert got.message["Message-ID"] == row.provider_message_id
    assert got.text.splitlines() == ["Plain text"]
    html = got.message.get_body(preferencelist=("html",))
    assert html.get_content().strip() == "<p>HTML text</p>"
    (attachment,) = got.message.iter_attachments()
    assert attachment.get_filename() == "notes.csv"
    assert attachment.get_content().splitlines() == ["a,b", "1,2"]
    assert mail.outbox == []  # it really went through SMTP


def test_a_body_in_another_language_arrives_as_written(
    django_capture_on_commit_callbacks,
):
    # Django sends short UTF-8 bodies as 8bit text; the kept copy must not be
    # read back as Latin-1 ("adh\ufffdsion", "\\u2019").
    body = "Votre adhésion est confirmée.\nThe publication’s plans: 9,00 €\n"
    # a subject long enough to be folded and encoded
    subject = "Nouvelle réponse à votre commentaire sur « Le port rouvre enfin »"
    with django_capture_on_commit_callbacks(execute=True):
        _send(subject=subject, body=body)

    (sent,) = mail.outbox
    assert sent.body == body
    assert sent.subject == subject  # no space left from the fold
    assert OutboundMessage.objects.get().state == MessageState.SENT


def test_smtp_try_later_is_retried_then_sent(
    smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.data_script.append("451 4.3.0 Try again later")

    with django_capture_on_commit_callbacks(execute=True):
        _send()

    row = OutboundMessage.objects.get()
    assert row.state == MessageState.SENT
    assert row.attempts == 2
    assert len(smtp_sink.received) == 1


def test_smtp_permanent_refusal_fails_without_retrying(
    smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.refuse["gone@example.org"] = "550 5.1.1 No such user"

    with django_capture_on_commit_callbacks(execute=True):
        _send("gone@example.org")

    row = OutboundMessage.objects.get()
    assert row.state == MessageState.FAILED
    assert row.attempts == 1
    assert "550" in row.last_error
    assert smtp_sink.received == []


def test_no_smtp_server_means_retries_then_a_visible_failure(
    settings, django_capture_on_commit_callbacks
):
    # given a provider nobody listens on (a port we just closed)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.HERALD_EMAIL_PROVIDER = "smtp"
    settings.EMAIL_PORT = port
    settings.HERALD_OUTBOX_MAX_ATTEMPTS = 3

    with django_capture_on_commit_callbacks(execute=True):
        _send()

    row = OutboundMessage.objects.get()
    assert row.state == MessageState.FAILED
    assert row.attempts == 3
    assert (
        "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error
    )


# --- Through anymail's real Postmark backend ---------------------------------------


def test_postmark_accepts_and_the_message_id_is_kept(
    postmark_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _send()

    row = OutboundMessage.objects.get()
    (request,) = postmark_server.received
    (payload,) = request.messages
    assert row.state == MessageState.SENT
    assert payload["To"] == "reader@example.org"
    assert payload["From"] == "The Daily Ferry <news@ferry.example>"
    assert payload["HtmlBody"] == "<p>Code: <b>123 456</b></p>"
    assert payload["Metadata"]["herald_message_id"] == str(row.pk)
    # Postmark's MessageID, which its webhook events carry
    assert row.provider_message_id not in ("", row.mime)
    assert "@" not in row.provider_message_id


def test_postmark_500_then_success_is_retried(
    postmark_server, django_capture_on_commit_callbacks
):
    postmark_server.answer_next(500)

    with django_capture_on_commit_callbacks(execute=True):
        _send()

    row = OutboundMessage.objects.get()
    assert row.state == MessageState.SENT
    assert row.attempts == 2
    assert len(postmark_server.received) == 2


def test_postmark_429_every_time_ends_failed_after_the_last_attempt(
    postmark_server, settings, django_capture_on_commit_callbacks
):
    settings.HERALD_OUTBOX_MAX_ATTEMPTS = 4
    postmark_server.answer_next(429, times=10)

    with django_capture_on_commit_callbacks(execute=True):
        _send()

    row = OutboundMessage.objects.get()
    assert row.state == MessageState.FAILED
    assert row.attempts == 4
    assert len(postmark_server.received) == 4
    assert "429" in row.last_error


def test_postmark_422_is_rejected_once_and_not_retried(
    postmark_server, django_capture_on_commit_callbacks
):
    postmark_server.answer_next(
        422, {"ErrorCode": 300, "Message": "Invalid 'From' address: 'x'."}
    )

    with django_capture_on_commit_callbacks(execute=True):
        _send()

    row = OutboundMessage.objects.get()
    assert row.state == MessageState.FAILED
    assert row.attempts == 1
    assert len(postmark_server.received) == 1


def test_postmark_inactive_recipient_fails(
    postmark_server, django_capture_on_commit_callbacks
):
    postmark_server.answer_next(
        422,
        {
            "ErrorCode": 406,
            "Message": "You tried to send to a recipient that has been marked as "
            "inactive.\nFound inactive addresses: reader@example.org.\nInactive "
            "recipients are ones that have generated a hard bounce or a spam "
            "complaint.",
        },
    )

    with django_capture_on_commit_callbacks(execute=True):
        _send()

    row = OutboundMessage.objects.get()
    assert row.state == MessageState.FAILED
    assert row.attempts == 1


def test_no_answer_from_postmark_is_unknown_not_retried(
    postmark_server, settings, django_capture_on_commit_callbacks
):
    # given a provider that takes the request and never answers
    settings.ANYMAIL = {**settings.ANYMAIL, "REQUESTS_TIMEOUT": (2, 0.5)}
    postmark_server.hold_next()

    with django_capture_on_commit_callbacks(execute=True):
        _send()

    # then Herald does not guess: the operator sees 'unknown', nothing was resent
    row = OutboundMessage.objects.get()
    assert row.state == MessageState.UNKNOWN
    assert row.attempts == 1
    assert len(postmark_server.received) == 1


# --- A worker that died mid-send ---------------------------------------------------


def _stalled(*, handed_over: bool) -> OutboundMessage:
    """A message a worker claimed (and maybe handed over) and then died on."""
    with transaction.atomic():
        _send()
    row = OutboundMessage.objects.get()
    long_ago = timezone.now() - timedelta(hours=1)
    OutboundMessage.objects.filter(pk=row.pk).update(
        state=MessageState.SENDING,
        attempts=1,
        claimed_at=long_ago,
        handed_over_at=long_ago if handed_over else None,
        updated_at=long_ago,
    )
    return row


def test_a_message_never_handed_over_is_sent_once_by_the_sweeper(
    django_capture_on_commit_callbacks,
):
    row = _stalled(handed_over=False)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = actions.recover_messages()

    row.refresh_from_db()
    assert outcome["requeued"] == 1
    assert row.state == MessageState.SENT
    assert row.attempts == 2
    assert len(mail.outbox) == 1


def test_a_handed_over_message_with_proof_of_delivery_is_sent_not_resent(
    django_capture_on_commit_callbacks,
):
    # given a message handed over before the worker died, and the provider's
    # webhook saying it was delivered
    row = _stalled(handed_over=True)
    actions.record_event(
        provider="postmark",
        event_type="delivered",
        recipient="reader@example.org",
        provider_message_id="pm-1",
        metadata={"herald_message_id": str(row.pk)},
    )

    with django_capture_on_commit_callbacks(execute=True):
        outcome = actions.recover_messages()

    row.refresh_from_db()
    assert outcome["sent"] == 1
    assert row.state == MessageState.SENT
    assert row.provider_message_id == "pm-1"
    assert mail.outbox == []  # no duplicate


def test_a_handed_over_message_without_proof_is_unknown_for_the_operator(
    django_capture_on_commit_callbacks,
):
    row = _stalled(handed_over=True)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = actions.recover_messages()

    row.refresh_from_db()
    assert outcome["unknown"] == 1
    assert row.state == MessageState.UNKNOWN
    assert "may or may not" in row.last_error
    assert mail.outbox == []

    # when the operator sends it again
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.resend_message(row, by="editor@example.org")
    row.refresh_from_db()
    assert row.state == MessageState.SENT
    assert len(mail.outbox) == 1


def test_a_recent_sending_message_is_left_alone(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            _send()
        OutboundMessage.objects.update(
            state=MessageState.SENDING, claimed_at=timezone.now()
        )
        outcome = actions.recover_messages()

    assert outcome == {"requeued": 0, "sent": 0, "unknown": 0, "redispatched": 0}
    assert OutboundMessage.objects.get().state == MessageState.SENDING


def test_a_queued_message_whose_task_was_lost_is_dispatched_again(
    django_capture_on_commit_callbacks,
):
    with transaction.atomic():
        _send()  # its on-commit dispatch never runs: the task is "lost"
    OutboundMessage.objects.update(updated_at=timezone.now() - timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        outcome = actions.recover_messages()

    assert outcome["redispatched"] == 1
    assert OutboundMessage.objects.get().state == MessageState.SENT
    assert len(mail.outbox) == 1


def test_delivering_twice_sends_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send()
    row = OutboundMessage.objects.get()

    assert actions.deliver_message(row.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_a_sent_message_cannot_be_resent_or_marked():
    _send()
    row = OutboundMessage.objects.get()
    OutboundMessage.objects.update(state=MessageState.SENT)
    row.refresh_from_db()

    assert actions.resend_message(row) is False
    assert actions.mark_message_sent(row) is False
    assert not DeliveryEvent.objects.exists()


# --- Choosing the provider ---------------------------------------------------------


def test_an_unknown_provider_is_refused():
    with pytest.raises(ImproperlyConfigured, match="postmork"):
        providers.delivery_backend_path("postmork")


@pytest.mark.parametrize(
    ("name", "backend"),
    [
        ("smtp", "herald.outbox.smtp.EmailBackend"),
        ("postmark", "anymail.backends.postmark.EmailBackend"),
        ("Mailgun", "anymail.backends.mailgun.EmailBackend"),
        ("amazon_ses", "anymail.backends.amazon_ses.EmailBackend"),
        ("console", "django.core.mail.backends.console.EmailBackend"),
    ],
)
def test_provider_names_pick_a_delivery_backend(name, backend):
    assert providers.delivery_backend_path(name) == backend
