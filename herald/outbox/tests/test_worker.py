"""A real Celery worker sends queued mail; killed mid-send, it leaves no guesswork."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction

from herald.outbox import actions, tasks
from herald.outbox.models import MessageState, OutboundMessage


def _needs_postgres_and_redis() -> str | None:
    if connection.vendor != "postgresql":
        return (
            "needs PostgreSQL: a worker process cannot see SQLite's in-memory test "
            "database (run with HERALD_DATABASE_URL, e.g. make test-postgres)"
        )
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        return "needs a Redis broker (HERALD_REDIS_URL)"
    return None


def _wait(predicate, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _state(subject: str) -> str | None:
    row = OutboundMessage.objects.filter(subject=subject).first()
    return row.state if row else None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_sends_and_a_killed_one_leaves_unknown_not_a_duplicate(
    tmp_path, postmark_server, settings
):
    reason = _needs_postgres_and_redis()
    if reason:
        pytest.skip(reason)
    # given: this process queues to a queue of its own, as a web process does
    queue = f"herald-test-outbox-{uuid.uuid4().hex[:8]}"
    settings.HERALD_OUTBOX_SEND_IN_PROCESS = False
    settings.HERALD_OUTBOX_QUEUE = queue
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "herald.settings.test",
        "HERALD_DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "HERALD_CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "HERALD_CELERY_EAGER": "0",
        # the worker delivers through anymail's Postmark backend to the local API
        "HERALD_EMAIL_PROVIDER": "postmark",
        "HERALD_EMAIL_API_KEY": postmark_server.token,
        "HERALD_EMAIL_API_URL": postmark_server.url,
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
            # when: a message is sent (queued on commit)
            with transaction.atomic():
                send_mail("First", "Hello", "news@localhost", ["ana@example.org"])
            # then: the worker sends it (a cold worker on 2 busy cores is slow)
            sent = _wait(lambda: _state("First") == MessageState.SENT, timeout=240)
            assert sent, log_path.read_text()[-3000:]

            # when: the provider takes the next request and never answers, and
            # the worker is killed while it waits
            postmark_server.hold_next()
            with transaction.atomic():
                send_mail("Second", "Hello", "news@localhost", ["ben@example.org"])
            assert postmark_server.holding.wait(timeout=120), log_path.read_text()[
                -3000:
            ]
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
            postmark_server.release()

    second = OutboundMessage.objects.get(subject="Second")
    assert second.state == MessageState.SENDING
    assert second.handed_over_at is not None

    # then: the sweeper, once the visibility time has passed, does not guess
    settings.HERALD_OUTBOX_SENDING_TIMEOUT = 0
    outcome = actions.recover_messages()
    second.refresh_from_db()
    assert outcome["unknown"] == 1
    assert second.state == MessageState.UNKNOWN

    # and the broker's redelivery of the killed task sends nothing again
    settings.HERALD_OUTBOX_SEND_IN_PROCESS = True
    assert tasks.deliver_message.apply(args=[str(second.pk)]).get() == "skipped"
    assert sorted(m["To"] for r in postmark_server.received for m in r.messages) == [
        "ana@example.org",
        "ben@example.org",
    ]
