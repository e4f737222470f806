"""What the notifications app does when the newsroom publishes: queue work only."""

from __future__ import annotations

from herald.newsroom import hooks


def on_article_published(event: hooks.PublishEvent) -> None:
    """A first publication of a breaking story offers a push to the breaking topic."""
    if not event.first_publication:
        return
    from . import tasks

    tasks.queue(tasks.offer_breaking, event.article_id)
