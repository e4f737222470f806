#!/usr/bin/env python3
"""Time a members CSV import: 100,000 rows into PostgreSQL. Target: ≤ 60 s.

``make bench-members`` runs it against its own database (created and migrated on
first use). Each run first removes the members a previous run imported, writes
a CSV of fresh members (free, comped and paid, with labels), imports it with the
real importer (``herald.members.csvio``) and prints the numbers.

Usage: tools/bench/members_import.py [--rows 100000] [--db postgres://…]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 60.0
DOMAIN = "bench-members.example"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--db", default="postgres://postgres@127.0.0.1:5432/herald_bench_members"
    )
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


def make_csv(rows: int, tiers: list[str]) -> str:
    from herald.members.csvio import COLUMNS

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i in range(rows):
        kind = i % 10
        status, member_tiers, until, customer, ends = "free", "", "", "", ""
        if kind == 0:
            status, member_tiers, until = (
                "comped",
                tiers[0],
                "2031-06-30T00:00:00+00:00",
            )
        elif kind == 1:
            status, member_tiers, customer = "paid", tiers[1], f"cus_bench{i:07d}"
            ends = "2031-06-30T00:00:00+00:00"
        # Every third member has a label with an escaped comma in it.
        labels = "bench" if i % 3 else "bench,vip\\, press"
        writer.writerow(
            [
                f"member{i:07d}@{DOMAIN}",
                f"Member {i}",
                "imported by the benchmark" if i % 50 == 0 else "",
                labels,
                status,
                member_tiers,
                until,
                "",
                customer,
                "2024-01-15T09:30:00+00:00",
                ends,
            ]
        )
    return out.getvalue()


def remove_previous_run(connection) -> None:  # type: ignore[no-untyped-def]
    """Delete the members a previous run imported, in SQL (the ORM's cascade
    collector would load every row first)."""
    members = "SELECT id FROM members_user WHERE email LIKE %s"
    pattern = [f"%@{DOMAIN}"]
    with connection.cursor() as cursor:
        for table, column in (
            ("members_memberevent", "user_id"),
            ("members_user_labels", "user_id"),
            ("members_complimentaryaccess", "user_id"),
            ("members_subscription", "user_id"),
            ("members_logintoken", "user_id"),
        ):
            cursor.execute(
                f"DELETE FROM {table} WHERE {column} IN ({members})", pattern
            )
        cursor.execute("DELETE FROM members_user WHERE email LIKE %s", pattern)


def main() -> None:
    args = parse_args()
    if not args.db.startswith("postgres"):
        sys.exit("The members benchmark runs on PostgreSQL (--db postgres://…).")
    ensure_database(args.db)
    os.environ["HERALD_DATABASE_URL"] = args.db
    os.environ.setdefault("HERALD_SECRET_KEY", "bench-members-not-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "herald.settings.dev"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from herald.members import csvio
    from herald.members.models import Tier, User

    call_command("migrate", verbosity=0)
    gold, _ = Tier.objects.get_or_create(
        slug="bench-gold", defaults={"name": "Gold", "monthly_price": 900}
    )
    silver, _ = Tier.objects.get_or_create(
        slug="bench-silver", defaults={"name": "Silver", "monthly_price": 500}
    )
    started = time.perf_counter()
    remove_previous_run(connection)
    cleanup = time.perf_counter() - started

    text = make_csv(args.rows, [silver.slug, gold.slug])
    started = time.perf_counter()
    report = csvio.import_csv(text)
    seconds = time.perf_counter() - started

    if report.errors:
        sys.exit(f"Unexpected bad rows: {report.errors[:5]}")
    imported = User.objects.filter(email__endswith=f"@{DOMAIN}").count()
    verdict = "PASS" if seconds <= TARGET_SECONDS else "FAIL"
    print(f"cleanup of the previous run: {cleanup:.1f} s")
    print(
        f"imported {report.created} rows ({imported} in the database) "
        f"in {seconds:.1f} s = {report.created / seconds:,.0f} rows/s "
        f"(target ≤ {TARGET_SECONDS:.0f} s): {verdict}"
    )
    if verdict == "FAIL":
        sys.exit(1)


if __name__ == "__main__":
    main()
