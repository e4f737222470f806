from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from herald.core import keep
from herald.newsroom import actions, hooks
from herald.newsroom.models import ArticlePage
from herald.newsroom.testing import (
    CONTRIBUTORS,
    EDITORS,
    capture_events,
    make_article,
    make_section,
    make_staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def section():
    return make_section("World")


@pytest.fixture
def draft(section):
    return make_article(section, "Harbour reopens after the storm", publish=False)


def test_publishing_emits_article_published_once_after_commit(
    draft, django_capture_on_commit_callbacks
):
    with capture_events() as events:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            actions.publish_article(draft)
            # given the transaction has not committed, nobody has heard yet
            assert events == []
        for callback in callbacks:
            callback()

    assert draft.live
    assert events.names() == ["article_published"]
    event = events[0]
    assert event.article_id == draft.pk
    assert event.first_publication is True
    assert event.at == draft.last_published_at


def test_republishing_a_live_article_emits_article_updated(
    draft, django_capture_on_commit_callbacks
):
    actions.publish_article(draft)
    draft.title = "Harbour reopens, ferries resume"
    draft.save_revision()

    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.publish_article(draft)

    assert events.names() == ["article_updated"]
    assert events[0].first_publication is False
    assert ArticlePage.objects.get(pk=draft.pk).title == (
        "Harbour reopens, ferries resume"
    )


def test_unpublishing_emits_article_unpublished(
    draft, django_capture_on_commit_callbacks
):
    actions.publish_article(draft)

    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        changed = actions.unpublish_article(draft)

    assert changed is True
    assert not draft.live
    assert events.names() == ["article_unpublished"]
    assert events[0].article_id == draft.pk


def test_unpublishing_an_article_that_is_not_live_emits_nothing(
    draft, django_capture_on_commit_callbacks
):
    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        changed = actions.unpublish_article(draft)

    assert changed is False
    assert events == []


def test_publishing_again_after_unpublishing_is_a_publication_but_not_the_first(
    draft, django_capture_on_commit_callbacks
):
    actions.publish_article(draft)
    actions.unpublish_article(draft)

    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.publish_article(draft)

    assert events.names() == ["article_published"]
    assert events[0].first_publication is False


def test_a_failing_receiver_does_not_stop_the_others_or_the_publication(
    draft, django_capture_on_commit_callbacks
):
    received_after = []

    def broken(event):
        raise RuntimeError("the push service is down")

    def later(event):
        received_after.append(event.name)

    with capture_events() as events:  # sets other apps' receivers aside
        hooks.register("article_published", broken)
        hooks.register("article_published", later)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                actions.publish_article(draft)
        finally:
            hooks.unregister("article_published", broken)
            hooks.unregister("article_published", later)

    assert events.names() == ["article_published"]
    assert received_after == ["article_published"]
    assert ArticlePage.objects.get(pk=draft.pk).live


def test_registering_a_receiver_twice_delivers_each_event_once(
    draft, django_capture_on_commit_callbacks
):
    received = []

    def receiver(event):
        received.append(event.name)

    with capture_events():  # sets other apps' receivers aside
        hooks.register("article_published", receiver)
        hooks.register("article_published", receiver)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                actions.publish_article(draft)
        finally:
            hooks.unregister("article_published", receiver)

    assert received == ["article_published"]


def test_registering_for_an_unknown_event_is_refused():
    with pytest.raises(ValueError):
        hooks.register("article_liked", lambda event: None)


def test_publishing_and_unpublishing_refresh_the_cached_chrome(
    draft, django_capture_on_commit_callbacks
):
    before = keep.generation()
    with capture_events(), django_capture_on_commit_callbacks(execute=True):
        actions.publish_article(draft)
    after_publish = keep.generation()
    with capture_events(), django_capture_on_commit_callbacks(execute=True):
        actions.unpublish_article(draft)

    assert after_publish > before
    assert keep.generation() > after_publish


def test_publishing_a_section_refreshes_the_chrome_without_article_events(
    django_capture_on_commit_callbacks,
):
    before = keep.generation()
    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        make_section("Science")

    assert events == []
    assert keep.generation() > before


def test_contributor_cannot_publish_through_the_action(
    draft, django_capture_on_commit_callbacks
):
    contributor = make_staff(CONTRIBUTORS)

    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(PermissionDenied),
    ):
        actions.publish_article(draft, user=contributor)

    draft.refresh_from_db()
    assert not draft.live
    assert draft.first_published_at is None
    assert events == []


def test_editor_publishes_and_the_event_names_the_editor(
    draft, django_capture_on_commit_callbacks
):
    editor = make_staff(EDITORS)

    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.publish_article(draft, user=editor)

    assert draft.live
    assert [(e.name, e.user_id) for e in events] == [("article_published", editor.pk)]


def test_publish_with_a_future_time_schedules_without_announcing(
    draft, django_capture_on_commit_callbacks
):
    go_live = timezone.now() + timedelta(hours=2)

    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        revision = actions.publish_article(draft, at=go_live)

    assert not draft.live
    assert draft.go_live_at == go_live
    revision.refresh_from_db()
    assert revision.approved_go_live_at == go_live
    assert events == []


def test_publish_now_overrides_an_earlier_schedule(
    draft, django_capture_on_commit_callbacks
):
    editor = make_staff(EDITORS)
    actions.schedule_article(
        draft, go_live_at=timezone.now() + timedelta(days=1), user=editor
    )

    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.publish_article(draft, user=editor)

    assert draft.live
    assert draft.go_live_at is None
    assert not draft.revisions.filter(approved_go_live_at__isnull=False).exists()
    assert events.names() == ["article_published"]


def test_unpublishing_drops_a_pending_schedule(draft):
    editor = make_staff(EDITORS)
    actions.publish_article(draft, user=editor)
    draft.title = "A later version"
    draft.save_revision()
    actions.schedule_article(
        draft, go_live_at=timezone.now() + timedelta(hours=1), user=editor
    )
    assert draft.revisions.filter(approved_go_live_at__isnull=False).exists()

    actions.unpublish_article(draft, user=editor)

    assert not draft.live
    assert not draft.revisions.filter(approved_go_live_at__isnull=False).exists()


def test_contributor_cannot_unpublish(draft):
    actions.publish_article(draft)
    contributor = make_staff(CONTRIBUTORS)

    with pytest.raises(PermissionDenied):
        actions.unpublish_article(draft, user=contributor)

    assert ArticlePage.objects.get(pk=draft.pk).live


def test_administrators_hold_every_permission():
    from django.contrib.auth.models import Group, Permission

    admins = Group.objects.get(name="Administrators")
    assert admins.permissions.count() == Permission.objects.count()
