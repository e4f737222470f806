"""Kill -9 a real Celery worker mid-send: nobody gets the email twice, none is lost.

A real worker subprocess (its own queue, its embedded beat for the tick) sends
through real SMTP to an aiosmtpd server that counts messages per recipient.
Needs PostgreSQL and Redis (``make test-postgres``); skipped on SQLite.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from herald.newsletters.sending import actions
from herald.newsletters.sending.models import Delivery, DeliveryState, Send, SendState

from .sendkit import make_newsletter, subscribe
from .smtpsink import Sink

# Not a cache database of the test settings, nor the scheduling test's broker.
BROKER_DB = 11
READERS = 240
BATCH = 20


def _postgres_and_redis() -> str | None:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL: a worker process cannot see SQLite's test database"
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        return "needs a Redis broker (HERALD_REDIS_URL)"
    return None


def _worker(tmp_path: Path, sink_port: int, queue: str, name: str) -> subprocess.Popen:
    db = connection.settings_dict
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
        "HERALD_CELERY_QUEUE": queue,
        "HERALD_EMAIL_PROVIDER": "smtp",
        "HERALD_EMAIL_HOST": "127.0.0.1",
        "HERALD_EMAIL_PORT": str(sink_port),
        "HERALD_NEWSLETTER_BATCH_SIZE": str(BATCH),
        "HERALD_NEWSLETTER_LEASE_SECONDS": "6",
        "HERALD_NEWSLETTER_TICK_SECONDS": "1",
        "HERALD_NEWSLETTER_PARALLEL": "1",
    }
    log = (tmp_path / f"{name}.log").open("w")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "herald",
            "worker",
            "--beat",
            "--schedule",
            str(tmp_path / f"{name}-beat"),
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
        start_new_session=True,  # the embedded beat is a child: kill the group
    )


def _kill(worker: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, sig)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _purge(queue: str) -> None:
    from herald.celery import app

    broker_url = urlunsplit(
        urlsplit(settings.CELERY_BROKER_URL)._replace(path=f"/{BROKER_DB}")
    )
    # The queue may not exist.
    with app.connection_for_write(broker_url) as conn, contextlib.suppress(Exception):
        conn.default_channel.queue_purge(queue)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_worker_resumes_without_sending_anyone_twice(tmp_path, settings):
    reason = _postgres_and_redis()
    if reason:
        pytest.skip(reason)
    # given: a newsletter with READERS subscribers and a send due now
    newsletter = make_newsletter()
    emails = [f"reader{i:04d}@example.org" for i in range(READERS)]
    for email in emails:
        subscribe(newsletter, email)
    send = actions.create_send(
        newsletter,
        subject="Harbour news",
        title="The harbour at night",
        body="<p>The ferries run late tonight.</p>",
    )
    actions.schedule_send(send, at=timezone.now())
    queue = f"herald-test-{uuid.uuid4().hex[:8]}"

    with Sink(delay=0.01) as sink:
        first = _worker(tmp_path, sink.port, queue, "first")
        try:
            # when: the worker is killed once a third of the readers got it
            started = _wait(lambda: sink.total >= READERS // 3, timeout=240)
            _kill(first)
            at_kill = sink.total
            assert started, (tmp_path / "first.log").read_text()[-3000:]
            assert at_kill < READERS, "the send finished before the kill"
            assert Send.objects.get(pk=send.pk).state == SendState.SENDING

            # and a new worker comes up (the old one's batch lease runs out)
            second = _worker(tmp_path, sink.port, queue, "second")
            try:
                finished = _wait(
                    lambda: Send.objects.get(pk=send.pk).state == SendState.SENT,
                    timeout=240,
                )
            finally:
                _kill(second, signal.SIGTERM)
            assert finished, (tmp_path / "second.log").read_text()[-3000:]
        finally:
            _kill(first)
            _purge(queue)

        # then: nobody received it twice, and everyone who got nothing is
        # reported as unknown (the batch the dead worker held)
        counts = sink.counts()
        states = dict(Delivery.objects.filter(send=send).values_list("email", "state"))
        assert len(states) == READERS
        twice = {e: n for e, n in counts.items() if n > 1}
        assert twice == {}
        missing = {e for e in emails if counts[e] == 0}
        unknown = {e for e, s in states.items() if s == DeliveryState.UNKNOWN}
        assert missing <= unknown
        assert len(unknown) <= BATCH  # only the batch in flight
        assert all(counts[e] == 1 for e, s in states.items() if s == DeliveryState.SENT)
        assert set(states.values()) <= {DeliveryState.SENT, DeliveryState.UNKNOWN}

        # when: the operator resends to exactly the unknown ones (here, in-process)
        settings.HERALD_EMAIL_PROVIDER = "smtp"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.CELERY_TASK_ALWAYS_EAGER = True
        from herald.celery import app

        app.conf.task_always_eager = True
        try:
            assert actions.resend_unknown(send) == len(unknown)
        finally:
            app.conf.task_always_eager = False

        # then: everyone has it, and each reader saw one Message-ID only
        counts = sink.counts()
        assert all(counts[e] >= 1 for e in emails)
        assert all(len(sink.handler.ids[e]) == 1 for e in emails)
        assert {e for e, n in counts.items() if n > 1} <= unknown
        assert Send.objects.get(pk=send.pk).state == SendState.SENT
