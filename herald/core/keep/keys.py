"""How kept renderings are keyed: by the live revision, language and time zone.

The generation scopes every key besides (``store.py``), so a key names what a
rendering was made from, and a change to anything it shows starts a new
generation.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone, translation


def live_revision(page: Any) -> str:
    """The page's id, live revision and publication time."""
    published = page.last_published_at.timestamp() if page.last_published_at else 0
    return f"{page.pk}:{page.live_revision_id or 0}:{published}"


def reader_scope() -> str:
    """The language and time zone renderings are made in."""
    return f"{translation.get_language()}:{timezone.get_current_timezone_name()}"


def rendering_key(kind: str, page: Any = None, *vary: Any) -> str:
    """The key of a ``kind`` rendering of ``page`` (or none), varied by ``vary``."""
    parts = [kind, reader_scope()]
    if page is not None:
        parts.append(live_revision(page))
    parts.extend(str(v) for v in vary)
    return ":".join(parts)
