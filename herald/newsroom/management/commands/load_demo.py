"""Load the demo publication: ``manage.py load_demo`` (``make demo`` runs it).

The content and the loading live in ``tools/demo/`` (invented writing, pictures
drawn with Pillow); this command parses options and prints the admin login.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from herald.settings import env


def demo_loader() -> Any:
    """Import tools.demo.loader, which lives at the top of the repository."""
    root = str(Path(settings.BASE_DIR))
    if root not in sys.path:
        sys.path.insert(0, root)
    from tools.demo import loader

    return loader


class Command(BaseCommand):
    help = (
        "Load the demo publication (sections, authors, about sixty articles with "
        "pictures) and create the admin user. Does nothing when it is already "
        "loaded, except print the login."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--articles",
            type=int,
            default=None,
            help="Load only the first N stories (tests use a small number).",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=8000,
            help="Port the demo will be served on (for the site's address).",
        )
        parser.add_argument(
            "--password-file",
            type=Path,
            default=None,
            help="Where to keep a generated admin password (default: next to the "
            "SQLite database, else var/).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["articles"] is not None and options["articles"] < 0:
            raise CommandError("--articles must be zero or more.")
        loader = demo_loader()
        result = loader.load_demo(
            articles=options["articles"],
            admin_password=env.ADMIN_PASSWORD,
            password_file=options["password_file"],
            port=options["port"],
            echo=self.stdout.write,
        )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"{loader.publication.NAME} is ready."))
        for line in result.login_lines():
            self.stdout.write(f"  {line}")
