"""The desk's reads: what the newsroom dashboard and the story list show.

Each function is one query (or two, said where), so the dashboard's cost does
not grow with the number of stories. Times are compared in the active time
zone, which in the admin is the account's (by default the publication's, see
``middleware.NewsroomTimeZoneMiddleware``).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from wagtail.models import Page, Revision
from wagtail.permission_policies.pages import PagePermissionPolicy

from .models import ArticlePage, Author, Correction, SectionPage

PANEL_LIMIT = 10
CORRECTED_DAYS = 14


def author_profile_of(user: Any) -> Author | None:
    """The author profile linked to a newsroom account, if any."""
    if user is None or not getattr(user, "pk", None):
        return None
    return Author.objects.filter(user_id=user.pk).first()


def sections_for_new_story(user: Any) -> list[SectionPage]:
    """Sections the account may add a story to, in tree order (one or two queries)."""
    allowed = PagePermissionPolicy().instances_user_has_permission_for(user, "add")
    return list(
        SectionPage.objects.filter(pk__in=allowed.values("pk"))
        .only("id", "title", "depth", "path")
        .order_by("path")
    )


def my_drafts(user: Any, *, limit: int = PANEL_LIMIT) -> list[ArticlePage]:
    """Stories this account owns or edited last, with changes not yet live."""
    return list(
        ArticlePage.objects.filter(has_unpublished_changes=True)
        .filter(Q(owner_id=user.pk) | Q(latest_revision__user_id=user.pk))
        .exclude(latest_revision__approved_go_live_at__isnull=False)
        .select_related("latest_revision")
        .only("id", "title", "live", "latest_revision_created_at", "latest_revision")
        .order_by("-latest_revision_created_at", "-pk")[:limit]
    )


def scheduled_revisions(*, limit: int = PANEL_LIMIT) -> QuerySet[Revision]:
    """Page revisions approved to go live later, soonest first, with who scheduled."""
    return (
        Revision.page_revisions.filter(approved_go_live_at__isnull=False)
        .select_related("user")
        .order_by("approved_go_live_at", "pk")[:limit]
    )


def start_of_today(now: datetime | None = None) -> datetime:
    """Midnight today in the active time zone (the desk's day)."""
    local = timezone.localtime(now)
    return datetime.combine(local.date(), time.min, tzinfo=local.tzinfo)


def published_today(
    *, now: datetime | None = None, limit: int = PANEL_LIMIT * 3
) -> list[ArticlePage]:
    """Stories first published since midnight (the desk's zone), newest first."""
    return list(
        ArticlePage.objects.live()
        .filter(first_published_at__gte=start_of_today(now))
        .only("id", "title", "first_published_at", "path", "depth")
        .order_by("-first_published_at", "-pk")[:limit]
    )


def recently_corrected(
    *, now: datetime | None = None, limit: int = PANEL_LIMIT
) -> list[Correction]:
    """Corrections dated in the last two weeks, newest first, with their story."""
    since = (now or timezone.now()) - timedelta(days=CORRECTED_DAYS)
    return list(
        Correction.objects.filter(date__gte=since)
        .select_related("article")
        .only("id", "date", "text", "article__id", "article__title")
        .order_by("-date", "-pk")[:limit]
    )


def sections_to_move_to(article: ArticlePage, user: Any) -> list[SectionPage]:
    """Sections other than the story's own that the account may add stories to."""
    parent_path = article.path[: -Page.steplen]
    return [s for s in sections_for_new_story(user) if s.path != parent_path]
