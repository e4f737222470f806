"""Whether an article's thread is open, and to whom: no query of its own.

The article's own choice (``ArticlePage.commenting``, "" = the site's) picks
the mode over ``ReactionSettings.comments``; any thread closes on its own
``comments_close_after_days`` after the story was first published (0: never).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from herald.core.sitecache import setting_for_request

from .models import CommentMode, ReactionSettings
from .queries import thread_order


@dataclass(frozen=True)
class Commenting:
    mode: str  # a CommentMode value
    closed_because: str  # "" while open; otherwise what readers are told

    @property
    def open(self) -> bool:
        return not self.closed_because


def commenting(article: Any, config: Any, now: datetime | None = None) -> Commenting:
    """Who may comment on ``article`` now under the site's ``config``."""
    own = getattr(article, "commenting", "") or ""
    mode = own or config.comments
    if mode == CommentMode.CLOSED:
        where = "this story" if own else "this site"
        return Commenting(mode, f"Comments are closed on {where}.")
    days = config.comments_close_after_days
    published = article.first_published_at
    if (
        days
        and published
        and (now or timezone.now()) - published > timedelta(days=days)
    ):
        return Commenting(
            mode,
            f"Comments on this story are closed: they close {days} days "
            "after publication.",
        )
    return Commenting(mode, "")


def kept_vary(request: Any, article: Any) -> tuple[str, str]:
    """What the kept public-reaction block varies by besides the revision:
    the thread's order (a known one) and whether it is open (it closes with
    time, so an open thread's copy is not shown once it has closed)."""
    config = setting_for_request(ReactionSettings, request)
    state = "open" if commenting(article, config).open else "closed"
    return thread_order(request.GET.get("comments")), state
