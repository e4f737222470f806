"""Every newsroom write about publishing: publish, schedule, take down, run the clock.

The Wagtail admin and these functions publish through the same Wagtail API
(``Revision.publish`` / ``Page.unpublish``), and Wagtail's ``page_published`` /
``page_unpublished`` signals are translated by ``signals.py`` into
``announce_publication`` / ``announce_unpublication`` below. So whichever way an
article goes live (admin button, workflow approval, schedule, code), the
extension point in ``hooks.py`` hears about it exactly once, after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import LogContext, get_active_log_context
from wagtail.models import Page, Revision

from herald.core import keep

from . import hooks
from .models import ArticlePage, Correction, HomePage, LeadClaim, SectionPage

log = logging.getLogger("herald.newsroom.actions")

ADMINISTRATORS_GROUP = "Administrators"

# Set by ``signals.remember_previous_state`` on the instance Wagtail is about to
# save as live: what the database said just before, to tell a first publication,
# a republication and an update apart.
PREVIOUS_STATE_ATTR = "_newsroom_previous_state"


@dataclass(frozen=True)
class PreviousState:
    """An article's publication state just before a publishing save."""

    live: bool
    ever_published: bool
    correction_ids: frozenset[int] = frozenset()


@dataclass
class DuePages:
    """What one run of the publishing clock did."""

    published: list[int | str] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.published or self.expired)


@contextmanager
def _acting_as(user: Any) -> Iterator[None]:
    """Attribute Wagtail's log entries and our events to ``user`` when given."""
    with LogContext(user=user) if user is not None else nullcontext():
        yield


def _check_can_publish(article: ArticlePage, user: Any) -> None:
    if user is not None and not article.permissions_for_user(user).can_publish():
        raise PermissionDenied("You do not have permission to publish this article.")


def _revision_with_go_live(
    article: ArticlePage, *, go_live_at: datetime | None, user: Any
) -> Revision:
    """Return the latest revision, saving a new one if its go-live time differs."""
    revision = article.get_latest_revision()
    draft = article.get_latest_revision_as_object()
    if revision is None or draft.go_live_at != go_live_at:
        draft.go_live_at = go_live_at
        revision = draft.save_revision(user=user, log_action=True)
    return revision


def publish_article(
    article: ArticlePage, *, user: Any = None, at: datetime | None = None
) -> Revision:
    """Publish the article's latest revision now, or schedule it when ``at`` is ahead.

    With ``user`` the publish permission is checked (``PermissionDenied``).
    """
    if at is not None and at > timezone.now():
        return schedule_article(article, go_live_at=at, user=user)
    _check_can_publish(article, user)
    with transaction.atomic(), _acting_as(user):
        draft = article.get_latest_revision_as_object()
        go_live_at = draft.go_live_at
        if go_live_at is not None and go_live_at > timezone.now():
            go_live_at = None  # "now" wins over an earlier schedule
        revision = _revision_with_go_live(article, go_live_at=go_live_at, user=user)
        revision.publish(user=user)
    article.refresh_from_db()
    return revision


def schedule_article(
    article: ArticlePage, *, go_live_at: datetime, user: Any
) -> Revision:
    """Approve the latest revision to go live at ``go_live_at``.

    A live article stays live with its current text until then. A time in the
    past publishes at once, as in the Wagtail admin.
    """
    _check_can_publish(article, user)
    with transaction.atomic(), _acting_as(user):
        revision = _revision_with_go_live(article, go_live_at=go_live_at, user=user)
        revision.publish(user=user)
    article.refresh_from_db()
    return revision


def correct_article(
    article: ArticlePage,
    *,
    text: str,
    user: Any = None,
    mark_updated: bool = True,
    at: datetime | None = None,
) -> Correction:
    """Publish a correction on a live article; move its Updated time unless told not to.

    The correction is added to the live version, so an unpublished draft does
    not go live with it; the draft (if any) gets the correction too and stays
    the latest revision. Announced as ``article_updated`` then
    ``article_corrected``. With ``user`` the publish permission is checked.
    """
    _check_can_publish(article, user)
    if not article.live or article.live_revision is None:
        raise ValueError("Only a live article can be corrected.")
    at = at or timezone.now()
    with transaction.atomic(), _acting_as(user):
        pending = (
            article.get_latest_revision_as_object()
            if article.has_unpublished_changes
            else None
        )
        live = article.live_revision.as_object()
        for version in (live, pending):
            if version is None:
                continue
            version.corrections.add(
                Correction(text=text, date=at, mark_updated=mark_updated)
            )
            if mark_updated:
                version.display_updated_at = at
        live.save_revision(user=user, log_action=True).publish(user=user)
        if pending is not None:
            pending.save_revision(user=user, log_action=True)
    article.refresh_from_db()
    return article.corrections.order_by("-pk").first()  # type: ignore[return-value]


def move_article(article: ArticlePage, *, section: SectionPage, user: Any) -> None:
    """Move a story to another section, as Wagtail's Move does (one action).

    Wagtail checks that ``user`` may move the story and add it to ``section``
    (``MovePagePermissionError``); the story's URL changes with its section.
    """
    from wagtail.actions.move_page import MovePageAction

    with transaction.atomic(), _acting_as(user):
        MovePageAction(article, section, pos="last-child", user=user).execute()
    article.refresh_from_db()


def unpublish_article(article: ArticlePage, *, user: Any = None) -> bool:
    """Take a live article down and drop any pending schedule; False if not live.

    With ``user`` Wagtail's unpublish permission is checked (``PermissionDenied``).
    """
    with transaction.atomic(), _acting_as(user):
        page = ArticlePage.objects.select_for_update().get(pk=article.pk)
        _check_can_publish(page, user)
        # A scheduled revision locks the page in Wagtail; the takedown wins, so
        # the schedule goes first (and comes back if the check below refuses).
        Revision.page_revisions.filter(object_id=str(page.pk)).update(
            approved_go_live_at=None
        )
        was_live = page.live
        if (
            user is not None
            and was_live
            and not page.permissions_for_user(user).can_unpublish()
        ):
            raise PermissionDenied(
                "You do not have permission to unpublish this article."
            )
        page.unpublish(user=user)
    article.refresh_from_db()
    return was_live


def publish_due_pages(*, now: datetime | None = None) -> DuePages:
    """Publish revisions whose approved go-live time has passed; expire overdue pages.

    Wagtail's ``publish_scheduled`` command, made safe to run concurrently and
    repeatedly: each item is re-read under a row lock in its own transaction and
    skipped if another run already handled it. Publishing clears
    ``approved_go_live_at``, so a second run finds nothing. Wagtail compares
    go-live times with the real clock; ``now`` only narrows what is picked.
    """
    now = now or timezone.now()
    result = DuePages()

    expired_ids = list(
        Page.objects.filter(live=True, expire_at__lt=now)
        .order_by("expire_at")
        .values_list("pk", flat=True)
    )
    for page_id in expired_ids:
        with transaction.atomic():
            page = (
                Page.objects.select_for_update()
                .filter(pk=page_id, live=True, expire_at__lt=now)
                .first()
            )
            if page is None:
                continue
            page.specific.unpublish(
                set_expired=True, log_action="wagtail.unpublish.scheduled"
            )
            result.expired.append(page_id)

    due_ids = list(
        Revision.objects.filter(approved_go_live_at__lt=now)
        .order_by("approved_go_live_at", "pk")
        .values_list("pk", flat=True)
    )
    for revision_id in due_ids:
        with transaction.atomic():
            revision = (
                Revision.objects.select_for_update()
                .filter(pk=revision_id, approved_go_live_at__lt=now)
                .first()
            )
            if revision is None:
                continue
            revision.publish(log_action="wagtail.publish.scheduled")
            # Pages have integer ids; a draftable snippet may not.
            object_id = revision.object_id
            result.published.append(
                int(object_id) if object_id.isdigit() else object_id
            )

    if result:
        log.info(
            "publishing clock: published %s, expired %s",
            result.published,
            result.expired,
        )
    return result


# --- Translating Wagtail's publishing into Herald's extension point -----------


def _event_user_id() -> int | None:
    user = get_active_log_context().user
    if user is not None and getattr(user, "pk", None) is not None:
        return int(user.pk)
    return None


def announce_publication(page: Page, *, revision: Revision | None = None) -> None:
    """Queue what follows a page going live: chrome refresh and, for articles, events.

    Called for every ``page_published`` signal. Wagtail also sends it when a
    not-yet-live page is merely scheduled; nothing is public then, so nothing
    is announced.
    """
    if not page.live:
        return
    keep.bump()
    record_lead_claims(page)
    if not isinstance(page, ArticlePage):
        return
    previous = getattr(page, PREVIOUS_STATE_ATTR, None)
    was_live = previous.live if previous else False
    ever_published = previous.ever_published if previous else False
    hooks.emit(
        hooks.PublishEvent(
            name="article_updated" if was_live else "article_published",
            article_id=page.pk,
            first_publication=not ever_published,
            user_id=_event_user_id(),
            at=page.last_published_at,
            extra={"revision_id": revision.pk if revision else None},
        )
    )
    if was_live and previous is not None:
        _announce_new_corrections(page, previous)


def _announce_new_corrections(page: ArticlePage, previous: PreviousState) -> None:
    """Emit ``article_corrected`` when the publication added a correction."""
    new_ids = sorted(
        c.pk for c in page.corrections.all() if c.pk not in previous.correction_ids
    )
    if not new_ids:
        return
    hooks.emit(
        hooks.PublishEvent(
            name="article_corrected",
            article_id=page.pk,
            first_publication=False,
            user_id=_event_user_id(),
            at=page.last_published_at,
            extra={
                "correction_ids": new_ids,
                "updated_at": page.display_updated_at,
            },
        )
    )


def announce_unpublication(page: Page) -> None:
    """Queue what follows a live page being taken down (``page_unpublished``)."""
    keep.bump()
    record_lead_claims(page)
    if not isinstance(page, ArticlePage):
        return
    hooks.emit(
        hooks.PublishEvent(
            name="article_unpublished",
            article_id=page.pk,
            first_publication=False,
            user_id=_event_user_id(),
            at=timezone.now(),
            extra={"expired": bool(page.expired)},
        )
    )


def record_lead_claims(page: Page, *, at: datetime | None = None) -> None:
    """Bring the front page's lead claims in line with ``page`` as now published.

    A live article flagged breaking holds a *breaking* claim from the first
    publication that flagged it; unflagging or taking it down drops the claim.
    The live home page's lead story holds the one *pinned* claim, from the
    publication that pinned it (republishing the home page with the same lead
    keeps the old time). Idempotent: it reads the page's state, not a change.
    """
    at = at or timezone.now()
    if isinstance(page, ArticlePage):
        claims = LeadClaim.objects.filter(article=page, kind=LeadClaim.Kind.BREAKING)
        if page.live and page.is_breaking:
            if not claims.exists():
                LeadClaim.objects.get_or_create(
                    article=page, kind=LeadClaim.Kind.BREAKING, defaults={"since": at}
                )
        else:
            claims.delete()
    elif isinstance(page, HomePage):
        pinned = LeadClaim.objects.filter(kind=LeadClaim.Kind.PINNED)
        lead_id = page.lead_article_id if page.live else None
        pinned.exclude(article_id=lead_id).delete()
        if lead_id is not None and not pinned.filter(article_id=lead_id).exists():
            LeadClaim.objects.get_or_create(
                article_id=lead_id, kind=LeadClaim.Kind.PINNED, defaults={"since": at}
            )


def read_previous_state(article: ArticlePage) -> PreviousState | None:
    """Return the stored publication state of ``article`` (None if not saved yet)."""
    row = (
        ArticlePage.objects.filter(pk=article.pk)
        .values("live", "live_revision_id", "first_published_at")
        .first()
    )
    if row is None:
        return None
    live = bool(row["live"] and row["live_revision_id"])
    return PreviousState(
        # A page created with live=True but never published through a revision
        # (Wagtail's default) is not "live" in the newsroom's sense.
        live=live,
        ever_published=row["first_published_at"] is not None,
        # Only a live story can be corrected in the newsroom's sense.
        correction_ids=frozenset(
            Correction.objects.filter(article_id=article.pk).values_list(
                "pk", flat=True
            )
        )
        if live
        else frozenset(),
    )


# --- Roles --------------------------------------------------------------------


def grant_all_permissions_to_administrators() -> int:
    """Give the Administrators group every model permission; return how many added.

    Run after each ``migrate`` so permissions of apps added later are included.
    """
    group = Group.objects.filter(name=ADMINISTRATORS_GROUP).first()
    if group is None:
        return 0
    missing = list(Permission.objects.exclude(group=group))
    if missing:
        group.permissions.add(*missing)
    return len(missing)


# Up to this many gated stories, a new preview length is applied to the search
# index in the request that saved it (a few seconds at most); above it, a worker
# does it, and gated text stays findable until the worker has run.
INLINE_REINDEX_LIMIT = 1000


def _gated_articles(site_id: int) -> Any:
    from wagtail.models import Site

    from herald.members.models import AccessLevel

    site = Site.objects.filter(pk=site_id).select_related("root_page").first()
    if site is None:
        return ArticlePage.objects.none()
    return (
        ArticlePage.objects.live()
        .descendant_of(site.root_page, inclusive=True)
        .exclude(access_level=AccessLevel.PUBLIC)
    )


def reindex_gated_articles(site_id: int) -> int:
    """Index the public text of a site's live gated stories again; return how many.

    Their indexed text is the preview, whose length is a publication setting:
    after it changes, entries written under the old length would keep gated
    paragraphs searchable (or leave preview ones unfindable).
    """
    from wagtail.search import index

    count = 0
    for article in _gated_articles(site_id).iterator(chunk_size=200):
        index.insert_or_update_object(article)
        count += 1
    return count


def reindex_gated_articles_soon(site_id: int) -> None:
    """Reindex a site's gated stories now when they are few, else on a worker."""
    from .tasks import reindex_gated_articles as reindex_task

    if _gated_articles(site_id).count() <= INLINE_REINDEX_LIMIT:
        reindex_gated_articles(site_id)
    else:
        reindex_task.delay(site_id)


# --- Renderings made ahead of the first reader ----------------------------------

# Above this many pages, a drop is left to be rendered again by readers' views:
# a change that every page shows (a site setting) must not queue the archive.
RENDER_AHEAD_LIMIT = 500


def render_articles(page_ids: list[int], *, base_url: str | None = None) -> int:
    """Make the kept renderings of these live articles before a reader asks.

    Each article is requested as an anonymous reader through the application
    itself (no network), so what is kept is exactly what the first reader's
    view would have kept (``core.keep`` decides). Returns how many answered 200.
    """
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import RequestFactory
    from wagtail.models import Site

    base = urlsplit(base_url or settings.BASE_URL)
    factory = RequestFactory()
    handler = WSGIHandler()
    rendered = 0
    default_sites = set(
        Site.objects.filter(is_default_site=True).values_list("pk", flat=True)
    )
    for article in ArticlePage.objects.live().filter(pk__in=page_ids).order_by("pk"):
        parts = article.get_url_parts()
        if parts is None:
            continue
        site_id, root_url, path = parts
        # The default site is read at the publication's address (BASE_URL, which
        # its <head> tags name); other sites at their own.
        address = base if site_id in default_sites else urlsplit(root_url or "")
        request = factory.get(
            path, HTTP_HOST=address.netloc, secure=address.scheme == "https"
        )
        response = handler.get_response(request)
        rendered += response.status_code == 200
    return rendered


def render_articles_soon(page_ids: set[int] | None) -> None:
    """Queue ``render_articles`` for pages whose kept renderings were dropped.

    Not when tasks run in-process (the demo, the tests): a reader's next view
    renders them then, and an editor's request is not made to wait.
    """
    from django.conf import settings

    if page_ids is None or not page_ids or settings.CELERY_TASK_ALWAYS_EAGER:
        return
    ids = sorted(
        ArticlePage.objects.live().filter(pk__in=page_ids).values_list("pk", flat=True)
    )[:RENDER_AHEAD_LIMIT]
    if ids:
        from .tasks import render_articles as render_task

        render_task.delay(ids)
