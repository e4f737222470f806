#!/usr/bin/env python3
"""nginx's page cache in front of Herald: cached article vs the same bytes as a file.

Target (issue 10): an anonymous article page served from nginx's cache at
≥ 0.8 × the rate at which the same nginx serves the same page as a static file.

1. Uses the benchmark database of ``tools/bench/run.py`` (loads the corpus when
   it is missing, the same way).
2. Starts gunicorn with the shipped flags (as run.py does) and nginx with the
   shipped config (``docs/deploy/nginx.conf``, rendered for the loopback by
   ``tools/nginx_local.py``), plus one location serving a static copy.
3. Finds a public article that nginx keeps (X-Cache-Status HIT on a second
   read) and writes the exact bytes nginx answered to the static copy.
4. Runs wrk (``-t2 -c16``) against both, alternating, ``--rounds`` times; prints
   requests/s and p50/p99, the ratio of the medians, and PASS/FAIL against 0.8.

Usage: tools/bench/nginx.py [--duration 10] [--rounds 3] [--db URL]
Run alone or from ``make bench`` (after run.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import nginx_local  # noqa: E402
import run as bench  # noqa: E402

TARGET_RATIO = 0.8
STATIC_PATH = "/bench-static-copy/article.html"
# Headers nginx writes itself when it serves a file; every other header of the
# kept page is added to the static copy, so that both send the same bytes.
NGINX_OWN_HEADERS = {
    "server",
    "date",
    "content-type",
    "content-length",
    "connection",
    "last-modified",
    "etag",
    "accept-ranges",
    "transfer-encoding",
    "x-cache-status",  # the page cache's own, part of what a kept page costs
}


def log(msg: str) -> None:
    bench.log(msg)


def bench_env(args: argparse.Namespace) -> dict[str, str]:
    import secrets

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "herald.settings.production",
        "HERALD_SECURE": "0",
        "HERALD_DEBUG": "0",
        "HERALD_SECRET_KEY": secrets.token_urlsafe(64),
        "HERALD_ALLOWED_HOSTS": "127.0.0.1",
        "HERALD_BASE_URL": f"http://127.0.0.1:{args.nginx_port}",
        "HERALD_DATABASE_URL": args.db,
        "HERALD_REDIS_URL": args.redis,
        "HERALD_STATIC_ROOT": str(bench.VAR / "static"),
        "HERALD_MEDIA_ROOT": str(bench.VAR / "media"),
        "HERALD_LOG_LEVEL": "WARNING",
        "HERALD_CELERY_EAGER": "1",
        "HERALD_STRIPE_SECRET_KEY": "sk_test_benchmark_sends_nothing",
        "HERALD_STRIPE_WEBHOOK_SECRET": "whsec_benchmark_sends_nothing",
        "HERALD_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    }


def start_gunicorn(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen:
    out = open(bench.VAR / "gunicorn-nginx.log", "w")  # noqa: SIM115 - lives with the process
    return subprocess.Popen(
        [
            bench.GUNICORN,
            "herald.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--worker-connections",
            str(args.threads),
            "--log-level",
            "warning",
            "--timeout",
            "60",
            "--preload",
        ],
        cwd=bench.ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def cpu_seconds(master_pid: int) -> float:
    """User + system CPU time of nginx's master and workers so far, in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == master_pid or int(fields[1]) == master_pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def article_links(html: str) -> list[str]:
    """Article-looking links of the home page (two path segments or more)."""
    found = re.findall(r'href="(/[a-z0-9-]+/[a-z0-9/-]+/)"', html)
    skip = ("/feed/", "/author/", "/tag/", "/static/", "/media/", "/account/")
    return [p for p in dict.fromkeys(found) if not p.startswith(skip)]


def kept_article(base: str) -> tuple[str, bytes]:
    """A public article nginx keeps: its path and the bytes of the kept copy."""
    _s, _h, home = bench.fetch(base + "/")
    for path in article_links(home.decode("utf-8", "replace")):
        bench.fetch(base + path)
        status, headers, body = bench.fetch(base + path)
        if status == 200 and headers.get("X-Cache-Status") == "HIT":
            return path, body
    sys.exit("no article on the home page was kept by nginx (X-Cache-Status HIT)")


def static_headers(headers: dict[str, str]) -> str:
    """``add_header`` lines giving the static copy the kept page's headers."""
    lines = []
    for name, value in headers.items():
        if name.lower() in NGINX_OWN_HEADERS:
            continue
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'add_header {name} "{quoted}";\n')
    return "".join(lines)


def header_bytes(headers: dict[str, str]) -> int:
    return sum(len(k) + len(v) + 4 for k, v in headers.items())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=1000, help="articles in the corpus")
    ap.add_argument("--db", help="PostgreSQL URL (default herald_bench[_COUNT])")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    ap.add_argument("--port", type=int, default=8766, help="gunicorn's port")
    ap.add_argument("--nginx-port", type=int, default=8767)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--nginx-workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument(
        "--bare-static",
        action="store_true",
        help="serve the static copy with nginx's own headers only (as before "
        "2026-12-08: the kept page then sends ~900 bytes of headers more)",
    )
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    args.db = args.db or bench.default_db(args.count)
    why = nginx_local.missing()
    if why:
        sys.exit(f"{why} (`make nginx` installs it)")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")

    env = bench_env(args)
    log(f"\n== nginx page cache vs static file ({bench.db_name(args.db)}) ==")
    if bench.loaded_count(args.db) is None:
        corpus = bench.corpus_file(args.count, bench.CONTENT_SCRIPT)
        loader = argparse.Namespace(
            db=args.db, count=args.count, fresh=False, load_args=[], search_index=False
        )
        bench.prepare_database(loader, env, corpus)
    else:
        bench.manage(env, "migrate", "--noinput", "-v0")
    bench.manage(env, "collectstatic", "--noinput", "-v0")

    prefix = Path(tempfile.mkdtemp(prefix="herald-nginx-bench-"))
    copy_dir = prefix / "static-copy"
    copy_dir.mkdir()
    copy_headers = prefix / "static-copy-headers.conf"
    copy_headers.write_text("")
    server = nginx_local.LocalNginx(
        prefix,
        upstream=f"127.0.0.1:{args.port}",
        static_root=bench.VAR / "static",
        media_root=bench.VAR / "media",
        extra_locations=(
            f"    location /bench-static-copy/ {{\n"
            f"        alias {copy_dir}/;\n"
            f"        default_type text/html;\n"
            f"        charset utf-8;\n"
            f"        include {copy_headers};\n"
            f"    }}\n"
        ),
        workers=args.nginx_workers,
        port=args.nginx_port,
    )
    gunicorn = start_gunicorn(args, env)
    results: dict = {"machine": bench.machine(), "args": vars(args) | {"out": None}}
    try:
        bench.wait_until_up(f"http://127.0.0.1:{args.port}", gunicorn)
        server.start()
        base = server.url
        path, body = kept_article(base)
        (copy_dir / "article.html").write_bytes(body)
        kept_headers = bench.fetch(base + path)[1]
        if not args.bare_static:
            # Same headers on both sides: a reload keeps the cache zone (and
            # so the kept page and its nonce).
            copy_headers.write_text(static_headers(kept_headers))
            server.reload()
        _s, headers, static_body = bench.fetch(base + STATIC_PATH)
        assert static_body == body, "the static copy differs from the kept page"
        kept_headers = bench.fetch(base + path)[1]
        assert kept_headers.get("X-Cache-Status") == "HIT", kept_headers
        results.update(
            header_bytes_cached=header_bytes(kept_headers),
            header_bytes_static=header_bytes(headers),
        )
        log(
            f"  article {path}: {len(body)} bytes, X-Cache-Status "
            f"{kept_headers.get('X-Cache-Status')}; headers: kept page "
            f"{len(kept_headers)} ({header_bytes(kept_headers)} bytes), static copy "
            f"{len(headers)} ({header_bytes(headers)} bytes)"
        )
        runs: dict[str, list[dict]] = {"cached": [], "static": []}
        for n in range(args.rounds):
            for label, url in (("static", base + STATIC_PATH), ("cached", base + path)):
                cpu_before = cpu_seconds(server.proc.pid)
                r = bench.run_wrk(
                    url, threads=2, conns=args.connections, seconds=args.duration
                )
                r.pop("raw")
                r["nginx_cpu_us"] = (
                    1e6 * (cpu_seconds(server.proc.pid) - cpu_before) / r["requests"]
                    if r["requests"]
                    else float("nan")
                )
                runs[label].append(r)
                log(
                    f"  round {n + 1} {label:<7} {r['rps']:9.1f} req/s  "
                    f"p50 {bench.fmt_ms(r['p50'])}  p99 {bench.fmt_ms(r['p99'])}  "
                    f"nginx CPU {r['nginx_cpu_us']:.0f} µs/request"
                    + (f"  non-2xx {r['errors']}" if r["errors"] else "")
                )
        status = bench.fetch(base + path)[1].get("X-Cache-Status")
        results["cache_status_after"] = status
        cached = statistics.median(r["rps"] for r in runs["cached"])
        static = statistics.median(r["rps"] for r in runs["static"])
        ratio = cached / static if static else float("nan")
        cpu_cached = statistics.median(r["nginx_cpu_us"] for r in runs["cached"])
        cpu_static = statistics.median(r["nginx_cpu_us"] for r in runs["static"])
        results.update(cpu_us_cached=cpu_cached, cpu_us_static=cpu_static)
        results.update(
            runs=runs,
            path=path,
            bytes=len(body),
            cached_rps=cached,
            static_rps=static,
            ratio=ratio,
        )
    finally:
        server.stop()
        stop(gunicorn)
        shutil.rmtree(prefix, ignore_errors=True)
    results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    ok = ratio >= TARGET_RATIO and results["cache_status_after"] == "HIT"
    log(
        f"  median of {args.rounds}: cached {cached:.1f} req/s, static {static:.1f} "
        f"req/s\n  [{'PASS' if ok else 'FAIL'}] nginx cached article ≥ "
        f"{TARGET_RATIO} × static file (wrk -t2 -c{args.connections}): {ratio:.2f}×\n"
        f"  nginx CPU per request (median): cached {cpu_cached:.0f} µs, static "
        f"{cpu_static:.0f} µs (static / cached {cpu_static / cpu_cached:.2f}×, "
        "the ratio nginx alone would reach on cores of its own)"
    )
    out = args.out or bench.VAR / "results-nginx.json"
    out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
