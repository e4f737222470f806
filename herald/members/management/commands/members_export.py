"""Write every member to a CSV file (or standard output)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from herald.members import csvio


class Command(BaseCommand):
    help = "Export members as CSV (email, name, note, labels, status, tiers, ...)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "path", nargs="?", default="-", help="File, or - for stdout"
        )

    def handle(self, *args: Any, path: str = "-", **options: Any) -> None:
        if path == "-":
            count = csvio.export_csv(sys.stdout)
        else:
            with open(path, "w", encoding="utf-8", newline="") as out:
                count = csvio.export_csv(out)
        self.stderr.write(f"Exported {count} members.")
