"""Public reaction: reader reactions on articles and their per-site set."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from herald.core.models import TimeStampedModel

DEFAULT_REACTIONS = "\n".join(
    [
        "like 👍 Like",
        "insightful 💡 Insightful",
        "surprised 😮 Surprised",
        "sad 😢 Sad",
    ]
)


@dataclass(frozen=True)
class ReactionKind:
    slug: str
    emoji: str
    label: str


def parse_kinds(text: str) -> list[ReactionKind]:
    """Read ``slug emoji label`` lines; malformed or repeated lines are skipped."""
    kinds: list[ReactionKind] = []
    seen: set[str] = set()
    for line in (text or "").splitlines():
        parts = line.split(None, 2)
        if len(parts) != 3:
            continue
        slug, emoji, label = parts
        slug = slug.lower()[:32]
        if not slug.replace("-", "").replace("_", "").isalnum() or slug in seen:
            continue
        seen.add(slug)
        kinds.append(ReactionKind(slug=slug, emoji=emoji[:8], label=label[:40]))
    return kinds[:8]


class CommentMode(models.TextChoices):
    MEMBERS = "members", _("All members")
    PAID = "paid", _("Paid members only")
    CLOSED = "closed", _("Closed")


class CommentState(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    PUBLISHED = "published", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SPAM = "spam", _("Spam")
    DELETED = "deleted", _("Deleted by its author")


COMMENT_TRANSITIONS: dict[str, set[str]] = {
    CommentState.PENDING: {
        CommentState.PUBLISHED,
        CommentState.REJECTED,
        CommentState.SPAM,
        CommentState.DELETED,
    },
    CommentState.PUBLISHED: {
        CommentState.REJECTED,
        CommentState.SPAM,
        CommentState.DELETED,
    },
    CommentState.REJECTED: {CommentState.PUBLISHED},
    CommentState.SPAM: {CommentState.PUBLISHED},
    CommentState.DELETED: set(),
}


class HoldReason(models.TextChoices):
    """Why a comment is not published (or was flagged) when it was posted."""

    NONE = "", _("Not held")
    FIRST = "first", _("First comment")
    ALL = "all", _("Every comment is reviewed")
    WORD = "word", _("Word filter")
    SPAM = "spam", _("Spam check")
    MEMBER = "member", _("Member on hold")
    EDITED = "edited", _("Edited to include a filtered word")


class EventAction(models.TextChoices):
    POST = "post", _("Posted")
    MODERATE = "moderate", _("Moderated")
    EDIT = "edit", _("Edited")
    REPORT = "report", _("Reported")


class DeletedMemberComments(models.TextChoices):
    ANONYMISE = "anonymise", _("Keep them, shown as “Former member”")
    REMOVE = "remove", _("Remove them")


@register_setting(icon="comment")
class ReactionSettings(BaseSiteSetting):
    """Which reactions readers may leave on this site's articles."""

    reactions_enabled = models.BooleanField(_("reactions enabled"), default=True)
    reactions = models.TextField(
        _("reactions"),
        default=DEFAULT_REACTIONS,
        help_text=_(
            "One per line: a short name, an emoji, a label (e.g. “like 👍 Like”). "
            "At most eight."
        ),
    )

    comments = models.CharField(
        _("who may comment"),
        max_length=8,
        choices=CommentMode.choices,
        default=CommentMode.MEMBERS,
    )
    comments_close_after_days = models.PositiveIntegerField(
        _("close comments after (days)"),
        default=14,
        help_text=_("0 keeps comments open."),
    )
    premoderate_first_comment = models.BooleanField(
        _("hold a member's first comment for review"), default=True
    )
    premoderate_all = models.BooleanField(
        _("hold every comment for review"),
        default=False,
        help_text=_("Staff comments and replies as the publication never wait."),
    )
    word_filter = models.TextField(
        _("word filter"),
        blank=True,
        help_text=_(
            "One word or phrase per line. A comment containing one waits for a "
            "moderator (case and accents ignored, whole words only)."
        ),
    )
    deleted_member_comments = models.CharField(
        _("when a member deletes their account"),
        max_length=12,
        choices=DeletedMemberComments.choices,
        default=DeletedMemberComments.ANONYMISE,
    )

    class Meta:
        verbose_name = _("public reaction settings")

    def kinds(self) -> list[ReactionKind]:
        return parse_kinds(self.reactions)


class Reaction(TimeStampedModel):
    """One reader's reaction to one article (changeable; one per reader)."""

    article = models.ForeignKey(
        "newsroom.ArticlePage", on_delete=models.CASCADE, related_name="reactions"
    )
    # "m:<user id>" for members, "a:<uuid>" from the signed reader cookie.
    reader = models.CharField(max_length=64)
    kind = models.SlugField(max_length=32)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "reader"], name="reactions_one_per_reader"
            )
        ]
        indexes = [models.Index(fields=["article", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} on {self.article_id}"


class Comment(TimeStampedModel):
    """A member's comment on an article, or a reply to one (one level)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    article = models.ForeignKey(
        "newsroom.ArticlePage", on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    text = models.TextField()
    html = models.TextField()
    state = models.CharField(
        max_length=12, choices=CommentState.choices, default=CommentState.PENDING
    )
    held_because = models.CharField(
        max_length=8, choices=HoldReason.choices, blank=True, default=""
    )
    # Reports since the last moderation decision (the "reported" queue).
    open_reports = models.PositiveIntegerField(default=0)
    # A reply posted from the moderation desk, signed with the publication's name.
    as_publication = models.BooleanField(default=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    # When the parent's author was told about this reply (sent at most once).
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["article", "state", "parent", "created_at"]),
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["author", "created_at"]),
        ]
        permissions = [("moderate_comments", "Can moderate comments")]

    def __str__(self) -> str:
        return f"Comment {self.uuid} on {self.article_id}"


class CommentEvent(TimeStampedModel):
    """Append-only history of a comment: who did what, when, why."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(
        max_length=8, choices=EventAction.choices, default=EventAction.MODERATE
    )
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state}->{self.to_state}"


class CommentReport(TimeStampedModel):
    """A reader's report of a published comment (one per reader and comment)."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], name="reactions_one_report_per_reader"
            )
        ]

    def __str__(self) -> str:
        return f"Report on {self.comment_id}"


class CommenterStanding(TimeStampedModel):
    """A member as a commenter: bans, shadow-hold, reply emails."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="commenter_standing",
    )
    banned_until = models.DateTimeField(null=True, blank=True)
    ban_reason = models.CharField(max_length=500, blank=True)
    # Shadow-hold: every new comment waits for a moderator; the member is not told.
    held = models.BooleanField(default=False)
    reply_emails = models.BooleanField(default=True)

    class Meta:
        ordering = ["user_id"]

    def __str__(self) -> str:
        return f"Standing of {self.user_id}"

    def is_banned(self, now: Any) -> bool:
        return self.banned_until is not None and self.banned_until > now


class CommenterAction(models.TextChoices):
    BAN = "ban", _("Banned from commenting")
    UNBAN = "unban", _("Ban lifted")
    HOLD = "hold", _("Comments held for review")
    RELEASE = "release", _("Hold lifted")


class CommenterEvent(TimeStampedModel):
    """Append-only history of moderation decisions about a member."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="commenter_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(max_length=8, choices=CommenterAction.choices)
    until = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.user_id}"
