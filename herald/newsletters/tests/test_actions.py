from __future__ import annotations

import pytest
from django.core import mail
from django.test import TestCase

from herald.newsletters import actions, queries
from herald.newsletters.models import (
    SUBSCRIPTION_TRANSITIONS,
    EventKind,
    Subscription,
    SubscriptionEvent,
    SubscriptionSource,
    SubscriptionState,
    UnsubscribeReason,
)


def test_every_state_has_its_arrows():
    assert set(SUBSCRIPTION_TRANSITIONS) == set(SubscriptionState.values)
    assert SubscriptionState.PENDING not in SUBSCRIPTION_TRANSITIONS["subscribed"]


def test_request_makes_pending_rows_and_sends_one_email(morning, weekly):
    # when
    with TestCase.captureOnCommitCallbacks(execute=True):
        request = actions.request_subscription(
            [morning, weekly], email="Ana@Example.ORG"
        )
    # then
    assert request.email == "Ana@example.org"
    rows = Subscription.objects.order_by("newsletter__sort_order")
    assert [r.state for r in rows] == ["pending", "pending"]
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "The Morning Edition" in body and "Long Reads Weekly" in body
    assert SubscriptionEvent.objects.filter(kind=EventKind.REQUESTED).count() == 2
    # Nobody receives mail before confirming.
    assert not queries.subscribers(morning).exists()


def test_confirming_twice_confirms_once(morning):
    request = actions.request_subscription([morning], email="ana@example.org")
    first = actions.confirm_subscriptions("ana@example.org", nonce=request.nonce)
    second = actions.confirm_subscriptions("ana@example.org", nonce=request.nonce)
    assert [s.newsletter for s in first.confirmed] == [morning]
    assert second.confirmed == [] and [s.newsletter for s in second.already] == [
        morning
    ]
    assert SubscriptionEvent.objects.filter(kind=EventKind.CONFIRMED).count() == 1
    assert queries.subscribers(morning).get().confirmed_at is not None


def test_a_newer_request_replaces_the_older_link(morning):
    old = actions.request_subscription([morning], email="ana@example.org")
    new = actions.request_subscription([morning], email="ana@example.org")
    assert not actions.confirm_subscriptions("ana@example.org", nonce=old.nonce).ok
    assert actions.confirm_subscriptions("ana@example.org", nonce=new.nonce).confirmed


def test_an_old_link_does_not_resubscribe_after_leaving(morning):
    request = actions.request_subscription([morning], email="ana@example.org")
    actions.confirm_subscriptions("ana@example.org", nonce=request.nonce)
    actions.unsubscribe(Subscription.objects.get(), reason=UnsubscribeReason.ONE_CLICK)
    again = actions.confirm_subscriptions("ana@example.org", nonce=request.nonce)
    assert not again.ok
    assert Subscription.objects.get().state == SubscriptionState.UNSUBSCRIBED


def test_already_subscribed_address_gets_no_email(morning):
    actions.subscribe(morning, email="ana@example.org", source=SubscriptionSource.STAFF)
    with TestCase.captureOnCommitCallbacks(execute=True):
        request = actions.request_subscription([morning], email="ANA@example.org")
    assert request.pending == [] and len(request.already_subscribed) == 1
    assert mail.outbox == []
    assert Subscription.objects.count() == 1


def test_unsubscribe_is_idempotent_and_keeps_history(morning):
    subscription = actions.subscribe(
        morning, email="ana@example.org", source=SubscriptionSource.IMPORT
    )
    assert actions.unsubscribe(subscription, reason=UnsubscribeReason.BOUNCE) is True
    assert actions.unsubscribe(subscription, reason=UnsubscribeReason.BOUNCE) is False
    events = SubscriptionEvent.objects.filter(kind=EventKind.UNSUBSCRIBED)
    assert [e.reason for e in events] == ["bounce"]
    subscription.refresh_from_db()
    assert subscription.state == "unsubscribed" and subscription.unsubscribed_at


def test_a_forbidden_arrow_is_refused(morning):
    subscription = actions.subscribe(
        morning, email="ana@example.org", source=SubscriptionSource.STAFF
    )
    with pytest.raises(ValueError):
        actions._move(subscription, SubscriptionState.PENDING, fields=[])


def test_unsubscribe_address_leaves_every_newsletter(morning, weekly):
    for newsletter in (morning, weekly):
        actions.subscribe(
            newsletter, email="ana@example.org", source=SubscriptionSource.STAFF
        )
    assert (
        actions.unsubscribe_address(
            "Ana@example.org", reason=UnsubscribeReason.COMPLAINT
        )
        == 2
    )
    assert not Subscription.objects.filter(state="subscribed").exists()


def test_set_choices_adds_and_removes_only_what_was_offered(morning, weekly, insider):
    for newsletter in (morning, insider):
        actions.subscribe(
            newsletter, email="ana@example.org", source=SubscriptionSource.STAFF
        )
    added, removed = actions.set_choices(
        "ana@example.org",
        chosen=[weekly],
        offered=[morning, weekly],
        source=SubscriptionSource.PREFERENCES,
        reason=UnsubscribeReason.PREFERENCES,
    )
    assert (added, removed) == (1, 1)
    assert queries.subscribed_ids("ana@example.org") == {weekly.pk, insider.pk}


def test_set_choices_without_proof_only_removes(morning, weekly):
    actions.subscribe(morning, email="ana@example.org", source=SubscriptionSource.STAFF)
    added, removed = actions.set_choices(
        "ana@example.org",
        chosen=[weekly],
        offered=[morning, weekly],
        source=SubscriptionSource.PREFERENCES,
        reason=UnsubscribeReason.PREFERENCES,
        may_add=False,
    )
    assert (added, removed) == (0, 1)
    assert queries.subscribed_ids("ana@example.org") == set()


def test_forgetting_a_member_keeps_detached_events(morning, member):
    actions.subscribe(
        morning, email=member.email, member=member, source=SubscriptionSource.ACCOUNT
    )
    actions.forget_member(member.pk, member.email)
    assert not Subscription.objects.exists()
    event = SubscriptionEvent.objects.get()
    assert event.subscription is None and event.newsletter == morning


def test_a_members_new_address_takes_over_their_newsletters(morning, weekly, member):
    from herald.members import hooks

    # given the member on two newsletters, and the new address already on one
    for newsletter in (morning, weekly):
        actions.subscribe(
            newsletter,
            email=member.email,
            member=member,
            source=SubscriptionSource.ACCOUNT,
        )
    other = actions.subscribe(
        weekly, email="rita@new.example.org", source=SubscriptionSource.FORM
    )
    actions.unsubscribe(other, reason=UnsubscribeReason.ONE_CLICK)
    old = member.email
    member.email = "rita@new.example.org"
    member.save()

    # when members announces the change
    with TestCase.captureOnCommitCallbacks(execute=True):
        hooks.emit("member_email_changed", member, old)

    # then mail goes to the new address only
    assert queries.subscribed_ids("rita@new.example.org") == {morning.pk, weekly.pk}
    assert queries.subscribed_ids(old) == set()
    assert SubscriptionEvent.objects.filter(reason="address_changed").count() == 1


def test_unconfirmed_sign_ups_are_forgotten_after_their_link_expired(morning, weekly):
    from datetime import timedelta

    from django.utils import timezone

    actions.request_subscription([morning], email="never@example.org")
    confirmed = actions.request_subscription([weekly], email="yes@example.org")
    actions.confirm_subscriptions("yes@example.org", nonce=confirmed.nonce)
    later = timezone.now() + timedelta(seconds=queries.confirm_max_age(), days=1)

    assert actions.purge_unconfirmed(now=timezone.now()) == 0
    assert actions.purge_unconfirmed(now=later + timedelta(minutes=1)) == 1
    assert actions.purge_unconfirmed(now=later + timedelta(minutes=1)) == 0
    assert list(Subscription.objects.values_list("email", flat=True)) == [
        "yes@example.org"
    ]
    assert SubscriptionEvent.objects.filter(
        kind=EventKind.REQUESTED, subscription__isnull=True
    ).exists()


def test_the_purge_runs_on_the_beat_schedule(settings):
    from herald.celery import app

    app.loader.import_default_modules()  # what a worker does at start (autodiscovery)
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "herald.newsletters.tasks.purge_unconfirmed" in scheduled
    assert "herald.newsletters.tasks.purge_unconfirmed" in app.tasks


@pytest.mark.parametrize(
    "event_type,permanent,reason",
    [
        ("bounced", True, "bounce"),
        ("complained", True, "complaint"),
        ("bounced", False, None),
    ],
)
def test_a_hard_bounce_or_complaint_ends_the_subscriptions(
    morning, weekly, event_type, permanent, reason
):
    from herald.outbox import actions as outbox

    for newsletter in (morning, weekly):
        actions.subscribe(
            newsletter, email="gone@example.org", source=SubscriptionSource.STAFF
        )
    with TestCase.captureOnCommitCallbacks(execute=True):
        outbox.record_event(
            provider="postmark",
            event_type=event_type,
            recipient="Gone@example.org",
            event_id=f"evt-{event_type}-{permanent}",
            permanent=permanent,
        )
    left = SubscriptionEvent.objects.filter(kind=EventKind.UNSUBSCRIBED)
    if reason is None:  # a soft bounce changes nothing
        assert not left.exists()
        assert len(queries.subscribed_ids("gone@example.org")) == 2
    else:
        assert sorted(e.reason for e in left) == [reason, reason]
        assert queries.subscribed_ids("gone@example.org") == set()
