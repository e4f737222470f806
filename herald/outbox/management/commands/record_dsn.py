"""Record a bounce that came back by email (a DSN) from standard input or files.

For an MTA's pipe on the mailbox named by HERALD_EMAIL_BOUNCE_ADDRESS, e.g. a
Postfix alias ``bounces: "|/srv/herald/.venv/bin/python /srv/herald/manage.py
record_dsn"``. Exit status 0 when the message was read (a DSN or not, so the
MTA does not bounce the bounce); 75 (EX_TEMPFAIL, the MTA tries again later)
when it could not be recorded.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from herald.outbox import dsn

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Record a delivery status notification (bounce) read from stdin or files."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="*", help="message files (default: stdin)")

    def handle(self, *args: Any, **options: Any) -> None:
        sources = [Path(f).read_bytes() for f in options["files"]] or [
            sys.stdin.buffer.read()
        ]
        recorded = 0
        for raw in sources:
            try:
                recorded += len(dsn.record(raw))
            except Exception as exc:
                raise CommandError(
                    f"could not record the DSN: {exc}", returncode=EX_TEMPFAIL
                ) from exc
        self.stdout.write(f"{recorded} event(s) recorded")
