#!/usr/bin/env python3
"""Render time of the sitemap index, every sitemap page and the news sitemap.

``make bench-sitemaps`` loads the shared corpus (100,000 articles by default)
into PostgreSQL with ``manage.py load_corpus`` (the database of ``make
bench-100k``, reused when the same corpus is already loaded there), then
renders each sitemap through Django's test client and prints the median and
worst of a few runs, and the load average. Target: each ≤ 2 s.

Usage: tools/bench/sitemaps.py [--count 100000] [--db postgres://…] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

import run as bench  # noqa: E402 - tools/bench/run.py: corpus and database helpers

TARGET_SECONDS = 2.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--db", default="")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="Reload the corpus.")
    parser.add_argument(
        "--content-script", type=Path, default=bench.CONTENT_SCRIPT, dest="script"
    )
    args = parser.parse_args()
    # The database of ``make bench`` / ``make bench-100k``: one copy per count.
    args.db = args.db or bench.default_db(args.count)
    args.load_args = []
    args.search_index = False
    return args


def time_url(client, url: str, runs: int) -> dict:  # type: ignore[no-untyped-def]
    response = client.get(url)  # warm-up: connections, caches of site details
    if response.status_code != 200:
        sys.exit(f"{url} answered {response.status_code}")
    body = response.content
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
    return {
        "url": url,
        "median": statistics.median(samples),
        "worst": max(samples),
        "bytes": len(body),
        "entries": body.count(b"<url>") + body.count(b"<sitemap>"),
    }


def main() -> None:
    args = parse_args()
    corpus = bench.corpus_file(args.count, args.script)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "herald.settings.test",
        "HERALD_DATABASE_URL": args.db,
        "HERALD_REDIS_URL": "",
    }
    info = bench.prepare_database(args, env, corpus)
    if info.get("load_seconds"):
        print(f"loaded {args.count} articles in {info['load_seconds']} s", flush=True)

    os.environ.update(
        {k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "HERALD_DATABASE_URL")}
    )
    os.environ["HERALD_REDIS_URL"] = ""
    import django

    django.setup()
    from django.test import Client

    from herald.newsroom.models import ArticlePage

    client = Client()
    print(f"{ArticlePage.objects.live().count()} live articles", flush=True)
    index = client.get("/sitemap.xml").content.decode()
    urls = ["/sitemap.xml", "/sitemap-news.xml"]
    urls += [
        loc.split("testserver", 1)[1]
        for loc in (part.split("</loc>")[0] for part in index.split("<loc>")[1:])
    ]
    print(
        f"{'sitemap':<40} {'median ms':>10} {'worst ms':>10} {'entries':>8} {'KB':>8}"
    )
    worst = 0.0
    load_before = os.getloadavg()[0]
    for url in dict.fromkeys(urls):
        row = time_url(client, url, args.runs)
        worst = max(worst, row["worst"])
        print(
            f"{url:<40} {row['median'] * 1000:>10.1f} {row['worst'] * 1000:>10.1f}"
            f" {row['entries']:>8} {row['bytes'] / 1024:>8.0f}",
            flush=True,
        )
    verdict = "OK" if worst <= TARGET_SECONDS else "SLOWER THAN TARGET"
    print(f"slowest render {worst:.2f} s (target ≤ {TARGET_SECONDS:.0f} s): {verdict}")
    print(f"load average {load_before:.2f} → {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
