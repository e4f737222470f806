#!/usr/bin/env python3
"""Time one newsletter send to 100,000 subscribers, and crash it on purpose.

``make bench-send`` runs it on PostgreSQL + Redis with its own database (created
and migrated on first use) and a Redis database of its own. It writes the
subscribers, starts two Celery workers (``--pool=solo``, a queue of their own,
one with the embedded beat for the tick) that send through real SMTP to an
aiosmtpd sink on 127.0.0.1 in this process, which counts what each recipient
receives. Then it prints, against the targets of issue 11 ("Speed and scale"):

- the time from the click (``start_send``) to the last message accepted by the
  sink, and the rate per second; target ≤ 10 min through SMTP;
- where the time went: recipients and rendering, writing rows (prepare), and
  per batch building messages, the provider (SMTP) and recording outcomes
  (summed over the workers' log lines);
- each worker's peak memory (VmHWM); target ≤ 300 MB;
- the crash run (``--crash``, on by default): a second send; one worker is
  killed with SIGKILL once a third of the readers have it, restarted, and the
  sink counts duplicates and missing readers (target: 0 and 0, the unknown ones
  reported, not resent).

``--provider postmark`` sends through anymail's real Postmark backend to the
local Postmark API server (tests/fakes/postmark_server.py, in this process,
counting per recipient instead of keeping bodies): each batch is one stored
template and one ``email/batchWithTemplates`` call with every reader's merge
data; target ≤ 30 s. Both runs set ``HERALD_OUTBOX_KEEP_BATCH=0`` (no kept copy
of each newsletter in the outbox, as in production; the demo keeps them).

Usage: tools/bench/send.py [--readers 100000] [--provider smtp|postmark]
       [--db postgres://…] [--no-crash]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SMTP_TARGET = 600.0
ESP_TARGET = 30.0
MEMORY_TARGET_MB = 300.0
DOMAIN = "bench-send.example"
LOG_LINE = re.compile(
    r"(\d+) messages, build ([\d.]+) s, provider ([\d.]+) s, record ([\d.]+) s"
)
PREPARE_LINE = re.compile(r"recipients and rendering ([\d.]+) s, rows ([\d.]+) s")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=100_000)
    parser.add_argument(
        "--db", default="postgres://postgres@127.0.0.1:5432/herald_bench_send"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--provider", choices=["smtp", "postmark"], default="smtp")
    parser.add_argument("--no-crash", action="store_true")
    parser.add_argument("--timeout", type=float, default=1800)
    return parser.parse_args()


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def write_subscribers(readers: int):  # type: ignore[no-untyped-def]
    from django.db import connection

    from herald.newsletters.models import Newsletter

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM newsletters_click WHERE delivery_id IN (SELECT d.id FROM "
            "newsletters_delivery d JOIN newsletters_send s ON s.id = d.send_id "
            "JOIN newsletters_newsletter n ON n.id = s.newsletter_id "
            "WHERE n.slug LIKE 'bench-%%')"
        )
        for table in ("newsletters_delivery", "newsletters_batch"):
            cursor.execute(
                f"DELETE FROM {table} WHERE send_id IN (SELECT s.id FROM "
                "newsletters_send s JOIN newsletters_newsletter n ON "
                "n.id = s.newsletter_id WHERE n.slug LIKE 'bench-%%')"
            )
        cursor.execute(
            "DELETE FROM newsletters_send WHERE newsletter_id IN (SELECT id FROM "
            "newsletters_newsletter WHERE slug LIKE 'bench-%%')"
        )
        for table in ("newsletters_subscriptionevent", "newsletters_subscription"):
            cursor.execute(
                f"DELETE FROM {table} WHERE newsletter_id IN (SELECT id FROM "
                "newsletters_newsletter WHERE slug LIKE 'bench-%%')"
            )
        cursor.execute("DELETE FROM newsletters_newsletter WHERE slug LIKE 'bench-%%'")
    newsletter = Newsletter.objects.create(
        name="Bench Bulletin",
        slug=f"bench-{uuid.uuid4().hex[:6]}",
        sender_email=f"desk@{DOMAIN}",
    )
    # COPY: the subscriber rows are the set-up, not what is measured.
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY newsletters_subscription (newsletter_id, email, state, token, "
            "confirm_nonce, source, confirmed_at, created_at, updated_at) FROM STDIN"
        ) as copy,
    ):
        for i in range(readers):
            copy.write_row(
                (
                    newsletter.pk,
                    f"reader{i:07d}@{DOMAIN}",
                    "subscribed",
                    uuid.uuid4(),
                    "",
                    "import",
                    "2026-01-01T00:00:00+00:00",
                    "2026-01-01T00:00:00+00:00",
                    "2026-01-01T00:00:00+00:00",
                )
            )
    return newsletter


class PostmarkSink:
    """The local Postmark server with the SMTP sink's counting interface."""

    def __init__(self) -> None:
        from tests.fakes.postmark_server import FakePostmark

        self.server = FakePostmark(record=False)
        self.handler = self

    def __enter__(self) -> PostmarkSink:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    @property
    def total(self) -> int:
        return sum(self.server.per_recipient.values())

    @property
    def last_at(self) -> float:
        return self.server.last_at

    @property
    def per_recipient(self):  # type: ignore[no-untyped-def]
        return self.server.per_recipient

    @property
    def ids(self) -> set[str]:
        return set()

    def counts(self):  # type: ignore[no-untyped-def]
        from collections import Counter

        return Counter(self.server.per_recipient)


def worker(env: dict[str, str], queue: str, log: Path, *, beat: bool, tmp: Path):
    args = [
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
        "-n",
        f"{log.stem}@%h",
    ]
    if beat:
        args += ["--beat", "--schedule", str(tmp / f"{log.stem}-beat")]
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def peak_mb(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"VmHWM:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_cpu() -> dict[int, float]:
    """CPU time so far of each PostgreSQL backend of this database but ours."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    return {pid: cpu_seconds(pid) for pid in pids}


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wait_for(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def timings(logs: list[Path]) -> dict[str, float]:
    out = {"batches": 0, "messages": 0, "build": 0.0, "provider": 0.0, "record": 0.0}
    out.update({"render": 0.0, "rows": 0.0})
    for path in logs:
        if not path.exists():
            continue
        text = path.read_text(errors="replace")
        for match in LOG_LINE.finditer(text):
            out["batches"] += 1
            out["messages"] += int(match.group(1))
            out["build"] += float(match.group(2))
            out["provider"] += float(match.group(3))
            out["record"] += float(match.group(4))
        for match in PREPARE_LINE.finditer(text):
            out["render"] += float(match.group(1))
            out["rows"] += float(match.group(2))
    return out


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def run_send(args, env, queue, tmp, sink, newsletter, *, crash: bool):  # type: ignore[no-untyped-def]
    from django.db import close_old_connections
    from django.db.models import Count

    from herald.newsletters.sending import actions
    from herald.newsletters.sending.models import Delivery, Send, SendState

    label = "crash" if crash else "send"
    logs = [tmp / f"{label}-w1.log", tmp / f"{label}-w2.log"]
    workers = [
        worker(env, queue, logs[0], beat=True, tmp=tmp),
        worker(env, queue, logs[1], beat=False, tmp=tmp),
    ]
    time.sleep(8)  # let both workers come up before the click
    send = actions.create_send(
        newsletter,
        subject="Bench bulletin",
        title="The harbour at night",
        body="<p>The ferries run late tonight.</p>" * 8,
    )
    before = sink.total
    # CPU time spent from the click on: unlike wall time, it hardly depends on
    # what else the machine runs.
    cpu_before = {proc.pid: cpu_seconds(proc.pid) for proc in workers}
    db_before = database_cpu()
    own_before = time.process_time()
    clicked = time.monotonic()
    actions.schedule_send(send, at=send.created_at)  # the tick starts it
    killed_at = None
    peaks = [0.0, 0.0]

    db_seen: dict[int, float] = {}

    def state() -> str:
        close_old_connections()
        # Backends come and go (a worker reconnects): keep the last reading of each.
        db_seen.update(database_cpu())
        return Send.objects.filter(pk=send.pk).values_list("state", flat=True)[0]

    try:
        if crash:
            wait_for(lambda: sink.total - before >= args.readers // 3, args.timeout)
            peaks[1] = peak_mb(workers[1].pid)
            stop(workers[1], signal.SIGKILL)
            killed_at = sink.total - before
            logs.append(tmp / f"{label}-w3.log")
            workers[1] = worker(env, queue, logs[2], beat=False, tmp=tmp)
        done = wait_for(lambda: state() == SendState.SENT, args.timeout)
        for i, proc in enumerate(workers):
            peaks[i] = max(peaks[i], peak_mb(proc.pid))
        cpu = [
            cpu_seconds(proc.pid) - cpu_before.get(proc.pid, 0.0) for proc in workers
        ]
        db_seen.update(database_cpu())
        db_cpu = sum(spent - db_before.get(pid, 0.0) for pid, spent in db_seen.items())
        own_cpu = time.process_time() - own_before
    finally:
        for proc in workers:
            stop(proc)
    last = sink.handler.last_at or clicked
    elapsed = last - clicked
    close_old_connections()
    states = dict(
        Delivery.objects.filter(send=send)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "send": send,
        "done": done,
        "elapsed": elapsed,
        "delivered": sink.total - before,
        "peaks": peaks,
        "states": states,
        "killed_at": killed_at,
        "cpu": cpu,
        "db_cpu": db_cpu,
        "own_cpu": own_cpu,
        "timings": timings(logs),
        "logs": logs,
    }


def main() -> None:
    args = parse_args()
    if not args.db.startswith("postgres"):
        sys.exit("The send benchmark runs on PostgreSQL (--db postgres://…).")
    ensure_database(args.db)
    os.environ["HERALD_DATABASE_URL"] = args.db
    os.environ["HERALD_REDIS_URL"] = args.redis
    os.environ.setdefault("HERALD_SECRET_KEY", "bench-send-not-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "herald.settings.dev"
    queue = f"bench-send-{uuid.uuid4().hex[:6]}"

    import django

    django.setup()
    from django.core.management import call_command

    from herald.newsletters.tests.smtpsink import Sink

    call_command("migrate", verbosity=0)
    tmp = ROOT / "var" / "bench-send"
    tmp.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    newsletter = write_subscribers(args.readers)
    setup = time.perf_counter() - started

    esp = args.provider == "postmark"
    with PostmarkSink() if esp else Sink() as sink:
        if esp:
            transport = {
                "HERALD_EMAIL_PROVIDER": "postmark",
                "HERALD_EMAIL_API_KEY": sink.server.token,
                "HERALD_EMAIL_API_URL": sink.server.url,
            }
        else:
            transport = {
                "HERALD_EMAIL_PROVIDER": "smtp",
                "HERALD_EMAIL_HOST": "127.0.0.1",
                "HERALD_EMAIL_PORT": str(sink.port),
            }
        env = {
            **os.environ,
            **transport,
            "HERALD_OUTBOX_KEEP_BATCH": "0",
            "HERALD_CELERY_QUEUE": queue,
            "HERALD_CELERY_EAGER": "0",
            "HERALD_NEWSLETTER_BATCH_SIZE": str(args.batch),
            "HERALD_NEWSLETTER_PARALLEL": "2",
            "HERALD_NEWSLETTER_TICK_SECONDS": "2",
            "HERALD_NEWSLETTER_LEASE_SECONDS": "60",
            "HERALD_LOG_LEVEL": "INFO",
        }
        result = run_send(args, env, queue, tmp, sink, newsletter, crash=False)
        counts = sink.counts()
        first_twice = sum(1 for n in counts.values() if n > 1)
        crash = None
        if not args.no_crash:
            sink.handler.per_recipient.clear()
            sink.handler.ids.clear()
            crash = run_send(args, env, queue, tmp, sink, newsletter, crash=True)
            crash_counts = sink.counts()

    r = args.readers
    t = result["timings"]
    name = "the local Postmark API" if esp else "the SMTP sink"
    target = ESP_TARGET if esp else SMTP_TARGET
    rate = result["delivered"] / result["elapsed"] if result["elapsed"] else 0.0
    lines = [
        f"subscribers written (COPY, set-up, not timed): {r:,} in {setup:.1f} s",
        f"send: {result['delivered']:,} messages accepted by {name}, "
        f"states {result['states']}",
        f"click to last accepted message: {result['elapsed']:.1f} s = "
        f"{rate:,.0f} messages/s (target ≤ {target:.0f} s through {name}): "
        f"{verdict(result['done'] and result['elapsed'] <= target)}",
        f"  prepare: recipients and rendering {t['render']:.1f} s, "
        f"writing {r:,} delivery rows {t['rows']:.1f} s",
        f"  {t['batches']} batches (worker time, both workers summed): building "
        f"messages {t['build']:.1f} s, provider {t['provider']:.1f} s, "
        f"recording outcomes {t['record']:.1f} s",
        "  database queries per batch: bounded (≤ 12 for any batch size, "
        "test_database_queries_per_batch_do_not_grow_with_its_size)",
        f"duplicates: {first_twice} (target 0): {verdict(first_twice == 0)}",
        "CPU time from the click on (depends less on load than wall time): workers "
        + ", ".join(f"{c:.1f} s" for c in result["cpu"])
        + f"; their database backends {result['db_cpu']:.1f} s; this process "
        f"({name} and polling) {result['own_cpu']:.1f} s",
        "peak memory per worker: "
        + ", ".join(f"{p:.0f} MB" for p in result["peaks"])
        + f" (target ≤ {MEMORY_TARGET_MB:.0f} MB): "
        + verdict(max(result["peaks"]) <= MEMORY_TARGET_MB),
    ]
    if crash is not None:
        emails = [f"reader{i:07d}@{DOMAIN}" for i in range(r)]
        twice = sum(1 for e in emails if crash_counts[e] > 1)
        missing = [e for e in emails if crash_counts[e] == 0]
        unknown = crash["states"].get("unknown", 0)
        lines += [
            f"crash run: worker killed (SIGKILL) after {crash['killed_at']:,} "
            f"messages, restarted; finished: {crash['done']}, "
            f"states {crash['states']}",
            f"  duplicates: {twice} (target 0): {verdict(twice == 0)}",
            f"  missing and not reported unknown: "
            f"{max(len(missing) - unknown, 0)} (target 0): "
            f"{verdict(len(missing) <= unknown)}",
            f"  reported unknown (the killed worker's batch, not resent): {unknown};"
            f" of them received before the kill: {unknown - len(missing)}",
        ]
    for line in lines:
        print(line)  # noqa: T201


if __name__ == "__main__":
    main()
