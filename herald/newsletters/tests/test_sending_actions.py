"""The sending pipeline's actions: states, one row per recipient, exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from herald.members.models import AccessLevel
from herald.newsletters.models import SubscriptionState
from herald.newsletters.sending import actions
from herald.newsletters.sending.models import (
    BATCH_TRANSITIONS,
    DELIVERY_TRANSITIONS,
    SEND_TRANSITIONS,
    Batch,
    BatchState,
    Delivery,
    DeliveryState,
    Segment,
    Send,
    SendState,
    SkipReason,
)
from herald.newsroom.testing import make_article, make_section

from .sendkit import make_audience, make_newsletter, parse, parts, subscribe

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def run_on_commit():
    return TestCase.captureOnCommitCallbacks(execute=True)


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
    with run_on_commit():
        actions.start_send(send)
    send.refresh_from_db()
    return send


@pytest.mark.parametrize(
    "transitions", [SEND_TRANSITIONS, BATCH_TRANSITIONS, DELIVERY_TRANSITIONS]
)
def test_every_state_has_its_arrows(transitions):
    states = set(transitions)
    for targets in transitions.values():
        assert targets <= states


def test_a_send_reaches_every_subscriber_once_and_ends_sent(story):
    # given
    audience = make_audience()
    subscribe(
        audience.newsletter, "left@example.org", state=SubscriptionState.UNSUBSCRIBED
    )
    send = actions.create_send(audience.newsletter, subject="Fares", article=story)

    # when
    send = start(send)

    # then
    assert send.state == SendState.SENT
    got = sorted(m.to[0] for m in mail.outbox)
    assert got == sorted(audience.emails.values())
    assert Delivery.objects.filter(send=send, state=DeliveryState.SENT).count() == 3
    assert not Delivery.objects.filter(send=send, email="left@example.org").exists()


def test_running_every_task_again_sends_nothing_more(story):
    audience = make_audience()
    send = start(actions.create_send(audience.newsletter, subject="S", article=story))
    assert len(mail.outbox) == 3

    with run_on_commit():
        assert actions.prepare_send(send.pk) is False
        assert actions.work_send(send.pk) == 0
        actions.tick()

    assert len(mail.outbox) == 3
    assert Delivery.objects.filter(send=send).count() == 3


def test_prepare_writes_each_address_as_subscribed_with_its_own_token(story, settings):
    # given: addresses COPY's text format must escape, and a suppressed one
    import uuid

    from herald.outbox import actions as outbox_actions

    newsletter = make_newsletter()
    odd = [
        '"back\\slash"@example.org',
        '"tab\tand\\n"@example.org',
        "Mixed@Example.org",
    ]
    plain = [f"reader{i}@example.org" for i in range(5)]
    for address in [*odd, *plain, "gone@example.org"]:
        subscribe(newsletter, address)
    outbox_actions.suppress_address("gone@example.org", reason="hard_bounce")
    settings.HERALD_NEWSLETTER_BATCH_SIZE = 3
    send = actions.create_send(newsletter, subject="S", article=story)
    actions.start_send(send)

    # when
    actions.prepare_send(send.pk)

    # then
    rows = list(Delivery.objects.filter(send=send).order_by("id"))
    assert [r.email for r in rows] == [*odd, *plain, "gone@example.org"]
    assert [(r.state, r.skip_reason, r.batch_id is None) for r in rows][-1] == (
        DeliveryState.SKIPPED,
        SkipReason.SUPPRESSED,
        True,
    )
    sendable = rows[:-1]
    assert {r.state for r in sendable} == {DeliveryState.PENDING}
    batches = list(Batch.objects.filter(send=send).order_by("number"))
    assert [b.number for b in batches] == [0, 1, 2]
    assert [r.batch_id for r in sendable] == [b.pk for b in batches for _ in range(3)][
        : len(sendable)
    ]
    tokens = [r.token for r in rows]
    assert len(set(tokens)) == len(rows)
    assert all(isinstance(t, uuid.UUID) and t.version == 4 for t in tokens)


def test_a_send_cannot_be_started_twice(story):
    audience = make_audience()
    send = actions.create_send(audience.newsletter, subject="S", article=story)
    start(send)
    again = Send.objects.get(pk=send.pk)

    with pytest.raises(actions.SendError) as caught:
        actions.start_send(again)

    assert caught.value.code == "already_started"
    assert len(mail.outbox) == 3


def test_a_stale_copy_of_a_draft_cannot_start_it_a_second_time(story):
    """Two requests loaded the draft; both click "send" (the conditional UPDATE)."""
    audience = make_audience()
    send = actions.create_send(audience.newsletter, subject="S", article=story)
    first, second = Send.objects.get(pk=send.pk), Send.objects.get(pk=send.pk)

    with run_on_commit():
        actions.start_send(first)
    with pytest.raises(actions.SendError):
        actions.start_send(second)

    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    ("segment", "kinds"),
    [
        (Segment.EVERYONE, {"guest", "free", "paid"}),
        (Segment.FREE, {"guest", "free"}),
        (Segment.PAID, {"paid"}),
        (Segment.TIER, {"paid"}),
    ],
)
def test_segments_choose_the_recipients(story, segment, kinds):
    audience = make_audience()
    tier = audience.gold if segment == Segment.TIER else None
    send = actions.create_send(
        audience.newsletter, subject="S", article=story, segment=segment, tier=tier
    )
    start(send)
    assert {m.to[0] for m in mail.outbox} == {audience.emails[k] for k in kinds}


def test_a_tier_segment_needs_a_tier(story):
    with pytest.raises(actions.SendError):
        actions.create_send(
            make_newsletter(), subject="S", article=story, segment=Segment.TIER
        )


def test_free_readers_of_a_paid_story_get_the_preview_and_an_upgrade_link(story):
    audience = make_audience()
    start(actions.create_send(audience.newsletter, subject="S", article=story))

    by_address = {m.to[0]: m for m in mail.outbox}
    for kind in ("guest", "free"):
        text, html = parts(by_address[audience.emails[kind]])
        assert "Fares go up in March." in html
        assert "SECRETFARE" not in html
        assert "SECRETFARE" not in text
        assert "/account/plans/" in html
        assert "/account/plans/" in text
    text, html = parts(by_address[audience.emails["paid"]])
    assert "SECRETFARE" in html and "SECRETFARE" in text
    assert "/account/plans/" not in html
    # Rendered once per variant, not once per recipient.
    send = Send.objects.get()
    assert set(send.renderings) == {"full", "preview"}


def test_every_email_has_the_bulk_headers_and_both_parts(story):
    audience = make_audience()
    send = start(actions.create_send(audience.newsletter, subject="S", article=story))

    ids = set()
    for message in mail.outbox:
        parsed = parse(message)
        assert parsed.get_content_type() == "multipart/alternative"
        unsubscribe = parsed["List-Unsubscribe"]
        uris = [u.strip().strip("<>") for u in unsubscribe.split(",")]
        https = [u for u in uris if u.startswith("http")]
        assert len(https) == 1, unsubscribe
        assert all(u.startswith(("http://testserver/", "mailto:")) for u in uris)
        assert message.to[0] not in unsubscribe
        assert "/newsletters/" in https[0]
        assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert parsed["List-Id"].endswith(
            f"<{audience.newsletter.slug}.list.news.example.org>"
        )
        assert parsed["From"] == "Evening Desk <desk@news.example.org>"
        ids.add(parsed["Message-ID"])
        text, html = parts(message)
        assert https[0] in text
        assert https[0].replace("&", "&amp;") in html or https[0] in html
        assert len(html.encode()) < 100_000
        assert '<link rel="stylesheet"' not in html
        assert "<style" not in html  # inlined
        assert "<table" in html
        assert f"To: {message.to[0]}" not in str(parsed.get("Cc", ""))
    assert len(ids) == 3
    assert all(i.endswith("@news.example.org>") for i in ids)
    tokens = {f"<nl.{d.token.hex}@" for d in Delivery.objects.filter(send=send)}
    assert {i.split("@")[0] + "@" for i in ids} == tokens


def test_a_reader_who_leaves_after_the_send_was_prepared_is_skipped(story):
    audience = make_audience()
    send = actions.create_send(audience.newsletter, subject="S", article=story)
    actions.start_send(send)  # without its on-commit work: nothing queued yet
    actions.prepare_send(send.pk)
    from herald.newsletters.models import Subscription

    Subscription.objects.filter(email=audience.emails["free"]).update(
        state=SubscriptionState.UNSUBSCRIBED
    )

    actions.work_send(send.pk)

    skipped = Delivery.objects.get(send=send, email=audience.emails["free"])
    assert skipped.state == DeliveryState.SKIPPED
    assert skipped.skip_reason == SkipReason.UNSUBSCRIBED
    assert audience.emails["free"] not in {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == 2


def test_batches_are_claimed_by_one_worker_each(story, settings):
    settings.HERALD_NEWSLETTER_BATCH_SIZE = 1
    audience = make_audience()
    send = actions.create_send(audience.newsletter, subject="S", article=story)
    actions.start_send(send)
    actions.prepare_send(send.pk)

    claims = [actions.claim_batch(send.pk) for _ in range(4)]

    numbers = [b.number for b in claims if b is not None]
    assert numbers == [0, 1, 2]
    assert claims[3] is None
    assert not Delivery.objects.filter(send=send, state=DeliveryState.PENDING).exists()


def test_a_worker_that_dies_holding_a_batch_leaves_unknown_rows_not_a_resend(
    story, settings
):
    # given: a batch handed over (claimed), then the worker is gone
    settings.HERALD_NEWSLETTER_BATCH_SIZE = 2
    audience = make_audience()
    send = actions.create_send(audience.newsletter, subject="S", article=story)
    actions.start_send(send)
    actions.prepare_send(send.pk)
    dead = actions.claim_batch(send.pk)
    held = set(Delivery.objects.filter(batch=dead).values_list("email", flat=True))

    # when: the lease runs out and the beat ticks; the rest is sent
    later = timezone.now() + timedelta(seconds=actions.lease_seconds() + 1)
    with run_on_commit():
        actions.tick(now=later)
        actions.work_send(send.pk)

    # then
    send.refresh_from_db()
    assert send.state == SendState.SENT
    unknown = Delivery.objects.filter(send=send, state=DeliveryState.UNKNOWN)
    assert set(unknown.values_list("email", flat=True)) == held
    assert {m.to[0] for m in mail.outbox} == set(audience.emails.values()) - held
    assert Batch.objects.get(pk=dead.pk).state == BatchState.DONE


def test_the_operator_resends_to_exactly_the_unknown_ones_with_the_same_message_id(
    story, settings
):
    settings.HERALD_NEWSLETTER_BATCH_SIZE = 2
    audience = make_audience()
    send = actions.create_send(audience.newsletter, subject="S", article=story)
    actions.start_send(send)
    actions.prepare_send(send.pk)
    dead = actions.claim_batch(send.pk)
    held = set(Delivery.objects.filter(batch=dead).values_list("email", flat=True))
    later = timezone.now() + timedelta(seconds=actions.lease_seconds() + 1)
    with run_on_commit():
        actions.tick(now=later)
        actions.work_send(send.pk)
    first_ids = {
        d.email: actions.message_id(send, d) for d in Delivery.objects.filter(send=send)
    }
    mail.outbox.clear()

    with run_on_commit():
        assert actions.resend_unknown(send) == len(held)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(held)
    for message in mail.outbox:
        assert parse(message)["Message-ID"] == first_ids[message.to[0]]
    send.refresh_from_db()
    assert send.state == SendState.SENT
    assert not Delivery.objects.filter(send=send, state=DeliveryState.UNKNOWN).exists()
    with run_on_commit():
        assert actions.resend_unknown(send) == 0


def test_a_cancelled_send_hands_over_no_more_batches(story, settings):
    settings.HERALD_NEWSLETTER_BATCH_SIZE = 1
    audience = make_audience()
    send = actions.create_send(audience.newsletter, subject="S", article=story)
    actions.start_send(send)
    actions.prepare_send(send.pk)

    assert actions.cancel_send(send)
    actions.work_send(send.pk)

    assert mail.outbox == []
    assert actions.claim_batch(send.pk) is None


def test_a_scheduled_send_starts_when_its_time_comes(story):
    audience = make_audience()
    send = actions.create_send(audience.newsletter, subject="S", article=story)
    at = timezone.now() + timedelta(hours=1)
    actions.schedule_send(send, at=at)

    with run_on_commit():
        actions.tick(now=at - timedelta(minutes=1))
    assert mail.outbox == []
    with run_on_commit():
        actions.tick(now=at + timedelta(seconds=1))

    send.refresh_from_db()
    assert send.state == SendState.SENT
    assert len(mail.outbox) == 3


def test_an_email_only_story_is_sent_without_a_page(db):
    audience = make_audience()
    send = actions.create_send(
        audience.newsletter,
        subject="A letter from the editor",
        title="Why we cover the harbour",
        body="<p>Only in your inbox: EMAILONLYTEXT.</p>",
    )
    start(send)
    text, html = parts(mail.outbox[0])
    assert "EMAILONLYTEXT" in html and "EMAILONLYTEXT" in text
    assert "Why we cover the harbour" in html


def test_an_email_only_story_needs_text(db):
    with pytest.raises(actions.SendError):
        actions.create_send(make_newsletter(), subject="S", body="  ")


def test_database_queries_per_batch_do_not_grow_with_its_size(
    story, settings, django_assert_max_num_queries
):
    newsletter = make_newsletter()
    for i in range(40):
        subscribe(newsletter, f"reader{i}@example.org")
    settings.HERALD_NEWSLETTER_BATCH_SIZE = 40
    send = actions.create_send(newsletter, subject="S", article=story)
    actions.start_send(send)
    actions.prepare_send(send.pk)
    batch = actions.claim_batch(send.pk)

    with django_assert_max_num_queries(12):
        actions.send_batch(batch)

    assert len(mail.outbox) == 40


def test_tracking_is_off_by_default(story):
    audience = make_audience()
    start(actions.create_send(audience.newsletter, subject="S", article=story))
    _text, html = parts(mail.outbox[0])
    assert "/newsletters/t/" not in html


def test_a_sent_story_is_listed_in_the_archive_without_its_gated_text(story):
    from django.test import Client

    audience = make_audience()
    start(actions.create_send(audience.newsletter, subject="Fares rise", article=story))

    page = Client().get(f"/newsletters/{audience.newsletter.slug}/").content.decode()

    assert "Fares rise" in page
    assert "SECRETFARE" not in page


class Refusing:
    """An SMTP server that answers every message with a temporary refusal."""

    def __init__(self) -> None:
        self.seen = 0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.seen += 1
        return "451 4.3.0 Try again later"


def test_a_provider_that_refuses_is_retried_with_backoff_then_fails_visibly(
    story, settings
):
    from aiosmtpd.controller import Controller

    from .smtpsink import free_port

    handler = Refusing()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.HERALD_EMAIL_PROVIDER = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.HERALD_NEWSLETTER_MAX_ATTEMPTS = 2
    try:
        audience = make_audience()
        send = actions.create_send(audience.newsletter, subject="S", article=story)
        actions.start_send(send)
        actions.prepare_send(send.pk)

        # when: the first try is refused
        actions.work_send(send.pk)

        # then: nothing lost, nothing failed yet, the batch waits its backoff
        batch = Batch.objects.get(send=send)
        assert batch.state == BatchState.PENDING
        assert batch.not_before > timezone.now()
        assert set(
            Delivery.objects.filter(send=send).values_list("state", flat=True)
        ) == {DeliveryState.PENDING}
        assert actions.claim_batch(send.pk) is None  # not before its time

        # when: the second (last) try is refused too
        later = batch.not_before + timedelta(seconds=1)
        assert actions.claim_batch(send.pk, now=later) is not None
        actions.send_batch(Batch.objects.get(send=send))
        actions.finish_if_done(send)
    finally:
        controller.stop()

    # then: every delivery is failed with the provider's answer; the send failed
    failed = Delivery.objects.filter(send=send, state=DeliveryState.FAILED)
    assert failed.count() == 3
    assert all("451" in d.error or "Try again" in d.error for d in failed)
    send.refresh_from_db()
    assert send.state == SendState.FAILED
    assert handler.seen >= 3
