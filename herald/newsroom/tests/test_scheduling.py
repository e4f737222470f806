"""Scheduled publishing: the clock (action), the Celery task, the in-process thread."""

import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.utils import timezone
from freezegun import freeze_time

from herald.newsroom import actions, scheduler, tasks
from herald.newsroom.models import ArticlePage
from herald.newsroom.testing import (
    EDITORS,
    capture_events,
    make_article,
    make_section,
    make_staff,
)

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def editor(db):
    return make_staff(EDITORS)


@pytest.fixture
def section(db):
    return make_section("Politics")


def _schedule(section, editor, *, at, title="Budget vote tonight", now=NOON):
    with freeze_time(now):
        article = make_article(section, title, publish=False)
        actions.schedule_article(article, go_live_at=at, user=editor)
    return article


@pytest.mark.django_db
def test_scheduled_article_is_not_live_before_its_time(section, editor):
    article = _schedule(section, editor, at=NOON + timedelta(hours=1))

    with freeze_time(NOON + timedelta(minutes=59)):
        result = actions.publish_due_pages()

    article.refresh_from_db()
    assert not article.live
    assert result.published == []


@pytest.mark.django_db
def test_article_whose_time_has_passed_is_published_by_the_clock(
    section, editor, django_capture_on_commit_callbacks
):
    article = _schedule(section, editor, at=NOON + timedelta(hours=1))

    with (
        freeze_time(NOON + timedelta(hours=1, seconds=30)),
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = actions.publish_due_pages()

    article.refresh_from_db()
    assert article.live
    assert article.first_published_at == NOON + timedelta(hours=1, seconds=30)
    assert result.published == [article.pk]
    assert events.names() == ["article_published"]


@pytest.mark.django_db
def test_running_the_clock_twice_changes_nothing_the_second_time(
    section, editor, django_capture_on_commit_callbacks
):
    article = _schedule(section, editor, at=NOON + timedelta(hours=1))
    with freeze_time(NOON + timedelta(hours=2)):
        actions.publish_due_pages()
    article.refresh_from_db()
    published_at = article.last_published_at
    revisions = article.revisions.count()

    with (
        freeze_time(NOON + timedelta(hours=3)),
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        second = actions.publish_due_pages()

    article.refresh_from_db()
    assert not second
    assert events == []
    assert article.last_published_at == published_at
    assert article.revisions.count() == revisions


@pytest.mark.django_db
def test_new_version_of_a_live_article_replaces_it_at_its_time(
    section, editor, django_capture_on_commit_callbacks
):
    with freeze_time(NOON):
        article = make_article(section, "Polls open at eight")
        article.title = "Polls close at ten"
        article.save_revision(user=editor)
        actions.schedule_article(
            article, go_live_at=NOON + timedelta(hours=2), user=editor
        )

    with freeze_time(NOON + timedelta(hours=1)):
        actions.publish_due_pages()
    assert ArticlePage.objects.get(pk=article.pk).title == "Polls open at eight"

    with (
        freeze_time(NOON + timedelta(hours=2, minutes=1)),
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.publish_due_pages()

    assert ArticlePage.objects.get(pk=article.pk).title == "Polls close at ten"
    assert events.names() == ["article_updated"]


@pytest.mark.django_db
def test_article_past_its_expiry_is_taken_down_by_the_clock(
    section, django_capture_on_commit_callbacks
):
    with freeze_time(NOON):
        article = make_article(section, "Live blog: election night")
    ArticlePage.objects.filter(pk=article.pk).update(
        expire_at=NOON + timedelta(hours=6)
    )

    with (
        freeze_time(NOON + timedelta(hours=7)),
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = actions.publish_due_pages()

    article.refresh_from_db()
    assert not article.live
    assert article.expired
    assert result.expired == [article.pk]
    assert events.names() == ["article_unpublished"]


@pytest.mark.django_db
def test_celery_task_runs_the_clock(section, editor):
    article = _schedule(section, editor, at=NOON + timedelta(minutes=5))

    with freeze_time(NOON + timedelta(minutes=6)):
        outcome = tasks.publish_due_pages.apply().get()

    article.refresh_from_db()
    assert article.live
    assert outcome == {"published": [article.pk], "expired": []}


def test_celery_task_name_matches_the_beat_schedule():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks.publish_due_pages.name in scheduled


# --- Across threads and processes: these need committed data ---------------------


def _wait_until_live(article_id, *, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ArticlePage.objects.filter(pk=article_id, live=True).exists():
                return True
        except OperationalError:
            # In-memory SQLite shares its cache across threads with table locks:
            # while the clock thread writes, a read is refused; ask again.
            pass
        time.sleep(0.2)
    return False


def _schedule_in_the_past(section, editor):
    """An article whose approved go-live time passed a minute ago (real clock)."""
    now = timezone.now()
    return _schedule(
        section, editor, at=now - timedelta(minutes=1), now=now - timedelta(hours=1)
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_inprocess_scheduler_thread_publishes_a_due_article():
    article = _schedule_in_the_past(make_section("Local"), make_staff(EDITORS))
    assert not ArticlePage.objects.get(pk=article.pk).live

    started = scheduler.ensure_started(interval=0.2)
    try:
        assert started
        assert not scheduler.ensure_started(interval=0.2)  # one thread per process
        went_live = _wait_until_live(article.pk, timeout=30)
    finally:
        scheduler.stop()

    assert went_live


# Not a cache database of the test settings (14, and 15 for a second xdist worker).
BROKER_DB = 12


def _postgres_and_redis() -> str | None:
    if connection.vendor != "postgresql":
        return (
            "needs PostgreSQL: a worker process cannot see SQLite's in-memory test "
            "database (run with HERALD_DATABASE_URL, e.g. make test-postgres)"
        )
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        return "needs a Redis broker (HERALD_REDIS_URL)"
    return None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_celery_worker_publishes_a_due_article(tmp_path):
    reason = _postgres_and_redis()
    if reason:
        pytest.skip(reason)
    article = _schedule_in_the_past(make_section("Business"), make_staff(EDITORS))
    assert not ArticlePage.objects.get(pk=article.pk).live

    db = connection.settings_dict
    # A Redis database of its own: the broker shares Redis with the test caches,
    # and a test's cache.clear() in another xdist worker (FLUSHDB) would delete
    # the queued task before a slow-starting worker could take it.
    broker_url = urlunsplit(
        urlsplit(settings.CELERY_BROKER_URL)._replace(path=f"/{BROKER_DB}")
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "herald.settings.test",
        "HERALD_DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "HERALD_CELERY_BROKER_URL": broker_url,
        "HERALD_CELERY_EAGER": "0",
    }
    queue = f"herald-test-{uuid.uuid4().hex[:8]}"
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "herald",
                "worker",
                "--pool=solo",
                "--queues",
                queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=Path(settings.BASE_DIR),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            from herald.celery import app

            with app.connection_for_write(broker_url) as broker:
                tasks.publish_due_pages.apply_async(queue=queue, connection=broker)
            # A cold worker on a busy 2-core machine can take minutes to start.
            went_live = _wait_until_live(article.pk, timeout=240)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    assert went_live, log_path.read_text()[-3000:]
