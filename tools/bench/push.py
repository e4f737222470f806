#!/usr/bin/env python3
"""One breaking push to 100,000 subscriptions with 2 Celery workers. Target: ≤ 60 s.

``make bench-push`` runs it on PostgreSQL (a database of its own, created and
migrated on first use) with Redis as the broker, against the local push service
(tests/fakes/push_service.py, a separate process on 127.0.0.1) that checks every
VAPID JWT and decrypts every payload with the subscriber's private key.

Measured:
- time from the editor's "send" (``actions.push_article``) to the last message
  accepted by the push service (one clock: same machine);
- peak resident memory (``VmHWM``) of each worker process;
- messages counted at the push service per subscription: duplicates, missing;
- encryptions per second on one core (pywebpush's aes128gcm encoding, alone),
  and the workers' CPU seconds per push during the run;
- the load average when "send" is pressed and at the end (a shared machine).

Usage: tools/bench/push.py [--subscriptions 100000] [--workers 2] [--db URL]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 60.0
TARGET_MB = 300.0
TICK = os.sysconf("SC_CLK_TCK")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--db", default="postgres://postgres@127.0.0.1:5432/herald_bench_push"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--json", default="", help="also write the figures here")
    return parser.parse_args()


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


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


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (/proc/stat, not idle/iowait)."""
    fields = [
        int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / TICK


def encryptions_per_second(seconds: float = 3.0) -> float:
    """pywebpush's aes128gcm encoding of a typical payload, on one core."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from pywebpush import WebPusher

    from herald.notifications.vapid import b64url

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    sub = {
        "endpoint": "https://push.example/x",
        "keys": {
            "p256dh": b64url(
                key.public_bytes(
                    serialization.Encoding.X962,
                    serialization.PublicFormat.UncompressedPoint,
                )
            ),
            "auth": b64url(os.urandom(16)),
        },
    }
    payload = json.dumps({"title": "x" * 80, "body": "y" * 200, "url": "z" * 120})
    pusher = WebPusher(sub)
    count = 0
    start = time.process_time()
    while time.process_time() - start < seconds:
        pusher.encode(payload.encode(), "aes128gcm")
        count += 1
    return count / (time.process_time() - start)


def stats(origin: str) -> dict:
    with urllib.request.urlopen(f"{origin}/stats", timeout=30) as response:
        return json.loads(response.read())


def main() -> None:
    args = parse_args()
    ensure_database(args.db)
    queue = f"herald-bench-push-{uuid.uuid4().hex[:6]}"
    os.environ.update(
        {
            "HERALD_DATABASE_URL": args.db,
            "HERALD_CELERY_BROKER_URL": args.redis,
            "HERALD_CELERY_EAGER": "0",
            "HERALD_PUSH_QUEUE": queue,
            "HERALD_PUSH_CONTACT": "mailto:bench@herald.example",
            "HERALD_SECRET_KEY": "bench-push-not-secret",
            "HERALD_PUSH_SERVICE_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "herald.settings.dev",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count

    from herald.newsroom.testing import make_article, make_author, make_section
    from herald.notifications import actions, vapid
    from herald.notifications.models import (
        BREAKING,
        Delivery,
        DeliveryState,
        Notification,
        PushSubscription,
        SubscriptionTopic,
    )

    call_command("migrate", verbosity=0)
    per_core = encryptions_per_second()
    say(f"encryptions per second on one core: {per_core:,.0f}")

    tmp = Path(tempfile.mkdtemp(prefix="bench-push-"))
    port_file = tmp / "port"
    service = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fakes.push_service",
            "--port-file",
            str(port_file),
        ],
        cwd=ROOT,
    )
    workers: list[subprocess.Popen] = []
    try:
        while not port_file.exists() or not port_file.read_text():
            time.sleep(0.1)
        origin = f"http://127.0.0.1:{port_file.read_text()}"

        # Fresh subscriptions for this run (the push service made the keys).
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE notifications_delivery, notifications_notification, "
                "notifications_subscriptiontopic, notifications_pushsubscription"
            )
        server_key = vapid.public_key()
        started = time.perf_counter()
        made = 0
        while made < args.subscriptions:
            n = min(5000, args.subscriptions - made)
            request = urllib.request.Request(
                f"{origin}/subscribe?n={n}&key={server_key}", method="POST"
            )
            with urllib.request.urlopen(request, timeout=300) as response:
                batch = json.loads(response.read())
            subs = [
                PushSubscription(
                    endpoint=s["endpoint"],
                    p256dh=s["keys"]["p256dh"],
                    auth=s["keys"]["auth"],
                )
                for s in batch
            ]
            with transaction.atomic():
                PushSubscription.objects.bulk_create(subs, batch_size=5000)
                SubscriptionTopic.objects.bulk_create(
                    [SubscriptionTopic(subscription=s, topic=BREAKING) for s in subs],
                    batch_size=5000,
                )
            made += n
        say(f"set-up: {made:,} subscriptions in {time.perf_counter() - started:.0f} s")
        article = make_article(
            make_section(f"Bench {uuid.uuid4().hex[:6]}"),
            "Benchmark: breaking news for everyone",
            dek="One push, every subscriber, two workers.",
            authors=[make_author(f"Bench desk {uuid.uuid4().hex[:6]}")],
        )

        for i in range(args.workers):
            log = (tmp / f"worker-{i}.log").open("w")
            workers.append(
                subprocess.Popen(
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
                        "-n",
                        f"bench{i}@%h",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                        "--loglevel=WARNING",
                    ],
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        from herald.celery import app

        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            replies = app.control.ping(timeout=1.0) or []
            if len(replies) >= args.workers:
                break
        cpu_before = [cpu_seconds(w.pid) for w in workers]
        service_before = cpu_seconds(service.pid)
        driver_before = time.process_time()
        machine_before = machine_busy_seconds()

        # The editor presses "send".
        load_before = os.getloadavg()
        t0 = time.time()
        with transaction.atomic():
            notification = actions.push_article(article, topic=BREAKING)
        accepted = 0
        figures = stats(origin)
        # The driver sleeps while it waits: its CPU would be taken from the
        # workers. The database is asked only once every message is answered.
        while time.time() - t0 < args.timeout:
            time.sleep(1.0)
            figures = stats(origin)
            accepted = figures["accepted"]
            if accepted + figures["refusals"] < args.subscriptions:
                continue
            if not Delivery.objects.filter(
                notification=notification, state=DeliveryState.PENDING
            ).exists():
                break
        time.sleep(2.0)  # late duplicates would show now
        figures = stats(origin)
        elapsed = (figures["last_at"] or time.time()) - t0
        load_after = os.getloadavg()
        peaks = [peak_rss_mb(w.pid) for w in workers]
        cpu = sum(
            cpu_seconds(w.pid) - b for w, b in zip(workers, cpu_before, strict=True)
        )
        service_cpu = cpu_seconds(service.pid) - service_before
        driver_cpu = time.process_time() - driver_before
        machine_cpu = machine_busy_seconds() - machine_before

        notification = Notification.objects.get(pk=notification.pk)
        states = dict(
            Delivery.objects.filter(notification=notification)
            .values_list("state")
            .annotate(n=Count("id"))
        )
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            try:
                w.wait(timeout=30)
            except subprocess.TimeoutExpired:
                w.kill()
        service.terminate()
        service.wait(timeout=30)

    ok_time = elapsed <= TARGET_SECONDS
    ok_mem = max(peaks) <= TARGET_MB
    ok_count = figures["duplicates"] == 0 and figures["missing"] == 0
    result = {
        "subscriptions": args.subscriptions,
        "workers": args.workers,
        "seconds_to_first_accepted": round((figures["first_at"] or t0) - t0, 1),
        "seconds_to_last_accepted": round(elapsed, 1),
        "accepted_at_push_service": figures["accepted"],
        "duplicates": figures["duplicates"],
        "missing": figures["missing"],
        "refused_by_push_service": figures["refusals"],
        "delivery_states": states,
        "notification_state": notification.state,
        "worker_peak_rss_mb": [round(p) for p in peaks],
        "worker_cpu_seconds": round(cpu, 1),
        "worker_cpu_ms_per_push": round(1000 * cpu / max(1, figures["accepted"]), 3),
        # Everything else on the same cores, from "send" to the end of the run
        # (which includes the 2 s wait for late duplicates): the push service
        # (VAPID check and decryption of every message), this script, and the
        # whole machine (PostgreSQL, Redis, other sessions' work).
        "push_service_cpu_seconds": round(service_cpu, 1),
        "push_service_cpu_ms_per_push": round(
            1000 * service_cpu / max(1, figures["accepted"]), 3
        ),
        "driver_cpu_seconds": round(driver_cpu, 1),
        "machine_busy_cpu_seconds": round(machine_cpu, 1),
        "encryptions_per_second_one_core": round(per_core),
        # The machine's load (1, 5, 15 min) when "send" was pressed and at the end:
        # a shared machine's other work slows the run down.
        "load_average_at_send": [round(x, 2) for x in load_before],
        "load_average_at_end": [round(x, 2) for x in load_after],
        "cpu_cores": os.cpu_count(),
    }
    say(json.dumps(result, indent=2))
    say(
        f"{figures['accepted']:,} accepted in {elapsed:.1f} s "
        f"(target ≤ {TARGET_SECONDS:.0f} s): {'PASS' if ok_time else 'FAIL'}; "
        f"peak worker memory {max(peaks):.0f} MB (≤ {TARGET_MB:.0f}): "
        f"{'PASS' if ok_mem else 'FAIL'}; duplicates {figures['duplicates']}, "
        f"missing {figures['missing']}: {'PASS' if ok_count else 'FAIL'}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    if not (ok_time and ok_mem and ok_count):
        sys.exit(1)


if __name__ == "__main__":
    main()
