"""Render timings through Django's test client (run by tools/bench/run.py).

Runs inside a process whose environment run.py has set (production settings, the
benchmark database and Redis). Prints one JSON object on the last line of stdout:
per page type, p50/p95 in milliseconds, the number of queries of one request and
the URLs used, so that run.py can point wrk at the same pages.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--sample", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    import django

    from herald.settings import env

    env.ensure_settings_module("herald.settings.production")
    django.setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from herald.newsroom.models import ArticlePage, HomePage, SectionPage

    home = HomePage.objects.live().order_by("path").first()
    if home is None:
        raise SystemExit("no home page in the benchmark database")
    root = home.url_path

    def url_of(url_path: str) -> str:
        return "/" + url_path[len(root) :]

    ids = list(
        ArticlePage.objects.live()
        .filter(path__startswith=home.path)
        .values_list("id", flat=True)
    )
    rng = random.Random(args.seed)
    picked = rng.sample(ids, min(len(ids), max(args.sample, args.requests)))
    paths = dict(
        ArticlePage.objects.filter(id__in=picked).values_list("id", "url_path")
    )
    article_urls = [url_of(paths[i]) for i in picked]
    section_urls = [
        url_of(p)
        for p in SectionPage.objects.live()
        .filter(path__startswith=home.path)
        .order_by("path")
        .values_list("url_path", flat=True)
    ]
    client = Client(HTTP_HOST="127.0.0.1")

    def timed(urls: list[str]) -> list[float]:
        out = []
        for url in urls:
            t0 = time.perf_counter()
            response = client.get(url)
            out.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        return out

    def queries_of(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    n = args.requests
    articles = article_urls[:n]
    sections = [section_urls[i % len(section_urls)] for i in range(n)]
    timed(["/", section_urls[0], articles[0]])  # warm up templates and connections
    results = {
        "article_first": timed(articles),
        "article_again": timed(articles),
        "home": timed(["/"] * n),
        "section": timed(sections),
    }
    summary = {
        name: {
            "n": len(v),
            "p50": percentile(v, 50),
            "p95": percentile(v, 95),
            "mean": statistics.fmean(v),
        }
        for name, v in results.items()
    }
    summary["queries"] = {
        "article": queries_of(articles[1 % len(articles)]),
        "home": queries_of("/"),
        "section": queries_of(section_urls[0]),
    }
    summary["urls"] = {
        "article_ids": picked,
        "articles": article_urls,
        "sections": section_urls,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
