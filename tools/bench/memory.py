#!/usr/bin/env python3
"""The web server's memory by phase: PSS and private memory per process.

Starts gunicorn with the shipped flags (as tools/bench/run.py does, on the
benchmark database), then, reading ``/proc/PID/smaps_rollup`` of the master and
each worker after each phase:

1. started (the readiness check has been answered);
2. warm runs: run.py's warm-up, then ``--warm`` requests on each of one
   article, the home page, one section and the feed over 16 connections;
3. first views: the shared cache cleared, then ``--first`` distinct articles
   once each over 16 connections (run.py's first-view run reaches fewer).

PSS does not depend on the load, so this may run beside other work; it is
the figure docs/performance.md ("First views, tails and memory") records.

Usage: tools/bench/memory.py [--first 1000] [--warm 400] [--db URL]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import nginx as nginx_bench  # noqa: E402
import run as bench  # noqa: E402


def rollup(pid: int) -> dict[str, float]:
    text = Path(f"/proc/{pid}/smaps_rollup").read_text()

    def kib(name: str) -> float:
        m = re.search(rf"^{name}:\s+(\d+) kB", text, re.M)
        return int(m.group(1)) / 1024 if m else 0.0

    return {
        "pss": kib("Pss"),
        "private": kib("Private_Clean") + kib("Private_Dirty"),
    }


def processes(master: int) -> list[int]:
    return [master, *bench.child_pids(master)]


def report(label: str, master: int) -> float:
    sizes = {pid: rollup(pid) for pid in processes(master)}
    total = sum(s["pss"] for s in sizes.values())
    parts = "; ".join(
        f"{'master' if pid == master else 'worker'} {s['pss']:.1f} "
        f"(private {s['private']:.1f})"
        for pid, s in sizes.items()
    )
    bench.log(f"  {label:<24} PSS {total:6.1f} MiB  [{parts}]")
    return total


def load(port: int, paths: list[str], conns: int = 16) -> int:
    """GET every path over ``conns`` keep-alive connections; the non-200 count."""

    def one_connection(chunk: list[str]) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        bad = 0
        for path in chunk:
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            bad += response.status != 200
        conn.close()
        return bad

    with ThreadPoolExecutor(conns) as pool:
        return sum(pool.map(one_connection, [paths[i::conns] for i in range(conns)]))


def reader_paths(env: dict[str, str]) -> tuple[list[str], str]:
    """Every live article's path and one section's, from the database."""
    code = (
        "import django, json; django.setup()\n"
        "from herald.newsroom.models import ArticlePage, SectionPage\n"
        "a = [p.get_url() for p in ArticlePage.objects.live().only('url_path')]\n"
        "s = SectionPage.objects.live().order_by('path').first().get_url()\n"
        "print(json.dumps([a, s]))\n"
    )
    import json

    out = subprocess.run(
        [bench.PY, "-c", code],
        cwd=bench.ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    articles, section = json.loads(out.strip().splitlines()[-1])
    return [p for p in articles if p and p.startswith("/")], section


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=1000, help="articles in the corpus")
    ap.add_argument("--db", help="PostgreSQL URL (default herald_bench[_COUNT])")
    # Not run.py's database: clearing the cache here must not disturb its runs.
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    ap.add_argument("--port", type=int, default=8768)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--warm", type=int, default=400, help="requests per warm page")
    ap.add_argument("--first", type=int, default=1000, help="distinct first views")
    args = ap.parse_args()
    args.db = args.db or bench.default_db(args.count)
    args.nginx_port = args.port  # the base URL bench_env sets
    if bench.loaded_count(args.db) is None:
        sys.exit(f"no corpus in {bench.db_name(args.db)}: run tools/bench/run.py first")
    env = nginx_bench.bench_env(args)
    articles, section = reader_paths(env)
    random.Random(7).shuffle(articles)
    bench.log(
        f"\n== web server memory ({args.workers} × {args.threads} threads, "
        f"preloaded; {bench.db_name(args.db)}; load average "
        f"{os.getloadavg()[0]:.1f}) =="
    )
    proc = nginx_bench.start_gunicorn(args, env)
    try:
        bench.wait_until_up(f"http://127.0.0.1:{args.port}", proc)
        report("started", proc.pid)
        warm = ["/", articles[0], section] * args.workers * 4
        load(args.port, warm, conns=2)
        for path in (articles[0], "/", section, "/feed/"):
            load(args.port, [path] * args.warm)
        report("after the warm runs", proc.pid)
        bench.forget_everything_kept(env)
        t0 = time.perf_counter()
        bad = load(args.port, articles[: args.first])
        seconds = time.perf_counter() - t0
        total = report(f"after {min(args.first, len(articles))} first views", proc.pid)
        verdict = "PASS" if total <= bench.TARGET_PSS_MIB else "FAIL"
        bench.log(
            f"  first views took {seconds:.1f} s ({bad} not 200); load average "
            f"{os.getloadavg()[0]:.1f}\n  [{verdict}] web server PSS ≤ "
            f"{bench.TARGET_PSS_MIB} MiB: {total:.0f} MiB"
        )
    finally:
        nginx_bench.stop(proc)


if __name__ == "__main__":
    main()
