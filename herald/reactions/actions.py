"""Every write of public reaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from herald.core import keep

from . import emails, filters, providers
from .models import (
    COMMENT_TRANSITIONS,
    Comment,
    CommenterAction,
    CommenterEvent,
    CommenterStanding,
    CommentEvent,
    CommentReport,
    CommentState,
    DeletedMemberComments,
    EventAction,
    HoldReason,
    Reaction,
)
from .policy import commenting
from .rendering import render_comment

EDIT_WINDOW = timedelta(minutes=10)


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
    from herald.members.models import MemberStatus

    from .models import CommentMode

    standing = standing_of(author)
    if standing is not None and standing.is_banned(timezone.now()):
        until = timezone.localtime(standing.banned_until)
        message = f"You may not comment until {until:%d %b %Y, %H:%M}"
        if standing.ban_reason:
            message += f": {standing.ban_reason}"
        raise CommentRefused("banned", message.rstrip(".") + ".")
    allowed = commenting(article, config)
    if not allowed.open:
        raise CommentRefused("closed", allowed.closed_because)
    if allowed.mode == CommentMode.PAID and not (
        author.is_staff
        or getattr(author, "status", None) in (MemberStatus.PAID, MemberStatus.COMPED)
    ):
        raise CommentRefused("paid_only", "Only paying members may comment here.")


def standing_of(user: Any) -> CommenterStanding | None:
    """``user``'s standing as a commenter, or None when nothing was ever set."""
    if user is None or user.pk is None:
        return None
    return CommenterStanding.objects.filter(user=user).first()


def drop_kept_threads(article_ids: Iterable[int]) -> None:
    """Drop the kept public-reaction blocks of these articles.

    What a save or delete of a ``Comment`` does through ``keep.watch``; writes
    that bypass model signals (``QuerySet.update``) call this themselves.
    """
    ids = {int(i) for i in article_ids}
    if ids:
        keep.durable.drop(ids)
        keep.bump()


def _hold_reason(
    *, author: Any, text: str, config: Any, candidate: providers.Candidate
) -> tuple[str, str, str]:
    """(state, held_because, reason for the history) for a new comment."""
    if author.is_staff:
        return CommentState.PUBLISHED, HoldReason.NONE, "posted"
    verdict = providers.get_spam_check().check(candidate)
    if verdict.spam:
        check = providers.get_spam_check().name
        return (
            CommentState.SPAM,
            HoldReason.SPAM,
            f"spam check ({check}, score {verdict.score:g}): {verdict.summary()}",
        )
    word = filters.matched_word(text, config.word_filter)
    if word:
        return CommentState.PENDING, HoldReason.WORD, f"word filter: “{word}”"
    standing = standing_of(author)
    if standing is not None and standing.held:
        return CommentState.PENDING, HoldReason.MEMBER, "member's comments are held"
    if config.premoderate_all:
        return CommentState.PENDING, HoldReason.ALL, "every comment is reviewed"
    if config.premoderate_first_comment and not (
        Comment.objects.filter(author=author, state=CommentState.PUBLISHED).exists()
    ):
        return CommentState.PENDING, HoldReason.FIRST, "first comment held for review"
    return CommentState.PUBLISHED, HoldReason.NONE, "posted"


def post_comment(
    article: Any,
    *,
    author: Any,
    text: str,
    config: Any,
    parent: Any = None,
    client_ip: str = "",
) -> Comment:
    """Add ``author``'s comment (or reply to ``parent``); some wait for review.

    Refused (``CommentRefused``) for a banned member, closed comments, a
    paid-only site and a parent that cannot be replied to. Staff comments are
    published; otherwise the spam check, the word filter, a shadow-hold and
    pre-moderation (all, or first comments) may keep it from readers.
    """
    _may_comment(article, author=author, config=config)
    if parent is not None:
        if parent.article_id != article.pk or parent.state != CommentState.PUBLISHED:
            raise CommentRefused("no_parent", "That comment cannot be replied to.")
        parent = parent.parent or parent  # one level of replies
    candidate = providers.Candidate(
        text=text,
        author=author,
        article_id=article.pk,
        client_ip=client_ip,
        parent_id=parent.pk if parent is not None else None,
    )
    state, held, reason = _hold_reason(
        author=author, text=text, config=config, candidate=candidate
    )
    with transaction.atomic():
        comment = Comment.objects.create(
            article=article,
            author=author,
            parent=parent,
            text=text,
            html=render_comment(text),
            state=state,
            held_because=held,
        )
        CommentEvent.objects.create(
            comment=comment,
            actor=author,
            action=EventAction.POST,
            to_state=state,
            reason=reason[:500],
        )
        _notify_if_reply(comment)
    return comment


def reply_as_publication(comment: Any, *, actor: Any, text: str) -> Comment:
    """A moderator's reply signed with the publication's name, published at once."""
    if comment.state != CommentState.PUBLISHED:
        raise CommentRefused("no_parent", "Approve the comment before replying.")
    parent = comment.parent or comment
    with transaction.atomic():
        reply = Comment.objects.create(
            article_id=comment.article_id,
            author=actor,
            parent=parent,
            text=text,
            html=render_comment(text),
            state=CommentState.PUBLISHED,
            as_publication=True,
        )
        CommentEvent.objects.create(
            comment=reply,
            actor=actor,
            action=EventAction.POST,
            to_state=CommentState.PUBLISHED,
            reason="reply as the publication",
        )
        _notify_if_reply(reply)
    return reply


def _notify_if_reply(comment: Comment) -> None:
    """Tell the parent's author about a published reply, once, after commit.

    ``notified_at`` is set in the same transaction, so a reply approved,
    rejected and approved again is announced only the first time.
    """
    if (
        comment.state != CommentState.PUBLISHED
        or comment.parent_id is None
        or comment.notified_at is not None
    ):
        return
    parent = Comment.objects.select_related("author", "article").get(
        pk=comment.parent_id
    )
    recipient = parent.author
    if (
        recipient is None
        or not recipient.is_active
        or recipient.pk == comment.author_id
        or parent.state != CommentState.PUBLISHED
    ):
        return
    standing = standing_of(recipient)
    if standing is not None and not standing.reply_emails:
        return
    now = timezone.now()
    Comment.objects.filter(pk=comment.pk).update(notified_at=now)
    comment.notified_at = now
    reply_id = comment.pk
    transaction.on_commit(lambda: emails.send_reply_notice(reply_id))


def moderate_comment(
    comment: Any, *, actor: Any, to_state: str, reason: str = ""
) -> Comment:
    """Move ``comment`` to ``to_state`` and record who did it and why."""
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        if to_state not in COMMENT_TRANSITIONS[comment.state]:
            raise CommentRefused(
                "transition", f"A {comment.state} comment cannot become {to_state}."
            )
        CommentEvent.objects.create(
            comment=comment,
            actor=actor,
            action=EventAction.MODERATE,
            from_state=comment.state,
            to_state=to_state,
            reason=reason[:500],
        )
        comment.state = to_state
        comment.open_reports = 0
        comment.save(update_fields=["state", "open_reports", "updated_at"])
        _notify_if_reply(comment)
    return comment


def moderate_comments(
    comment_ids: Iterable[int], *, actor: Any, to_state: str, reason: str = ""
) -> tuple[int, int]:
    """Bulk decision: move every comment that may go to ``to_state``.

    Returns (moved, skipped). One ``UPDATE`` for the lot, so the article's
    kept thread is dropped here (no model signal fires for an update).
    """
    ids = sorted({int(i) for i in comment_ids})
    with transaction.atomic():
        rows = list(
            Comment.objects.select_for_update()
            .filter(pk__in=ids)
            .only("pk", "state", "article_id", "parent_id", "notified_at", "author")
        )
        movable = [c for c in rows if to_state in COMMENT_TRANSITIONS[c.state]]
        if movable:
            CommentEvent.objects.bulk_create(
                CommentEvent(
                    comment=c,
                    actor=actor,
                    action=EventAction.MODERATE,
                    from_state=c.state,
                    to_state=to_state,
                    reason=reason[:500],
                )
                for c in movable
            )
            Comment.objects.filter(pk__in=[c.pk for c in movable]).update(
                state=to_state, open_reports=0, updated_at=timezone.now()
            )
            drop_kept_threads(c.article_id for c in movable)
            for c in movable:
                c.state = to_state
                _notify_if_reply(c)
    return len(movable), len(ids) - len(movable)


def edit_comment(
    comment: Any,
    *,
    editor: Any,
    text: str,
    config: Any,
    reason: str = "",
    now: datetime | None = None,
) -> Comment:
    """Change a comment's text: its author within ten minutes, or a moderator.

    An author's edit that brings in a filtered word sends a published comment
    back to the queue.
    """
    now = now or timezone.now()
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        moderating = editor.pk != comment.author_id
        if moderating and not editor.has_perm("reactions.moderate_comments"):
            raise CommentRefused("not_yours", "You can only edit your own comments.")
        if comment.state not in (CommentState.PENDING, CommentState.PUBLISHED):
            raise CommentRefused("gone", "This comment can no longer be edited.")
        if not moderating and now - comment.created_at > EDIT_WINDOW:
            raise CommentRefused(
                "too_late", "Comments can be edited for ten minutes after posting."
            )
        from_state = comment.state
        word = None if moderating else filters.matched_word(text, config.word_filter)
        if word and comment.state == CommentState.PUBLISHED:
            comment.state = CommentState.PENDING
            comment.held_because = HoldReason.EDITED
        comment.text = text
        comment.html = render_comment(text)
        comment.edited_at = now
        comment.save(
            update_fields=[
                "text",
                "html",
                "state",
                "held_because",
                "edited_at",
                "updated_at",
            ]
        )
        note = reason or ("edited by a moderator" if moderating else "edited")
        if word:
            note += f"; word filter: “{word}”"
        CommentEvent.objects.create(
            comment=comment,
            actor=editor,
            action=EventAction.EDIT,
            from_state=from_state,
            to_state=comment.state,
            reason=note[:500],
        )
    return comment


def delete_own_comment(comment: Any, *, author: Any) -> Comment:
    """The author takes their comment down (its replies go from view with it)."""
    if comment.author_id is None or comment.author_id != author.pk:
        raise CommentRefused("not_yours", "You can only delete your own comments.")
    return moderate_comment(
        comment, actor=author, to_state=CommentState.DELETED, reason="by its author"
    )


def report_comment(comment: Any, *, reporter: Any, reason: str = "") -> bool:
    """A reader reports a published comment; True when this report is new."""
    if comment.state != CommentState.PUBLISHED:
        raise CommentRefused("gone", "That comment is no longer shown.")
    if comment.author_id == reporter.pk:
        raise CommentRefused("own", "You cannot report your own comment.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                CommentReport.objects.create(
                    comment=comment, reporter=reporter, reason=reason[:500]
                )
        except IntegrityError:  # already reported by this reader
            return False
        # The text shown does not change: nothing kept needs dropping.
        Comment.objects.filter(pk=comment.pk).update(open_reports=F("open_reports") + 1)
        CommentEvent.objects.create(
            comment=comment,
            actor=reporter,
            action=EventAction.REPORT,
            from_state=comment.state,
            to_state=comment.state,
            reason=reason[:500],
        )
    return True


def set_reply_emails(member: Any, *, wanted: bool) -> None:
    """Turn the member's reply notifications on or off."""
    CommenterStanding.objects.update_or_create(
        user=member, defaults={"reply_emails": wanted}
    )


def ban_member(member: Any, *, actor: Any, until: datetime, reason: str) -> None:
    """Refuse ``member``'s comments until ``until``, with the reason they are shown."""
    with transaction.atomic():
        CommenterStanding.objects.update_or_create(
            user=member, defaults={"banned_until": until, "ban_reason": reason[:500]}
        )
        CommenterEvent.objects.create(
            user=member,
            actor=actor,
            action=CommenterAction.BAN,
            until=until,
            reason=reason[:500],
        )


def lift_ban(member: Any, *, actor: Any, reason: str = "") -> None:
    with transaction.atomic():
        CommenterStanding.objects.update_or_create(
            user=member, defaults={"banned_until": None, "ban_reason": ""}
        )
        CommenterEvent.objects.create(
            user=member, actor=actor, action=CommenterAction.UNBAN, reason=reason[:500]
        )


def hold_member(member: Any, *, actor: Any, held: bool, reason: str = "") -> None:
    """Shadow-hold: the member's new comments wait for review, unannounced."""
    with transaction.atomic():
        CommenterStanding.objects.update_or_create(user=member, defaults={"held": held})
        CommenterEvent.objects.create(
            user=member,
            actor=actor,
            action=CommenterAction.HOLD if held else CommenterAction.RELEASE,
            reason=reason[:500],
        )


def forget_member_comments(member: Any, *, mode: str) -> int:
    """Before an account is deleted: remove or anonymise its comments.

    ``remove`` empties their text and marks them deleted; ``anonymise`` keeps
    them (the deletion then detaches the author: "Former member"). Either way
    the articles' kept threads are dropped, since the author's name goes.
    Returns how many comments the member had.
    """
    mine = Comment.objects.filter(author=member)
    article_ids = set(mine.values_list("article_id", flat=True))
    count = 0
    if mode == DeletedMemberComments.REMOVE:
        rows = list(mine.exclude(state=CommentState.DELETED).values_list("pk", "state"))
        CommentEvent.objects.bulk_create(
            CommentEvent(
                comment_id=pk,
                actor=None,
                action=EventAction.MODERATE,
                from_state=state,
                to_state=CommentState.DELETED,
                reason="the member deleted their account",
            )
            for pk, state in rows
        )
        count = mine.update(
            state=CommentState.DELETED, text="", html="", updated_at=timezone.now()
        )
    else:
        count = mine.count()
    drop_kept_threads(article_ids)
    return count
