"""Fan-out on a real Celery worker process, against the local push service.

Needs PostgreSQL and Redis (a worker process cannot see SQLite's in-memory test
database): run with HERALD_DATABASE_URL=postgres://…/herald_<name> and
HERALD_REDIS_URL, as `make test-postgres` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from herald.newsroom.testing import make_article, make_section
from herald.notifications import actions, queries, tasks, vapid
from herald.notifications.forms import clean_subscription
from herald.notifications.models import (
    BREAKING,
    Delivery,
    DeliveryState,
    Notification,
    NotificationState,
)

# Not a cache database of the test settings (14, 15); the scheduling test's too.
BROKER_DB = 12


def _postgres_and_redis() -> str | None:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL (HERALD_DATABASE_URL), e.g. make test-postgres"
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        return "needs a Redis broker (HERALD_REDIS_URL)"
    return None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_celery_worker_fans_a_push_out_to_every_subscriber(
    tmp_path, push_service, settings
):
    reason = _postgres_and_redis()
    if reason:
        pytest.skip(reason)
    # given 30 breaking-news subscribers, two of them gone, one hanging
    key = vapid.public_key()
    subs = []
    for _ in range(30):
        raw = push_service.subscribe(server_key=key)
        data = clean_subscription(
            {**raw, "topics": [BREAKING]}, allowed_topics=queries.topic_keys()
        )
        subs.append(actions.subscribe(data)[0])
    push_service.answer(subs[0].endpoint, always=(410, None))
    push_service.answer(subs[1].endpoint, always=(404, None))
    push_service.answer(subs[2].endpoint, "hang")
    article = make_article(make_section("Wire"), "Dam gates opened")
    notification = actions.prepare_push(article, topic=BREAKING)
    Notification.objects.filter(pk=notification.pk).update(
        state=NotificationState.SENDING
    )

    db = connection.settings_dict
    broker_url = urlunsplit(
        urlsplit(settings.CELERY_BROKER_URL)._replace(path=f"/{BROKER_DB}")
    )
    queue = f"herald-push-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "herald.settings.test",
        "HERALD_DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "HERALD_CELERY_BROKER_URL": broker_url,
        "HERALD_CELERY_EAGER": "0",
        "HERALD_PUSH_QUEUE": queue,
        "HERALD_PUSH_CONTACT": "mailto:desk@herald.example",
    }
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

            # when the fan-out task is queued for the worker
            with app.connection_for_write(broker_url) as broker:
                tasks.fan_out.apply_async(
                    (str(notification.pk),), queue=queue, connection=broker
                )
            # A cold worker on a busy 2-core machine can take minutes to start.
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                if sum(push_service.received.values()) >= 27 and (
                    Delivery.objects.filter(
                        notification=notification, state=DeliveryState.PENDING
                    ).count()
                    <= 1
                ):
                    break
                time.sleep(0.5)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    # then every live subscriber got exactly one push it could decrypt
    tail = log_path.read_text()[-3000:]
    counts = {
        s.pk: push_service.received[push_service.subscriber_for(s.endpoint).id]
        for s in subs
    }
    assert [counts[s.pk] for s in subs[3:]] == [1] * 27, tail
    assert push_service.refusals == [], tail
    states = dict(
        Delivery.objects.filter(notification=notification).values_list(
            "subscription_id", "state"
        )
    )
    assert len(states) == 30
    assert states[subs[0].pk] == states[subs[1].pk] == DeliveryState.EXPIRED
    # the hanging service's delivery timed out and waits for its retry
    assert states[subs[2].pk] == DeliveryState.PENDING, tail
    assert queries.reach(BREAKING) == 28
