#!/usr/bin/env python3
"""Profile warm requests of one page through Django's WSGI handler.

Uses what tools/bench/run.py uses unless the environment says otherwise:
production settings, the benchmark database (``make bench`` loads it) and Redis
db 14. Calls the WSGI application directly, without the test client's
instrumentation, so the profile is what gunicorn would run.

Usage: tools/bench/profile_page.py PATH [--requests 300] [--sort tottime]
       tools/bench/profile_page.py --first-views [--requests 300]

``--first-views`` profiles first views instead: each request asks for another
article, with the cache cleared before (what the rotating run of ``make bench``
measures).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", nargs="?", default="/")
    ap.add_argument("--first-views", action="store_true")
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--limit", type=int, default=45)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--callers", default="", help="print callers of matching functions")
    ap.add_argument("--dump", default="", help="write the raw profile here (pstats)")
    args = ap.parse_args()

    import secrets

    root = Path(__file__).resolve().parents[2]
    for name, value in {
        "DJANGO_SETTINGS_MODULE": "herald.settings.production",
        "HERALD_SECURE": "0",
        "HERALD_SECRET_KEY": secrets.token_urlsafe(64),
        "HERALD_ALLOWED_HOSTS": args.host,
        "HERALD_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/herald_bench",
        "HERALD_REDIS_URL": "redis://127.0.0.1:6379/14",
        "HERALD_STATIC_ROOT": str(root / "var" / "bench" / "static"),
        "HERALD_LOG_LEVEL": "WARNING",
        "HERALD_CELERY_EAGER": "1",
        # Production refuses to start with the test checkout or console mail
        # (herald.E001/E002); the benchmark sends no mail and takes no payment.
        "HERALD_STRIPE_SECRET_KEY": "sk_test_benchmark_sends_nothing",
        "HERALD_STRIPE_WEBHOOK_SECRET": "whsec_benchmark_sends_nothing",
        "HERALD_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    }.items():
        os.environ.setdefault(name, value)
    import django

    from herald.settings import env

    env.ensure_settings_module("herald.settings.production")
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    from herald.core import prefork

    app = WSGIHandler()
    paths = [args.path]
    if args.first_views:
        from django.core.cache import cache

        from herald.newsroom.models import ArticlePage

        urls = [
            a.url_path
            for a in ArticlePage.objects.live()
            .only("url_path")
            .order_by("pk")[: args.requests * 2 + 20]
        ]
        root = ArticlePage.objects.live().first().get_site().root_page.url_path
        paths = ["/" + u[len(root) :] for u in urls]
        cache.clear()
    turn = iter(range(10**9))

    def call() -> None:
        path = paths[next(turn) % len(paths)]
        status = prefork.serve(app, path, base_url=f"http://{args.host}")
        if not status.startswith("200"):
            raise SystemExit(f"{path}: {status}")

    for _ in range(20):
        call()
    start = time.perf_counter()
    cpu = time.process_time()
    for _ in range(args.requests):
        call()
    wall = (time.perf_counter() - start) / args.requests * 1000
    cpu = (time.process_time() - cpu) / args.requests * 1000
    label = "first views" if args.first_views else args.path
    print(f"{label}: {wall:.2f} ms wall, {cpu:.2f} ms CPU per request (unprofiled)")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(args.requests):
        call()
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).sort_stats(args.sort)
    stats.print_stats(args.limit)
    if args.callers:
        stats.print_callers(args.callers)
    if args.dump:
        stats.dump_stats(args.dump)
    print(out.getvalue())


if __name__ == "__main__":
    main()
