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


class CommentRefused(Exception):
    """A comment that may not be posted; ``message`` says why to the member."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _may_comment(article: Any, *, author: Any, config: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from herald.members.models import MemberStatus

    from .models import CommentMode

    if config.comments == CommentMode.CLOSED:
        raise CommentRefused("closed", "Comments are closed on this site.")
    days = config.comments_close_after_days
    published = article.first_published_at
    if days and published and timezone.now() - published > timedelta(days=days):
        raise CommentRefused("closed", "Comments on this story are closed.")
    if config.comments == CommentMode.PAID and not (
        author.is_staff
        or getattr(author, "status", None) in (MemberStatus.PAID, MemberStatus.COMPED)
    ):
        raise CommentRefused("paid_only", "Only paying members may comment here.")


def post_comment(
    article: Any,
    *,
    author: Any,
    text: str,
    config: Any,
    parent: Any = None,
) -> Any:
    """Add ``author``'s comment (or reply to ``parent``); first ones wait for review."""
    from .models import Comment, CommentEvent, CommentState
    from .rendering import render_comment

    _may_comment(article, author=author, config=config)
    if parent is not None:
        if parent.article_id != article.pk or parent.state != CommentState.PUBLISHED:
            raise CommentRefused("no_parent", "That comment cannot be replied to.")
        parent = parent.parent or parent  # one level of replies
    first_time = not Comment.objects.filter(
        author=author, state=CommentState.PUBLISHED
    ).exists()
    held = config.premoderate_first_comment and first_time and not author.is_staff
    state = CommentState.PENDING if held else CommentState.PUBLISHED
    with transaction.atomic():
        comment = Comment.objects.create(
            article=article,
            author=author,
            parent=parent,
            text=text,
            html=render_comment(text),
            state=state,
        )
        CommentEvent.objects.create(
            comment=comment,
            actor=author,
            to_state=state,
            reason="first comment held for review" if held else "posted",
        )
    return comment


def moderate_comment(
    comment: Any, *, actor: Any, to_state: str, reason: str = ""
) -> Any:
    """Move ``comment`` to ``to_state`` and record who did it and why."""
    from .models import COMMENT_TRANSITIONS, Comment, CommentEvent

    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        if to_state not in COMMENT_TRANSITIONS[comment.state]:
            raise CommentRefused(
                "transition", f"A {comment.state} comment cannot become {to_state}."
            )
        CommentEvent.objects.create(
            comment=comment,
            actor=actor,
            from_state=comment.state,
            to_state=to_state,
            reason=reason[:500],
        )
        comment.state = to_state
        comment.save(update_fields=["state", "updated_at"])
    return comment
