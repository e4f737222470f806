"""Celery tasks of the newsroom: thin, idempotent, each calls one action."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import actions


@shared_task(name="herald.newsroom.tasks.publish_due_pages", ignore_result=True)
def publish_due_pages() -> dict[str, list[Any]]:
    """Publish every article whose scheduled time has passed (beat: every 30 s).

    Idempotent: publishing a revision clears its ``approved_go_live_at`` in the
    same transaction, and each revision is re-read under a row lock before it is
    published, so a second or overlapping run finds nothing left to do.
    """
    result = actions.publish_due_pages()
    return {"published": result.published, "expired": result.expired}


@shared_task(name="herald.newsroom.tasks.reindex_gated_articles", ignore_result=True)
def reindex_gated_articles(site_id: int) -> int:
    """Index a site's gated stories again after its preview length changed.

    Idempotent: indexing a story writes the same entry each time.
    """
    return actions.reindex_gated_articles(site_id)


@shared_task(name="herald.newsroom.tasks.render_articles", ignore_result=True)
def render_articles(page_ids: list[int]) -> int:
    """Make the kept renderings of these articles ahead of their first reader.

    Idempotent: a rendering that is already kept is read, not made again.
    """
    return actions.render_articles(page_ids)
