#!/usr/bin/env python3
"""Site search latency on PostgreSQL full-text search at 100,000 articles.

``make bench-search`` uses the corpus database that ``make bench-100k`` loads
(``herald_bench_100000`` by default). When the search index holds fewer article
entries than there are live articles, it is built first, the way
``load_corpus`` does (the stored text of each article's public paragraphs and
its bylines, added in bulk), and the build time is printed. Then typical
two-word queries drawn from the corpus vocabulary (NOUNS, ADJS and PLACES of
the shared content generator) are run through ``queries.search_page`` (count,
first page of 20, sections and highlighted snippets), in relevance and in
newest-first order, and the p50/p95 are printed with the load average before
and after each order (the machine may be shared). Target: p95 ≤ 50 ms.

Usage: tools/bench/search.py [--db postgres://…] [--queries 200] [--rebuild]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import re
import statistics
import sys
import time
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

CONTENT_SCRIPT = ROOT.parent / "shared" / "bench" / "content.py"
TARGET_P95_MS = 50.0
_TAG = re.compile(r"<[^>]+>")
_WS = re.compile(r"\s+")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", default="postgres://postgres@127.0.0.1:5432/herald_bench_100000"
    )
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true", help="Rebuild the index.")
    parser.add_argument(
        "--no-build", action="store_true", help="Measure the index as it stands."
    )
    parser.add_argument(
        "--content-script", type=Path, default=CONTENT_SCRIPT, dest="script"
    )
    return parser.parse_args()


def vocabulary(script: Path) -> dict[str, list[str]]:
    spec = importlib.util.spec_from_file_location("bench_content", script)
    if spec is None or spec.loader is None:
        sys.exit(f"content generator not found: {script}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    words = {}
    for name in ("NOUNS", "ADJS", "PLACES"):
        value = getattr(module, name)
        words[name] = value.split() if isinstance(value, str) else list(value)
    return words


def two_word_queries(words: dict[str, list[str]], n: int) -> list[str]:
    rng = random.Random(11)
    shapes = [("ADJS", "NOUNS"), ("NOUNS", "NOUNS"), ("NOUNS", "PLACES")]
    out = []
    for i in range(n):
        first, second = shapes[i % len(shapes)]
        out.append(f"{rng.choice(words[first])} {rng.choice(words[second])}")
    return out


def _plain(body: object) -> str:
    blocks = json.loads(body) if isinstance(body, str) else body
    texts = [
        _TAG.sub(" ", str(b.get("value") or ""))
        for b in blocks or []
        if b.get("type") == "paragraph"
    ]
    return _WS.sub(" ", unescape(" ".join(texts))).strip()


def ensure_index(rebuild: bool, *, build: bool = True) -> None:
    """Index every live article missing from the index (all of them on rebuild)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.search.backends import get_search_backend
    from wagtail.search.models import IndexEntry

    from herald.members.models import AccessLevel
    from herald.newsroom.models import ArticleAuthor, ArticlePage

    ct = ContentType.objects.get_for_model(ArticlePage)
    live = ArticlePage.objects.live().count()
    done = IndexEntry.objects.filter(content_type=ct).count()
    print(f"search index: {done} of {live} live articles indexed", flush=True)
    if (done >= live and not rebuild) or not build:
        return
    backend = get_search_backend()
    started = time.perf_counter()
    last = 0
    batch_size = 2000
    while True:
        articles = list(
            ArticlePage.objects.live()
            .filter(pk__gt=last, access_level=AccessLevel.PUBLIC)
            .order_by("pk")[:batch_size]
        )
        if not articles:
            break
        last = articles[-1].pk
        names: dict[int, list[str]] = {}
        for article_id, name in (
            ArticleAuthor.objects.filter(article__in=articles)
            .order_by("sort_order")
            .values_list("article_id", "author__name")
        ):
            names.setdefault(article_id, []).append(name)
        for a in articles:
            # Public articles only (the corpus has no others): all text is public.
            text = _plain(a.body.raw_data)
            a.public_text = lambda text=text: text  # type: ignore[method-assign]
            byline = " ".join(names.get(a.pk, []))
            a.author_names = lambda byline=byline: byline  # type: ignore[method-assign]
            a.tag_names = lambda: ""  # type: ignore[method-assign]
        backend.add_bulk(ArticlePage, articles)
        print(f"  indexed up to pk {last}", flush=True)
    print(f"index build: {time.perf_counter() - started:.1f} s", flush=True)


def measure(queries_: list[str], order: str) -> list[float]:
    from herald.newsroom import queries

    samples = []
    for q in queries_:
        started = time.perf_counter()
        page = queries.search_page(q, "1", order=order, filters=queries.SearchFilters())
        list(page.object_list)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    args = parse_args()
    os.environ["HERALD_DATABASE_URL"] = args.db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herald.settings.dev")
    import django

    django.setup()
    ensure_index(args.rebuild, build=not args.no_build)
    qs = two_word_queries(vocabulary(args.script), args.queries)
    measure(qs[:10], "relevance")  # warm-up: connections, caches, plans
    ok = True
    for order in ("relevance", "newest"):
        before = os.getloadavg()[0]
        samples = measure(qs, order)
        p50, p95 = statistics.median(samples), pct(samples, 95)
        ok = ok and p95 <= TARGET_P95_MS
        print(
            f"search {order:9} n={len(samples)} p50={p50:.1f} ms p95={p95:.1f} ms "
            f"max={max(samples):.1f} ms (target p95 ≤ {TARGET_P95_MS:.0f} ms; "
            f"load average {before:.2f} → {os.getloadavg()[0]:.2f})",
            flush=True,
        )
    print("PASS" if ok else "FAIL: p95 above target", flush=True)


if __name__ == "__main__":
    main()
