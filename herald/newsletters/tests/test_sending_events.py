"""Provider webhooks reach newsletter deliveries (the send report)."""

from __future__ import annotations

import base64
import json

import pytest

from herald.newsletters.models import SubscriptionState
from herald.newsletters.sending.models import Delivery, Send

from .sendkit import make_newsletter, subscribe

pytestmark = pytest.mark.django_db

AUTH = {
    "HTTP_AUTHORIZATION": "Basic "
    + base64.b64encode(b"hook:test-webhook-secret").decode()
}
URL = "/email/webhooks/postmark/tracking/"


@pytest.fixture
def delivery():
    newsletter = make_newsletter()
    subscription = subscribe(newsletter, "reader@example.org")
    send = Send.objects.create(newsletter=newsletter, subject="Friday")
    return Delivery.objects.create(
        send=send,
        subscription=subscription,
        email="reader@example.org",
        provider_message_id="pm-42",
    )


def _post(client, payload, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            URL, data=json.dumps(payload), content_type="application/json", **AUTH
        )


def test_delivered_and_opened_events_fill_the_report(
    client, delivery, django_capture_on_commit_callbacks
):
    for payload in (
        {
            "RecordType": "Delivery",
            "MessageID": "pm-42",
            "Recipient": "reader@example.org",
            "DeliveredAt": "2026-12-07T10:00:00Z",
        },
        {
            "RecordType": "Open",
            "MessageID": "pm-42",
            "Recipient": "reader@example.org",
            "ReceivedAt": "2026-12-07T10:05:00Z",
        },
    ):
        assert (
            _post(client, payload, django_capture_on_commit_callbacks).status_code
            == 200
        )

    delivery.refresh_from_db()
    assert delivery.delivered_at.isoformat() == "2026-12-07T10:00:00+00:00"
    assert delivery.opened_at.isoformat() == "2026-12-07T10:05:00+00:00"
    assert delivery.bounced_at is None
    assert delivery.subscription.state == SubscriptionState.SUBSCRIBED


def test_a_hard_bounce_is_counted_and_unsubscribes(
    client, delivery, django_capture_on_commit_callbacks
):
    payload = {
        "RecordType": "Bounce",
        "ID": 99,
        "Type": "HardBounce",
        "MessageID": "pm-42",
        "Email": "reader@example.org",
        "BouncedAt": "2026-12-07T10:00:00Z",
    }

    assert _post(client, payload, django_capture_on_commit_callbacks).status_code == 200

    delivery.refresh_from_db()
    delivery.subscription.refresh_from_db()
    assert delivery.bounced_at is not None
    assert delivery.subscription.state == SubscriptionState.UNSUBSCRIBED


def test_a_hard_bounce_by_email_reaches_the_delivery_and_unsubscribes(
    delivery, django_capture_on_commit_callbacks
):
    # given a newsletter sent over SMTP: its id is the stable Message-ID
    from herald.newsletters.sending import actions
    from herald.outbox import dsn
    from herald.outbox.queries import is_suppressed
    from herald.outbox.tests.test_dsn import make_dsn

    message_id = actions.message_id(delivery.send, delivery)
    Delivery.objects.filter(pk=delivery.pk).update(provider_message_id=message_id)

    # when the receiving server's DSN is read (manage.py record_dsn)
    with django_capture_on_commit_callbacks(execute=True):
        dsn.record(make_dsn("reader@example.org", original_id=message_id))

    # then the report counts it and the reader is never mailed again
    delivery.refresh_from_db()
    delivery.subscription.refresh_from_db()
    assert delivery.bounced_at is not None
    assert delivery.subscription.state == SubscriptionState.UNSUBSCRIBED
    assert is_suppressed("reader@example.org")


def test_a_complaint_and_a_one_click_unsubscribe_reach_the_report(
    client, delivery, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from herald.newsletters import queries as letters
    from herald.newsletters.sending.queries import report

    # given a started send to two readers
    send = delivery.send
    Send.objects.filter(pk=send.pk).update(
        started_at=timezone.now() - timedelta(minutes=5)
    )
    other = subscribe(send.newsletter, "other@example.org")
    Delivery.objects.create(
        send=send, subscription=other, email="other@example.org", state="sent"
    )
    send.refresh_from_db()
    assert (report(send).complained, report(send).unsubscribed) == (0, 0)

    # when one marks it as spam and the other leaves with the one-click link
    complaint = {
        "RecordType": "SpamComplaint",
        "ID": 7,
        "MessageID": "pm-42",
        "Email": "reader@example.org",
        "BouncedAt": "2026-12-07T10:00:00Z",
    }
    assert (
        _post(client, complaint, django_capture_on_commit_callbacks).status_code == 200
    )
    Client().post(letters.one_click_unsubscribe_url(other).split("testserver")[1])

    # then the report counts both, and neither is subscribed any more
    counts = report(send)
    assert counts.complained == 1
    assert counts.unsubscribed == 2  # the complaint unsubscribed its reader too
    delivery.subscription.refresh_from_db()
    other.refresh_from_db()
    assert delivery.subscription.state == other.state == SubscriptionState.UNSUBSCRIBED
