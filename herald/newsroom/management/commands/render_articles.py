"""``manage.py render_articles``: make every live article's kept renderings now.

After an import or a bulk load (which publish without Wagtail's signals), or
after a change that dropped every page's renderings, so that no reader pays
for a first render. Articles whose renderings are kept are only read.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from herald.newsroom import actions
from herald.newsroom.models import ArticlePage


class Command(BaseCommand):
    help = "Make the kept renderings of every live article (or of --ids)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--ids", nargs="*", type=int, help="only these pages")
        parser.add_argument("--base-url", help="the address readers use (BASE_URL)")
        parser.add_argument("--chunk", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        from herald.core import keep

        pruned = keep.durable.prune()
        if pruned:
            self.stdout.write(f"Deleted {pruned} renderings of an earlier release.")
        ids = options["ids"] or list(
            ArticlePage.objects.live().order_by("pk").values_list("pk", flat=True)
        )
        done = 0
        for start in range(0, len(ids), options["chunk"]):
            done += actions.render_articles(
                ids[start : start + options["chunk"]], base_url=options["base_url"]
            )
        self.stdout.write(f"Rendered {done} of {len(ids)} articles.")
