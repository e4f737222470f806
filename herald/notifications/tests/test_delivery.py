"""Fan-out and delivery against a local push service that decrypts every push."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

from herald.members.models import AccessLevel
from herald.newsroom.testing import make_article, make_author, make_section
from herald.notifications import actions, queries, tasks, vapid
from herald.notifications.forms import clean_subscription
from herald.notifications.models import (
    BREAKING,
    Delivery,
    DeliveryState,
    Notification,
    NotificationState,
    PushSubscription,
    SubscriptionState,
)

# Tasks run in-process: the PostgreSQL stage has a Redis broker and no worker.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def _subscribe(service, topics=(BREAKING,), n=1):
    key = vapid.public_key()
    subs = []
    for _ in range(n):
        raw = service.subscribe(server_key=key)
        data = clean_subscription(
            {**raw, "topics": list(topics)}, allowed_topics=queries.topic_keys()
        )
        subs.append(actions.subscribe(data)[0])
    return subs


@pytest.fixture
def section(db):
    return make_section("City")


def _push(article, topic=BREAKING, **kwargs):
    return actions.push_article(article, topic=topic, **kwargs)


def test_a_breaking_push_reaches_every_subscriber_decrypted(
    push_service, section, django_capture_on_commit_callbacks
):
    # given three subscribers of breaking news and one of the section only
    breaking = _subscribe(push_service, n=3)
    _subscribe(push_service, topics=[queries.section_topic(section.pk)])
    article = make_article(
        section, "Bridge closed after crash", dek="Traffic is diverted."
    )

    # when the desk pushes it to the breaking topic
    with django_capture_on_commit_callbacks(execute=True):
        notification = _push(article)

    # then each breaking subscriber got one message it could decrypt
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT
    for sub in breaking:
        inbox = push_service.inbox(sub.endpoint)
        assert len(inbox) == 1
        payload = inbox[0]["payload"]
        assert payload["title"] == "Bridge closed after crash"
        assert payload["body"] == "Traffic is diverted."
        assert payload["url"].startswith("http://testserver" + article.url + "?hp=")
        assert payload["tag"] == f"article-{article.pk}"
        assert payload["icon"].endswith("icon-192.png")
        assert inbox[0]["urgency"] == "high"
        assert inbox[0]["ttl"] == 2 * 3600
        assert inbox[0]["topic"] == f"article-{article.pk}"
    assert sum(push_service.received.values()) == 3
    assert push_service.refusals == []
    report = queries.report(notification)
    assert (report.targeted, report.accepted, report.failed, report.expired) == (
        3,
        3,
        0,
        0,
    )
    headers = {k.lower(): v for k, v in push_service.last_headers.items()}
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=")


def test_a_section_push_has_a_day_to_live_and_normal_urgency(
    push_service, section, django_capture_on_commit_callbacks
):
    (sub,) = _subscribe(push_service, topics=[queries.section_topic(section.pk)])
    article = make_article(section, "Council adopts budget")
    with django_capture_on_commit_callbacks(execute=True):
        _push(article, topic=queries.section_topic(section.pk))
    (message,) = push_service.inbox(sub.endpoint)
    assert message["ttl"] == 24 * 3600
    assert message["urgency"] == "normal"


def test_a_story_is_pushed_to_its_authors_followers_only(
    push_service, section, django_capture_on_commit_callbacks
):
    ada, bo = make_author("Ada Quill"), make_author("Bo Ink")
    make_article(section, "An earlier story by Bo", authors=[bo])  # Bo has a byline
    article = make_article(section, "Ada on the budget", authors=[ada])
    (ada_fan,) = _subscribe(push_service, topics=[queries.author_topic(ada.pk)])
    (bo_fan,) = _subscribe(push_service, topics=[queries.author_topic(bo.pk)])

    offered = {t.key: t.label for t in queries.topics_for_article(article)}
    assert offered[queries.author_topic(ada.pk)] == "Stories by Ada Quill"
    assert queries.author_topic(bo.pk) not in offered
    with django_capture_on_commit_callbacks(execute=True):
        _push(article, topic=queries.author_topic(ada.pk))

    (message,) = push_service.inbox(ada_fan.endpoint)
    assert message["payload"]["title"] == "Ada on the budget"
    assert message["urgency"] == "normal"
    assert push_service.inbox(bo_fan.endpoint) == []


def test_410_and_404_remove_the_subscription_and_count_as_expired(
    push_service, section, django_capture_on_commit_callbacks
):
    gone, missing, fine = _subscribe(push_service, n=3)
    push_service.answer(gone.endpoint, always=(410, None))
    push_service.answer(missing.endpoint, always=(404, None))
    article = make_article(section, "Storm warning")

    with django_capture_on_commit_callbacks(execute=True):
        notification = _push(article)

    states = dict(
        Delivery.objects.filter(notification=notification).values_list(
            "subscription_id", "state"
        )
    )
    assert states[gone.pk] == states[missing.pk] == DeliveryState.EXPIRED
    assert states[fine.pk] == DeliveryState.SENT
    gone.refresh_from_db()
    missing.refresh_from_db()
    assert gone.state == missing.state == SubscriptionState.REMOVED
    assert queries.reach(BREAKING) == 1
    report = queries.report(notification)
    assert (report.accepted, report.expired) == (1, 2)


def test_429_waits_for_retry_after_then_delivers_without_removing(
    push_service, section, django_capture_on_commit_callbacks
):
    (sub,) = _subscribe(push_service)
    push_service.answer(sub.endpoint, (429, 120))
    article = make_article(section, "Polls close")

    with django_capture_on_commit_callbacks(execute=True):
        notification = _push(article)

    delivery = Delivery.objects.get(notification=notification)
    assert delivery.state == DeliveryState.PENDING
    assert delivery.attempts == 1
    assert delivery.status_code == 429
    assert delivery.retry_after is not None
    sub.refresh_from_db()
    assert sub.state == SubscriptionState.ACTIVE
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENDING

    # a run before the Retry-After time sends nothing
    first, last = delivery.pk, delivery.pk
    tasks.send_deliveries(str(notification.pk), first, last)
    assert sum(push_service.received.values()) == 0

    # once the time has come, the batch runs again and delivers
    Delivery.objects.filter(pk=delivery.pk).update(retry_after=None)
    tasks.send_deliveries(str(notification.pk), first, last)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert delivery.attempts == 2
    assert len(push_service.inbox(sub.endpoint)) == 1
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT


def test_retry_after_honours_the_longer_of_backoff_and_the_header(settings):
    from datetime import UTC, datetime

    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    settings.HERALD_PUSH_BACKOFF = 30
    assert actions._next_try(1, "120", now) == 120
    assert actions._next_try(1, None, now) == 30
    assert actions._next_try(3, "5", now) == 120
    assert actions._next_try(2, "Mon, 02 Mar 2026 12:10:00 GMT", now) == 600
    assert actions._next_try(20, None, now) == 3600


def test_5xx_is_retried_with_backoff_and_fails_after_the_last_attempt(
    push_service, section, settings, django_capture_on_commit_callbacks
):
    settings.HERALD_PUSH_MAX_ATTEMPTS = 2
    (sub,) = _subscribe(push_service)
    push_service.answer(sub.endpoint, always=(503, None))
    article = make_article(section, "Power cut")
    with django_capture_on_commit_callbacks(execute=True):
        notification = _push(article)
    delivery = Delivery.objects.get(notification=notification)
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 1)

    Delivery.objects.filter(pk=delivery.pk).update(retry_after=None)
    tasks.send_deliveries(str(notification.pk), delivery.pk, delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 2)
    sub.refresh_from_db()
    assert sub.state == SubscriptionState.ACTIVE  # a failing service is no "gone"
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT
    assert queries.report(notification).failed == 1


def test_413_and_403_fail_at_once_without_retry(
    push_service, section, django_capture_on_commit_callbacks
):
    big, refused = _subscribe(push_service, n=2)
    push_service.answer(big.endpoint, always=(413, None))
    push_service.answer(refused.endpoint, always=(403, None))
    with django_capture_on_commit_callbacks(execute=True):
        notification = _push(make_article(section, "Fire downtown"))
    assert set(
        Delivery.objects.filter(notification=notification).values_list(
            "state", flat=True
        )
    ) == {DeliveryState.FAILED}


def test_a_hanging_push_service_times_out_and_the_rest_are_delivered(
    push_service, section, settings, django_capture_on_commit_callbacks
):
    settings.HERALD_PUSH_TIMEOUT = 1.0
    subs = _subscribe(push_service, n=5)
    push_service.answer(subs[0].endpoint, "hang")
    with django_capture_on_commit_callbacks(execute=True):
        notification = _push(make_article(section, "Flood barrier raised"))
    states = dict(
        Delivery.objects.filter(notification=notification).values_list(
            "subscription_id", "state"
        )
    )
    assert states.pop(subs[0].pk) == DeliveryState.PENDING
    assert set(states.values()) == {DeliveryState.SENT}
    hung = Delivery.objects.get(notification=notification, subscription=subs[0])
    assert hung.last_error == "timeout"
    assert hung.retry_after is not None
    # the next attempt (the service answers again) delivers it
    Delivery.objects.filter(pk=hung.pk).update(retry_after=None)
    tasks.send_deliveries(str(notification.pk), hung.pk, hung.pk)
    hung.refresh_from_db()
    assert hung.state == DeliveryState.SENT


def test_running_fan_out_and_batches_twice_sends_each_push_once(
    push_service, section, django_capture_on_commit_callbacks
):
    subs = _subscribe(push_service, n=4)
    with django_capture_on_commit_callbacks(execute=True):
        notification = _push(make_article(section, "Election called"))
    notification.refresh_from_db()

    # a redelivered fan-out and redelivered batches change nothing
    Notification.objects.filter(pk=notification.pk).update(
        state=NotificationState.SENDING
    )
    notification.refresh_from_db()
    batches = actions.fan_out(notification)
    for first, last in batches:
        tasks.send_deliveries(str(notification.pk), first, last)

    assert Delivery.objects.filter(notification=notification).count() == 4
    assert all(
        push_service.received[push_service.subscriber_for(s.endpoint).id] == 1
        for s in subs
    )


def test_a_batch_leaves_rows_another_sender_holds(
    push_service, section, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    (sub,) = _subscribe(push_service)
    article = make_article(section, "Ferry cancelled")
    notification = actions.prepare_push(article, topic=BREAKING)
    Notification.objects.filter(pk=notification.pk).update(
        state=NotificationState.SENDING
    )
    notification.refresh_from_db()
    delivery = Delivery.objects.create(
        notification=notification,
        subscription=sub,
        lease_until=timezone.now() + timedelta(minutes=1),
    )
    tasks.send_deliveries(str(notification.pk), delivery.pk, delivery.pk)
    assert sum(push_service.received.values()) == 0
    # after the lease runs out (a crashed sender), the resume task sends it
    Delivery.objects.filter(pk=delivery.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert tasks.resume_deliveries() == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert sum(push_service.received.values()) == 1


def test_ttl_is_honoured_by_the_push_service_for_offline_subscribers(
    push_service, section, django_capture_on_commit_callbacks
):
    (sub,) = _subscribe(push_service)
    push_service.go_offline(sub.endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        _push(make_article(section, "Road reopened"))
    # within the TTL the device gets it when it comes back ...
    assert len(push_service.connect(sub.endpoint, at=time.time() + 3600)) == 1
    # ... after the TTL it would have been dropped
    push_service.go_offline(sub.endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        _push(make_article(section, "Second alert"))
    assert push_service.connect(sub.endpoint, at=time.time() + 3 * 3600) == []


def test_one_push_per_article_and_topic_unless_resent_on_purpose(
    push_service, section, django_capture_on_commit_callbacks
):
    (sub,) = _subscribe(push_service)
    article = make_article(section, "Mayor resigns")
    with django_capture_on_commit_callbacks(execute=True):
        _push(article)
    with pytest.raises(actions.AlreadyPushed):
        _push(article)
    with django_capture_on_commit_callbacks(execute=True):
        again = _push(article, resend=True, title="Mayor resigns: statement")
    assert again.sequence == 2
    assert [m["payload"]["title"] for m in push_service.inbox(sub.endpoint)] == [
        "Mayor resigns",
        "Mayor resigns: statement",
    ]


def test_the_payload_carries_headline_and_dek_never_gated_text(
    push_service, section, django_capture_on_commit_callbacks
):
    (sub,) = _subscribe(push_service)
    article = make_article(
        section,
        "Inside the port deal",
        dek="What the contract says.",
        paragraphs=["Free opening.", "GATEDCANARY paid paragraph."],
        paywall_after=1,
        access_level=AccessLevel.PAID,
    )
    with django_capture_on_commit_callbacks(execute=True):
        _push(article)
    (message,) = push_service.inbox(sub.endpoint)
    raw = str(message["payload"])
    assert "GATEDCANARY" not in raw and "Free opening" not in raw
    assert message["plaintext_size"] <= 3993


def test_a_long_text_is_cut_to_fit_the_payload_limit(section):
    from herald.notifications import payloads

    article = make_article(section, "Long")
    notification = actions.prepare_push(article, topic=BREAKING, body="é" * 300)
    notification.body = "é" * 5000  # beyond the field: the guard still holds
    assert len(payloads.build(notification, image="https://x/" + "i" * 200)) <= 3993


@override_settings(HERALD_PUSH_BREAKING_AUTOSEND=False)
def test_publishing_a_breaking_article_offers_a_push_to_the_editors(
    push_service, section, django_capture_on_commit_callbacks
):
    _subscribe(push_service)
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(section, "Earthquake felt", is_breaking=True)
    notification = Notification.objects.get(article=article)
    assert notification.state == NotificationState.OFFERED
    assert notification.topic == BREAKING
    assert sum(push_service.received.values()) == 0


@override_settings(HERALD_PUSH_BREAKING_AUTOSEND=True)
def test_by_setting_a_breaking_article_is_pushed_when_published(
    push_service, section, django_capture_on_commit_callbacks
):
    (sub,) = _subscribe(push_service)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(section, "Earthquake felt", is_breaking=True)
    with django_capture_on_commit_callbacks(execute=True):
        pass
    assert len(push_service.inbox(sub.endpoint)) == 1


def test_a_plain_article_offers_nothing(section, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_article(section, "Weekend markets")
    assert not Notification.objects.exists()
    assert PushSubscription.objects.count() == 0


def test_a_batch_marks_only_the_subscriptions_it_reached_as_last_successful(
    push_service, section, django_capture_on_commit_callbacks
):
    # given two reachable subscribers and one whose push service is down
    reached = _subscribe(push_service, n=2)
    (down,) = _subscribe(push_service)
    push_service.answer(down.endpoint, always=(503, None))

    # when a push goes out
    with django_capture_on_commit_callbacks(execute=True):
        _push(make_article(section, "Storm warning"))

    # then the reached ones have a last success, the other has none
    for sub in reached:
        sub.refresh_from_db()
        assert sub.last_success_at is not None
    down.refresh_from_db()
    assert down.last_success_at is None
    assert down.state == SubscriptionState.ACTIVE
