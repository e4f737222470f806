"""Automatic digests: daily or weekly, at a time in the publication's time zone.

Each beat tick asks, for every automatic newsletter, when its latest due
moment was: today's or the last weekday's ``digest_time`` in the
publication's time zone, never a future one, and none more than ``CATCH_UP``
late. A digest for that moment is created and started once: its
``digest_key`` (cadence + local due moment) is unique per newsletter, so two
ticks, two beats or a tick after a restart cannot make a second one. The
stories are those published since the previous digest (or one period back for
the first): the editors' picks first (the home page's lead story, then
breaking stories), then the newest. Nothing new: no digest.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from . import actions
from .models import Send, SendKind, SendState

log = logging.getLogger("herald.newsletters.sending")

MAX_STORIES = 20
# A digest whose moment passed longer ago than this (the beat was down) is
# skipped, not sent late; the next one covers its stories.
CATCH_UP = timedelta(hours=6)


def _publication_tz() -> Any:
    from . import rendering

    return rendering._publication().tzinfo


def latest_due(newsletter: Any, *, now: datetime) -> datetime | None:
    """The newsletter's latest digest moment at or before ``now`` (aware, local)."""
    cadence = newsletter.digest_cadence
    if cadence not in ("daily", "weekly"):
        return None
    tz = _publication_tz()
    local_now = now.astimezone(tz)
    day: date = local_now.date()
    for _ in range(8):
        due = datetime.combine(day, newsletter.digest_time, tzinfo=tz)
        right_day = cadence == "daily" or day.weekday() == newsletter.digest_weekday
        if right_day and due <= local_now:
            return due if due >= local_now - CATCH_UP else None
        day -= timedelta(days=1)
    return None


def stories_for(newsletter: Any, *, since: datetime, until: datetime) -> list[int]:
    """Ids of the stories of one digest: editors' picks first, then newest."""
    from herald.newsroom.models import HomePage
    from herald.newsroom.queries import live_articles

    fresh = list(
        live_articles()
        .filter(first_published_at__gt=since, first_published_at__lte=until)
        .values_list("pk", "is_breaking")[: MAX_STORIES * 2]
    )
    if not fresh:
        return []
    picks: list[int] = []
    lead = HomePage.objects.live().values_list("lead_article_id", flat=True).first()
    ids = [pk for pk, _ in fresh]
    if lead in ids:
        picks.append(lead)
    picks += [pk for pk, breaking in fresh if breaking and pk not in picks]
    rest = [pk for pk in ids if pk not in picks]
    return (picks + rest)[:MAX_STORIES]


def create_due_digests(*, now: datetime | None = None) -> list[Send]:
    """Create and start every digest that is due and has something new."""
    from herald.newsletters.models import Newsletter

    now = now or timezone.now()
    made = []
    for newsletter in Newsletter.objects.filter(
        is_active=True, digest_cadence__in=["daily", "weekly"]
    ):
        due = latest_due(newsletter, now=now)
        if due is None:
            continue
        key = f"{newsletter.digest_cadence}:{due.isoformat()}"
        if Send.objects.filter(newsletter=newsletter, digest_key=key).exists():
            continue
        previous = (
            Send.objects.filter(newsletter=newsletter, kind=SendKind.DIGEST)
            .exclude(state=SendState.CANCELLED)
            .exclude(digest_key="")
            .order_by("-created_at")
            .values_list("digest_key", flat=True)
            .first()
        )
        period = timedelta(days=1 if newsletter.digest_cadence == "daily" else 7)
        since = due - period
        if previous:
            with contextlib.suppress(ValueError):
                since = datetime.fromisoformat(previous.split(":", 1)[1])
        ids = stories_for(newsletter, since=since, until=due)
        if not ids:
            continue
        subject = f"{newsletter.name}: {date_format(due.date(), 'DATE_FORMAT')}"
        try:
            with transaction.atomic():
                send = actions.create_send(
                    newsletter,
                    subject=subject,
                    kind=SendKind.DIGEST,
                    digest_articles=ids,
                    digest_key=key,
                )
                actions.start_send(send, now=now)
        except IntegrityError:  # another tick made it a moment ago
            continue
        made.append(send)
    return made
