"""Load the shared benchmark corpus: ``manage.py load_corpus content.json``."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from herald.newsroom.corpus import CorpusError, load_corpus


class Command(BaseCommand):
    help = (
        "Load a corpus written by ../shared/bench/content.py (sections, authors, "
        "articles; slugs kept). Articles whose slug exists are skipped."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="The corpus JSON file.")
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Articles per batch."
        )
        parser.add_argument(
            "--no-search-index",
            action="store_true",
            help="Do not add the articles to the search index.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            with open(options["file"], encoding="utf-8") as f:
                data = json.load(f)
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{options['file']} is not valid JSON: {exc}") from exc
        read_s = time.perf_counter() - started
        verbose = options["verbosity"] > 1
        try:
            result = load_corpus(
                data,
                batch_size=max(1, options["batch_size"]),
                search_index=not options["no_search_index"],
                progress=self.stdout.write if verbose else None,
            )
        except CorpusError as exc:
            raise CommandError(f"nothing loaded: {exc}") from exc
        total = time.perf_counter() - started
        timings = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
        self.stdout.write(
            f"Loaded {result.articles_created} articles "
            f"({result.articles_skipped} already there), "
            f"{result.sections_created} new sections, "
            f"{result.authors_created} new authors, "
            f"{result.indexed} indexed in {total:.1f}s "
            f"(read {read_s:.1f}s, {timings})."
        )
