"""A send through an ESP's API: batch calls with each reader's merge data.

The local Postmark server (tests/fakes/postmark_server.py) is reached by
anymail's real Postmark backend; it fills each message's merge data into the
stored template, so ``postmark_server.delivered`` is what each reader receives.
"""

from __future__ import annotations

import pytest
from django.test import TestCase

from herald.members.models import AccessLevel
from herald.newsletters import queries as letters
from herald.newsletters.models import Subscription
from herald.newsletters.sending import actions
from herald.newsletters.sending.models import Delivery, DeliveryState, Send, SendState
from herald.newsroom.testing import make_article, make_section, set_publication

from .sendkit import make_audience, make_newsletter, subscribe

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def story(db):
    return make_article(
        make_section("Harbour"),
        "Ferry fares rise in spring",
        dek="The council agreed the new fares.",
        paragraphs=["Fares go up in March.", "The gated part. SECRETFARE.", "More."],
        paywall_after=1,
        access_level=AccessLevel.PAID,
    )


def start(send: Send) -> Send:
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.start_send(send)
    send.refresh_from_db()
    return send


def headers_of(payload: dict) -> dict[str, str]:
    return {h["Name"]: h["Value"] for h in payload.get("Headers") or []}


def test_a_send_is_one_batch_call_per_variant_with_each_readers_links(
    story, postmark_server, settings
):
    # given three readers of a paid story: one paying (full), two not (preview)
    settings.HERALD_NEWSLETTER_BATCH_SIZE = 500
    audience = make_audience()
    send = actions.create_send(audience.newsletter, subject="Fares", article=story)

    # when
    send = start(send)

    # then: one templated batch call per variant, no single-message calls
    assert send.state == SendState.SENT
    paths = [r.path.strip("/") for r in postmark_server.received if r.method == "POST"]
    assert sorted(paths) == sorted(["templates", "email/batchWithTemplates"] * 2)
    calls = [r for r in postmark_server.received if "batchWithTemplates" in r.path]
    assert sorted(len(c.messages) for c in calls) == [1, 2]
    assert postmark_server.templates == {}  # removed after the calls
    # each reader got exactly one email, with their own links and headers
    delivered = {m["To"]: m for m in postmark_server.delivered}
    assert sorted(delivered) == sorted(audience.emails.values())
    assert len(postmark_server.delivered) == 3
    for delivery in Delivery.objects.filter(send=send).select_related("subscription"):
        got = delivered[delivery.email]
        unsubscribe = letters.one_click_unsubscribe_url(delivery.subscription)
        preferences = letters.preferences_url(delivery.subscription)
        assert unsubscribe in got["TextBody"] and preferences in got["TextBody"]
        assert preferences in got["HtmlBody"]
        headers = headers_of(got)
        assert headers["List-Unsubscribe"].startswith(f"<{unsubscribe}>, <mailto:")
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert headers["Message-ID"] == actions.message_id(send, delivery)
        assert headers["List-Id"].endswith(".list.news.example.org>")
        assert got["Subject"] == "Fares"
        assert delivery.state == DeliveryState.SENT
        assert delivery.provider_message_id == got["MessageID"]
        others = set(audience.emails.values()) - {delivery.email}
        for other in Subscription.objects.filter(email__in=others):
            assert str(other.token) not in str(got)
    # the paywall holds in the batch: only the paying reader has the gated text
    assert "SECRETFARE" in delivered[audience.emails["paid"]]["HtmlBody"]
    for kind in ("guest", "free"):
        assert "SECRETFARE" not in str(delivered[audience.emails[kind]])


def test_a_refused_batch_call_is_retried_and_nobody_gets_two(
    story, postmark_server, settings
):
    newsletter = make_newsletter()
    for n in range(4):
        subscribe(newsletter, f"reader{n}@example.org")
    settings.HERALD_NEWSLETTER_BATCH_SIZE = 2
    postmark_server.answer_next(503, path="/email/batchWithTemplates")
    send = actions.create_send(newsletter, subject="S", article=story)
    actions.start_send(send)
    actions.prepare_send(send.pk)

    # when: both batches are worked; the first call is refused
    actions.work_send(send.pk)

    # then: the refused batch waits its backoff, its readers still pending
    states = sorted(Delivery.objects.filter(send=send).values_list("state", flat=True))
    assert states == ["pending", "pending", "sent", "sent"]
    assert len(postmark_server.delivered) == 2

    # when: its time comes
    batch = actions.claim_batch(send.pk, now=_after_backoff(send))
    actions.send_batch(batch)

    # then: everyone has it once
    assert sorted(m["To"] for m in postmark_server.delivered) == [
        f"reader{n}@example.org" for n in range(4)
    ]


def _after_backoff(send: Send):
    from datetime import timedelta

    from herald.newsletters.sending.models import Batch

    waiting = Batch.objects.get(send=send, state="pending")
    return waiting.not_before + timedelta(seconds=1)


def test_the_email_speaks_the_publications_language(story, settings):
    from django.core import mail

    from .sendkit import parse, parts

    # given a publication in French (the worker runs in English)
    set_publication(name="Le Courrier", language="fr")
    audience = make_audience()

    start(actions.create_send(audience.newsletter, subject="Tarifs", article=story))

    assert len(mail.outbox) == 3
    for message in mail.outbox:
        parsed = parse(message)
        assert parsed["Content-Language"] == "fr"
        text, html = parts(message)
        assert '<html lang="fr"' in html
        assert "Se désabonner :" in text and "Unsubscribe" not in text
        assert "Gérer vos lettres d’information" in html
    # the free readers' preview is in French too
    (guest,) = [m for m in mail.outbox if m.to == [audience.emails["guest"]]]
    assert "Devenez membre pour lire la suite" in parts(guest)[1]


def test_a_right_to_left_publication_gets_a_right_to_left_email(story):
    from django.core import mail

    from .sendkit import parts

    set_publication(name="הכרוז", language="he")
    audience = make_audience()

    start(actions.create_send(audience.newsletter, subject="S", article=story))

    _text, html = parts(mail.outbox[0])
    assert '<html lang="he" dir="rtl"' in html
