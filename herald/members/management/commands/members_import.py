"""Import members from a CSV file; bad lines are named with their reason."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from herald.members import csvio


class Command(BaseCommand):
    help = "Import members from CSV. Bad rows are reported; the rest are imported."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument(
            "--all-or-nothing",
            action="store_true",
            help="Import nothing if any row is bad.",
        )

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        try:
            with open(path, encoding="utf-8-sig", newline="") as source:
                report = csvio.import_csv(
                    source, all_or_nothing=options["all_or_nothing"]
                )
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        for line, reason in report.errors:
            self.stderr.write(f"line {line}: {reason}")
        self.stdout.write(
            f"Created {report.created} members, skipped {report.skipped_existing} "
            f"existing, {len(report.errors)} bad lines"
            + ("" if report.imported else "; nothing was imported")
            + "."
        )
        if report.errors and not report.imported:
            raise CommandError("Import refused: fix the lines above.")
