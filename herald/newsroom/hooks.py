"""The extension point for what happens when an article is published.

Apps to the right of ``newsroom`` (newsletters, notifications, distribution …)
must not be imported here. Instead they register a receiver in their
``AppConfig.ready()``::

    from herald.newsroom import hooks

    def ping_websub(event: hooks.PublishEvent) -> None: ...

    hooks.register("article_published", ping_websub)

Receivers run after the publishing transaction commits (``transaction.on_commit``),
each isolated: one receiver failing is logged and does not stop the others or
undo the publication. Receivers should only queue work (a Celery task), never
do slow I/O inline.

Events:
- ``article_published``: an article went live (first time or republished).
- ``article_updated``: a live article was republished with changes.
- ``article_unpublished``: a live article was taken down.
- ``article_corrected``: a live article was republished with a new correction
  (after its ``article_updated``); ``extra`` has ``correction_ids`` and
  ``updated_at`` (the story's "Updated" time, or None when the correction did
  not move it).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

log = logging.getLogger("herald.newsroom.hooks")

EVENTS = (
    "article_published",
    "article_updated",
    "article_unpublished",
    "article_corrected",
)


@dataclass(frozen=True)
class PublishEvent:
    """What receivers learn about a publication change."""

    name: str
    article_id: int
    first_publication: bool
    user_id: int | None = None
    at: datetime | None = None
    extra: dict[str, object] = field(default_factory=dict)


Receiver = Callable[[PublishEvent], None]
_receivers: dict[str, list[Receiver]] = defaultdict(list)


def register(event: str, receiver: Receiver) -> None:
    """Add ``receiver`` for ``event`` (idempotent: registering twice is a no-op)."""
    if event not in EVENTS:
        raise ValueError(f"Unknown newsroom event {event!r}; expected one of {EVENTS}")
    if receiver not in _receivers[event]:
        _receivers[event].append(receiver)


def unregister(event: str, receiver: Receiver) -> None:
    if receiver in _receivers[event]:
        _receivers[event].remove(receiver)


def receivers(event: str) -> list[Receiver]:
    return list(_receivers[event])


def _dispatch(event: PublishEvent) -> None:
    for receiver in receivers(event.name):
        try:
            receiver(event)
        except Exception:  # one receiver's failure must not stop the others
            log.exception("newsroom hook %s failed for %s", receiver, event)


def emit(event: PublishEvent) -> None:
    """Queue ``event`` for its receivers once the current transaction commits."""
    transaction.on_commit(lambda: _dispatch(event))


# Card extras: apps to the right add per-card values to story lists (the
# reactions app adds comment counts) with one query per list, never per card.
CardExtra = Callable[[list[Any]], None]
_card_extras: list[CardExtra] = []


def register_card_extra(extra: CardExtra) -> None:
    """Call ``extra(articles)`` on every listing's cards (sets attributes on them).

    Listings only (front page, section, author, tag, search), not the related
    stories under an article, which are kept with the article's own parts.
    """
    if extra not in _card_extras:
        _card_extras.append(extra)


def add_card_extras(articles: list[Any]) -> list[Any]:
    for extra in list(_card_extras):
        try:
            extra(articles)
        except Exception:  # a card without an extra is still a card
            log.exception("newsroom card extra %s failed", extra)
    return articles
