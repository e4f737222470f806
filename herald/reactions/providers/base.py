"""The spam check's interface: one method, called once per new comment.

A provider is named by a dotted path in ``HERALD_COMMENT_SPAM_CHECK`` (the
built-in heuristic by default). It is built once per process; an unknown path
is an ``ImproperlyConfigured`` error at start-up. A provider that calls an
outside service must answer within a second or two and, when the service
fails, return ``Verdict(spam=False, reasons=["unchecked: ..."])`` rather than
raise: a failed check never loses a comment, and a moderator still sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Candidate:
    """What the check may look at: the text, who wrote it, where, from where."""

    text: str
    author: Any  # a members.User (never anonymous)
    article_id: int
    client_ip: str = ""
    parent_id: int | None = None


@dataclass(frozen=True)
class Verdict:
    """``spam``: the comment goes straight to the spam queue. ``score`` and
    ``reasons`` are shown to moderators on the comment's history."""

    spam: bool
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return "; ".join(self.reasons)[:400]


class SpamCheck:
    """Base class for spam check providers."""

    #: Short name shown in the comment's history.
    name = "base"

    def check(self, candidate: Candidate) -> Verdict:
        """Judge one new comment before it is saved (may read the database)."""
        raise NotImplementedError
