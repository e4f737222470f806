"""The paywall gate: one pure function decides who may read an article's full text.

Every surface that shows article text (page, feeds, JSON-LD, API, search, oEmbed,
newsletters, push, caches) reaches it through ``newsroom.queries``, which calls
``can_read``. Keep this module free of I/O beyond what the reader object holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .models import AccessLevel


class Gated(Protocol):
    access_level: str

    def required_tier_ids(self) -> Iterable[int]: ...


@dataclass(frozen=True)
class Reader:
    """What the gate knows about whoever asks: nothing, a member, or staff."""

    is_authenticated: bool = False
    is_staff: bool = False
    has_paid: bool = False
    tier_ids: frozenset[int] = field(default_factory=frozenset)
    # Articles the meter lets this anonymous reader read in full (metering.py).
    metered_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def kind(self) -> str:
        if not self.is_authenticated:
            return "anonymous"
        if self.is_staff:
            return "staff"
        return "paid" if self.has_paid else "free"


ANONYMOUS = Reader()


def reader_for(user: Any) -> Reader:
    """Describe a request's user for the gate (anonymous when not signed in)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    if not getattr(user, "is_active", False):
        return ANONYMOUS
    tier_ids = frozenset(getattr(user, "active_tier_ids", lambda: ())())
    return Reader(
        is_authenticated=True,
        is_staff=bool(user.is_staff),
        has_paid=bool(getattr(user, "has_paid_access", lambda: False)()),
        tier_ids=tier_ids,
    )


def reader_for_request(request: Any, article: Any = None) -> Reader:
    """Describe the request's reader, with a meter pass for ``article`` if one is due.

    Metering (off by default) only ever adds a pass for the one article being
    served to a reader who is not signed in; the decision and the count are
    server-side (``metering.py``). Marks the request as personalised so that
    its response is never stored by a shared cache.
    """
    reader = reader_for(getattr(request, "user", None))
    if article is None or reader.is_authenticated or request is None:
        return reader
    from .metering import meter_pass

    if meter_pass(request, article):
        return Reader(metered_ids=frozenset({article.pk}))
    return reader


def can_read(reader: Reader, article: Gated) -> bool:
    """Return whether ``reader`` may read the whole of ``article``."""
    level = article.access_level
    if level == AccessLevel.PUBLIC:
        return True
    if reader.is_staff:
        return True
    if not reader.is_authenticated:
        return (
            level in (AccessLevel.MEMBERS, AccessLevel.PAID)
            and getattr(article, "pk", None) in reader.metered_ids
        )
    if level == AccessLevel.MEMBERS:
        return True
    if level == AccessLevel.PAID:
        return reader.has_paid
    if level == AccessLevel.TIERS:
        required = set(article.required_tier_ids())
        return bool(required & reader.tier_ids)
    # Unknown levels fail closed.
    return False
