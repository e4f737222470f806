"""Reads of public reaction: counts and the reader's own reaction."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from .models import Reaction, ReactionKind


def reaction_counts(article_id: int) -> dict[str, int]:
    """Counts per kind for one article, in one query."""
    rows = (
        Reaction.objects.filter(article_id=article_id)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def reader_reaction(article_id: int, reader: str | None) -> str | None:
    if not reader:
        return None
    return (
        Reaction.objects.filter(article_id=article_id, reader=reader)
        .values_list("kind", flat=True)
        .first()
    )


def reaction_summary(
    kinds: list[ReactionKind], article_id: int, reader: str | None
) -> list[dict[str, Any]]:
    """The site's kinds with counts and whether ``reader`` chose each."""
    counts = reaction_counts(article_id)
    mine = reader_reaction(article_id, reader)
    return [
        {"kind": kind, "count": counts.get(kind.slug, 0), "mine": kind.slug == mine}
        for kind in kinds
    ]
