"""Bounces by email: SMTP delivery status notifications (RFC 3464) → events.

The message goes out through real SMTP (the aiosmtpd sink) with the bounce
address as envelope sender; the DSN a receiving server would write back is fed
to ``manage.py record_dsn`` as the MTA's pipe would.
"""

from __future__ import annotations

import io

import pytest
from django.core.mail import EmailMessage
from django.core.management import call_command

from herald.outbox import dsn
from herald.outbox.models import DeliveryEvent, OutboundMessage, Suppression

pytestmark = pytest.mark.django_db

BOUNCES = "bounces@news.example.org"


def make_dsn(
    recipient: str,
    *,
    original_id: str,
    action: str = "failed",
    status: str = "5.1.1",
    dsn_id: str = "<dsn-1@mx.example.net>",
) -> bytes:
    """A DSN as Postfix writes it: text, delivery-status, the original headers."""
    return (
        f"From: MAILER-DAEMON@mx.example.net\r\n"
        f"To: {BOUNCES}\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {dsn_id}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status;\r\n"
        ' boundary="B0UND"\r\n'
        "\r\n"
        "--B0UND\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n"
        "\r\n--B0UND\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n"
        "Arrival-Date: Mon,  7 Dec 2026 22:00:00 +0000 (UTC)\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Original-Recipient: rfc822;{recipient}\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} <{recipient}>: Recipient address\r\n"
        "    rejected: User unknown in virtual mailbox table\r\n"
        "\r\n--B0UND\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"From: The Courier <news@news.example.org>\r\n"
        f"To: {recipient}\r\n"
        f"Message-ID: {original_id}\r\n"
        "Subject: Your sign-in code\r\n"
        "\r\n--B0UND--\r\n"
    ).encode()


def pipe(raw: bytes, tmp_path) -> str:
    path = tmp_path / "dsn.eml"
    path.write_bytes(raw)
    out = io.StringIO()
    call_command("record_dsn", str(path), stdout=out)
    return out.getvalue()


def test_a_hard_bounce_by_email_suppresses_the_address(
    smtp_sink, settings, tmp_path, django_capture_on_commit_callbacks
):
    # given a message sent through SMTP with the bounce mailbox as envelope sender
    settings.HERALD_EMAIL_BOUNCE_ADDRESS = BOUNCES
    with django_capture_on_commit_callbacks(execute=True):
        EmailMessage(
            "Your sign-in code",
            "123 456",
            "The Courier <news@news.example.org>",
            ["gone@example.org"],
        ).send()
    (got,) = smtp_sink.received
    assert got.mail_from == BOUNCES
    assert got.message["From"] == "The Courier <news@news.example.org>"
    sent = OutboundMessage.objects.get()
    assert sent.provider_message_id == got.message["Message-ID"]

    # when the receiving server's DSN arrives through the MTA's pipe
    out = pipe(
        make_dsn("Gone@example.org", original_id=got.message["Message-ID"]), tmp_path
    )

    # then: a bounce event on that message, and the address is suppressed
    assert "1 event(s) recorded" in out
    event = DeliveryEvent.objects.get()
    assert (event.event_type, event.recipient, event.message) == (
        "bounced",
        "gone@example.org",
        sent,
    )
    assert "User unknown" in event.mta_response
    assert Suppression.objects.get().reason == "hard_bounce"


def test_a_temporary_failure_or_delay_suppresses_nothing(tmp_path):
    pipe(make_dsn("slow@example.org", original_id="<a@x>", status="4.2.2"), tmp_path)
    pipe(
        make_dsn(
            "slow@example.org",
            original_id="<a@x>",
            action="delayed",
            status="4.4.1",
            dsn_id="<dsn-2@mx.example.net>",
        ),
        tmp_path,
    )

    assert sorted(DeliveryEvent.objects.values_list("event_type", flat=True)) == [
        "bounced",
        "deferred",
    ]
    assert not Suppression.objects.exists()


def test_the_same_dsn_twice_is_recorded_once(tmp_path):
    raw = make_dsn("gone@example.org", original_id="<a@x>")

    pipe(raw, tmp_path)
    out = pipe(raw, tmp_path)

    assert "0 event(s) recorded" in out
    assert DeliveryEvent.objects.count() == 1


@pytest.mark.parametrize(
    "raw",
    [
        b"From: ana@example.org\r\nSubject: Out of office\r\n\r\nBack on Monday.\r\n",
        b"Content-Type: multipart/report; report-type=disposition-notification;"
        b' boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\n'
        b"read\r\n--x--\r\n",
        b"\xff\xfe not even a message",
    ],
)
def test_a_message_that_is_not_a_dsn_records_nothing(raw, tmp_path):
    assert dsn.read(raw) == []
    assert "0 event(s) recorded" in pipe(raw, tmp_path)
    assert not DeliveryEvent.objects.exists()
