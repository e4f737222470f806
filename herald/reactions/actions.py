"""Every write of public reaction."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from .models import Reaction


def react(article: Any, *, reader: str, kind: str) -> str | None:
    """Set ``reader``'s reaction on ``article`` to ``kind``; the same kind again
    takes it back. Returns the reader's reaction afterwards (None: none)."""
    with transaction.atomic():
        existing = (
            Reaction.objects.select_for_update()
            .filter(article=article, reader=reader)
            .first()
        )
        if existing is None:
            try:
                with transaction.atomic():
                    Reaction.objects.create(article=article, reader=reader, kind=kind)
            except IntegrityError:  # a double click raced us: keep the first
                pass
            return kind
        if existing.kind == kind:
            existing.delete()
            return None
        existing.kind = kind
        existing.save(update_fields=["kind", "updated_at"])
        return kind
