"""Public reaction: reader reactions on articles and their per-site set."""

from __future__ import annotations

from dataclasses import dataclass

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
