"""What may be kept for readers, under which key, and until when: one package.

Every store of Herald's (site and setting lookups, page routing, navigation,
listings, article bodies and fragments, head tags, feeds, template fragments)
asks this package. See ``CONTEXT.md`` beside this file for the rules.

- ``policy.may_keep``: whether a rendering made now may be kept;
- ``keys.rendering_key``: its key (live revision, language, time zone);
- ``store``: where it lives (this process and the shared cache), always under
  the change generation;
- ``generation``: the number a change moves forward, and the signals that do it.
"""

from __future__ import annotations

from typing import Any

from . import durable, http
from .changes import (
    GENERATION_KEY,
    GenerationalLocMemCache,
    GenerationMiddleware,
    bump,
    connect_signals,
    generation,
    watch,
)
from .keys import live_revision, reader_scope, rendering_key
from .policy import is_preview, may_keep, reader_is_anonymous
from .store import get_many, get_or_build, local, set_many

__all__ = [
    "GENERATION_KEY",
    "GenerationMiddleware",
    "GenerationalLocMemCache",
    "bump",
    "durable",
    "connect_signals",
    "generation",
    "get_many",
    "get_or_build",
    "http",
    "is_preview",
    "kept_rendering",
    "live_revision",
    "local",
    "may_keep",
    "reader_is_anonymous",
    "reader_scope",
    "rendering_key",
    "set_many",
    "watch",
]


def kept_rendering(
    kind: str,
    request: Any = None,
    page: Any = None,
    *vary: Any,
    neutral: bool = True,
) -> str | None:
    """The key under which this rendering is (or will be) kept, or None when the
    policy says it may not be kept at all."""
    if not may_keep(request, page, neutral=neutral):
        return None
    return rendering_key(kind, page, *vary)
