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


PAGE_SIZE = 20

# Thread orders offered to readers (``?comments=``); anything else is the first.
# "top" is the most published replies (reactions are per article, not per
# comment), newest first among equals.
ORDERS = ("newest", "oldest", "top")


def thread_order(value: Any) -> str:
    """A known order, or the default for anything else (never echoed or kept)."""
    return value if value in ORDERS else ORDERS[0]


def _with_badges(comments: Any, article_id: int) -> Any:
    """Mark comments by one of the article's byline authors (their Author's
    user link): ``by_byline_author``, a subquery, no query per comment."""
    from django.db.models import Exists, OuterRef

    from herald.newsroom.models import ArticleAuthor

    return comments.annotate(
        by_byline_author=Exists(
            ArticleAuthor.objects.filter(
                article_id=article_id, author__user_id=OuterRef("author_id")
            )
        )
    )


def comment_page(
    article_id: int, *, order: str = "newest", page: int = 1
) -> dict[str, Any]:
    """One page of published comments with their replies: three queries.

    The top-level page and its authors (one), their published replies and
    authors (one), the count of published comments (one). Both pages say
    whether a comment is by one of the story's byline authors.
    """
    from django.db.models import Prefetch, Q

    from .models import Comment, CommentState

    order = thread_order(order)
    published = Comment.objects.filter(
        article_id=article_id, state=CommentState.PUBLISHED
    )
    tops = _with_badges(published.filter(parent=None), article_id)
    if order == "top":
        tops = tops.annotate(
            reply_count=Count(
                "replies", filter=Q(replies__state=CommentState.PUBLISHED)
            )
        )
        ordering: tuple[str, ...] = ("-reply_count", "-created_at", "-id")
    elif order == "oldest":
        ordering = ("created_at", "id")
    else:
        ordering = ("-created_at", "-id")
    page = max(1, page)
    start = (page - 1) * PAGE_SIZE
    rows = list(
        tops.select_related("author")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=_with_badges(
                    Comment.objects.filter(state=CommentState.PUBLISHED), article_id
                )
                .select_related("author")
                .order_by("created_at"),
                to_attr="published_replies",
            )
        )
        .order_by(*ordering)[start : start + PAGE_SIZE + 1]
    )
    return {
        "comments": rows[:PAGE_SIZE],
        "has_more": len(rows) > PAGE_SIZE,
        "next_page": page + 1,
        "order": order,
        "total": published.count(),
    }


def attach_comment_counts(articles: list[Any]) -> None:
    """Set ``comment_count`` on a listing's cards: one query for the list."""
    if not articles:
        return
    counts = comment_counts([a.pk for a in articles])
    for article in articles:
        article.comment_count = counts.get(article.pk, 0)


def comment_counts(article_ids: list[int]) -> dict[int, int]:
    """Published comment counts for many articles in one query (for lists)."""
    from .models import Comment, CommentState

    rows = (
        Comment.objects.filter(article_id__in=article_ids, state=CommentState.PUBLISHED)
        .order_by()
        .values_list("article_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)


# The moderation desk's queues: name -> label.
QUEUES = {
    "pending": "Waiting for review",
    "reported": "Reported",
    "filtered": "Caught by the word filter",
    "spam": "Spam",
    "recent": "Recent decisions",
}


def _queue_filter(name: str) -> Any:
    from django.db.models import Q

    from .models import CommentState, HoldReason

    return {
        "pending": Q(state=CommentState.PENDING),
        "reported": Q(state=CommentState.PUBLISHED, open_reports__gt=0),
        "filtered": Q(
            state=CommentState.PENDING,
            held_because__in=[HoldReason.WORD, HoldReason.EDITED],
        ),
        "spam": Q(state=CommentState.SPAM),
        "recent": ~Q(state=CommentState.PENDING),
    }[name]


def moderation_queue(name: str) -> Any:
    """Comments in one desk queue, with author and article (one query a page)."""
    from .models import Comment

    ordering = "-updated_at" if name == "recent" else "created_at"
    return (
        Comment.objects.filter(_queue_filter(name))
        .select_related("author", "article", "parent")
        .order_by(ordering, "id")
    )


def queue_counts() -> list[int | None]:
    """How many comments each queue holds, in ``QUEUES`` order, in one query
    ("recent" is not counted: None)."""
    from .models import Comment

    names = [name for name in QUEUES if name != "recent"]
    totals = Comment.objects.aggregate(
        **{name: Count("id", filter=_queue_filter(name)) for name in names}
    )
    return [totals.get(name) or 0 for name in names] + [None]
