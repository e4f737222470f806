"""How kept renderings are keyed: by the live revision, language and time zone.

The generation scopes every key besides (``store.py``), so a key names what a
rendering was made from, and a change to anything it shows starts a new
generation.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

_RENDERER: str | None = None


def renderer() -> str:
    """A digest of the code and templates that make renderings (and of
    ``HERALD_RELEASE``): what was kept by one release is never read by another.

    Computed once per process (in gunicorn's master with ``--preload``).
    """
    global _RENDERER
    if _RENDERER is None:
        digest = hashlib.sha256(str(getattr(settings, "HERALD_RELEASE", "")).encode())
        root = Path(__file__).resolve().parents[2]  # the herald package
        for path in sorted(root.rglob("*")):
            if (
                path.suffix in {".py", ".html", ".txt", ".xml"}
                and "tests" not in path.parts
            ):
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
        _RENDERER = digest.hexdigest()[:16]
    return _RENDERER


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
