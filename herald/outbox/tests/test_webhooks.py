"""Provider events arrive by anymail's webhooks; bounces and complaints suppress."""

from __future__ import annotations

import base64
import json

import pytest
from django.core import mail

from herald.outbox import actions, queries, signals
from herald.outbox.models import DeliveryEvent, OutboundMessage, Suppression

pytestmark = pytest.mark.django_db

URL = "/email/webhooks/postmark/tracking/"


def _auth(secret: str = "hook:test-webhook-secret") -> dict[str, str]:
    token = base64.b64encode(secret.encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def _bounce(email: str = "gone@example.org", kind: str = "HardBounce", **extra):
    return {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": kind,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Email": email,
        "BouncedAt": "2026-12-07T10:00:00Z",
        "Description": "The server was unable to deliver your message.",
        "Details": "smtp;550 5.1.1 The email account does not exist.",
        "Metadata": {},
        **extra,
    }


def _post(client, payload, **headers):
    return client.post(
        URL, data=json.dumps(payload), content_type="application/json", **headers
    )


def test_a_hard_bounce_suppresses_the_address(client):
    response = _post(client, _bounce("Gone@Example.org"), **_auth())

    assert response.status_code == 200
    event = DeliveryEvent.objects.get()
    assert event.event_type == "bounced"
    assert event.provider == "postmark"
    assert event.recipient == "gone@example.org"
    assert queries.is_suppressed("GONE@example.org")
    assert Suppression.objects.get().reason == "hard_bounce"


def test_a_soft_bounce_is_recorded_but_suppresses_nothing(client):
    response = _post(client, _bounce(kind="SoftBounce", ID=17), **_auth())

    assert response.status_code == 200
    # anymail calls it 'bounced'; Postmark's own Type says it was soft
    assert DeliveryEvent.objects.get().event_type == "bounced"
    assert not queries.is_suppressed("gone@example.org")


def test_a_spam_complaint_suppresses_the_address(client):
    payload = {
        "RecordType": "SpamComplaint",
        "ID": 42,
        "Type": "SpamComplaint",
        "MessageID": "m-1",
        "Email": "angry@example.org",
        "BouncedAt": "2026-12-07T10:00:00Z",
    }

    response = _post(client, payload, **_auth())

    assert response.status_code == 200
    assert Suppression.objects.get(email="angry@example.org").reason == "complaint"


def test_a_replayed_event_is_recorded_once(client):
    _post(client, _bounce(), **_auth())
    response = _post(client, _bounce(), **_auth())

    assert response.status_code == 200
    assert DeliveryEvent.objects.count() == 1
    assert Suppression.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [{}, _auth("hook:wrong-secret"), _auth("someone:test-webhook-secret")],
    ids=["no auth", "wrong secret", "wrong user"],
)
def test_a_webhook_without_the_secret_is_refused_and_changes_nothing(client, headers):
    response = _post(client, _bounce(), **headers)

    assert response.status_code in (400, 401, 403)
    assert not DeliveryEvent.objects.exists()
    assert not Suppression.objects.exists()


def test_webhooks_are_refused_while_no_secret_is_configured(client, settings):
    settings.ANYMAIL = {}

    response = _post(client, _bounce())

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "webhooks_not_configured"
    assert not DeliveryEvent.objects.exists()


def test_events_attach_to_the_message_they_are_about(
    client, postmark_server, django_capture_on_commit_callbacks
):
    # given a message Postmark accepted
    with django_capture_on_commit_callbacks(execute=True):
        mail.send_mail("Hi", "Body", "news@ferry.example", ["reader@example.org"])
    message = OutboundMessage.objects.get()
    delivered = {
        "RecordType": "Delivery",
        "MessageID": message.provider_message_id,
        "Recipient": "reader@example.org",
        "DeliveredAt": "2026-12-07T10:00:00Z",
        "Details": "Test delivery",
        "Metadata": {"herald_message_id": str(message.pk)},
    }
    received = []

    def listen(sender, event, **kw):  # type: ignore[no-untyped-def]
        received.append(event)

    signals.delivery_event.connect(listen, weak=False)
    try:
        # when the delivery event comes in
        with django_capture_on_commit_callbacks(execute=True):
            response = _post(client, delivered, **_auth())
    finally:
        # Only this test's receiver: the newsletters app listens too.
        signals.delivery_event.disconnect(listen)

    assert response.status_code == 200
    (event,) = message.events.all()
    assert event.event_type == "delivered"
    assert [e.pk for e in received] == [event.pk]
    assert not queries.is_suppressed("reader@example.org")


def test_an_esp_rejection_for_an_old_bounce_suppresses():
    actions.record_event(
        provider="mailgun",
        event_type="rejected",
        recipient="old@example.org",
        reject_reason="bounced",
    )

    assert queries.is_suppressed("old@example.org")


def test_suppressed_among_answers_in_one_query(django_assert_max_num_queries):
    for address in ("a@example.org", "b@example.org"):
        actions.suppress_address(address, reason="manual")
    asked = [f"r{i}@example.org" for i in range(900)] + [
        "A@example.org",
        "b@example.org",
    ]

    with django_assert_max_num_queries(1):
        found = queries.suppressed_among(asked)

    assert found == {"a@example.org", "b@example.org"}


def test_suppression_can_be_lifted():
    actions.suppress_address("a@example.org", reason="manual")

    assert actions.unsuppress_address("A@example.org") == 1
    assert not queries.is_suppressed("a@example.org")


def _mailgun_failure(key: str, *, signature: str = "") -> dict:
    import hashlib
    import hmac

    timestamp, token = "1796630400", "a" * 50
    good = hmac.new(
        key.encode(), (timestamp + token).encode(), hashlib.sha256
    ).hexdigest()
    return {
        "signature": {
            "timestamp": timestamp,
            "token": token,
            "signature": signature or good,
        },
        "event-data": {
            "event": "failed",
            "severity": "permanent",
            "reason": "bounce",
            "id": "mg-event-1",
            "timestamp": 1796630400.0,
            "recipient": "gone@example.org",
            "message": {"headers": {"message-id": "mg-42@mg.example.org"}},
            "delivery-status": {"code": 550, "message": "5.1.1 No such user"},
        },
    }


@pytest.mark.parametrize("signed", ["right", "wrong"])
def test_a_signing_esp_is_believed_only_with_its_signature(client, settings, signed):
    # given Mailgun, which signs its webhooks with a key of its own
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": "mg-key"}
    payload = _mailgun_failure(
        "mg-key", signature="" if signed == "right" else "0" * 64
    )

    response = client.post(
        "/email/webhooks/mailgun/tracking/",
        data=json.dumps(payload),
        content_type="application/json",
        **_auth(),
    )

    if signed == "right":
        assert response.status_code == 200
        assert DeliveryEvent.objects.get().event_type == "bounced"
        assert queries.is_suppressed("gone@example.org")
    else:
        assert response.status_code == 400
        assert not DeliveryEvent.objects.exists()
        assert not Suppression.objects.exists()
