"""Every non-trivial read of newsletters and subscriptions, and the signed links.

Links that leave the site carry a signature made with the site's secret, so a
subscription's token alone opens nothing and a forged link is refused:

- confirmation (double opt-in): address + nonce, timestamped, expires after
  ``HERALD_NEWSLETTERS_CONFIRM_SECONDS`` (48 hours by default), works once;
- preferences and one-click unsubscribe: the subscription's token, no expiry
  (an email from last year must still let its reader leave).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from herald.members.access import can_read, reader_for

from .models import Newsletter, Subscription, SubscriptionState, Visibility

if TYPE_CHECKING:
    from herald.members.models import User

CONFIRM_SALT = "herald.newsletters.confirm"
PREFERENCES_SALT = "herald.newsletters.preferences"
UNSUBSCRIBE_SALT = "herald.newsletters.unsubscribe"


def confirm_max_age() -> int:
    return int(getattr(settings, "HERALD_NEWSLETTERS_CONFIRM_SECONDS", 48 * 3600))


def absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


# --- Links ----------------------------------------------------------------------


def confirm_url(email: str, nonce: str) -> str:
    """The absolute double opt-in link for the rows of one request."""
    value = signing.dumps({"e": email, "n": nonce}, salt=CONFIRM_SALT, compress=True)
    return absolute(reverse("newsletters:confirm", kwargs={"signed": value}))


class LinkProblem(Exception):
    """A link that is forged, expired, or names nothing that exists."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # "forged", "expired", "unknown"


def read_confirm_link(signed: str) -> tuple[str, str]:
    """(email, nonce) from a confirmation link; LinkProblem when bad or too old."""
    try:
        data = signing.loads(signed, salt=CONFIRM_SALT, max_age=confirm_max_age())
    except signing.SignatureExpired as exc:
        raise LinkProblem("expired") from exc
    except signing.BadSignature as exc:
        raise LinkProblem("forged") from exc
    if not isinstance(data, dict) or not data.get("e") or not data.get("n"):
        raise LinkProblem("forged")
    return str(data["e"]), str(data["n"])


def _signed_token(subscription: Subscription, salt: str) -> str:
    return signing.Signer(salt=salt).sign(subscription.token.hex)


def preferences_url(subscription: Subscription) -> str:
    """The absolute per-recipient preferences link (no sign-in needed)."""
    value = _signed_token(subscription, PREFERENCES_SALT)
    return absolute(reverse("newsletters:preferences", kwargs={"signed": value}))


def one_click_unsubscribe_url(subscription: Subscription) -> str:
    """The absolute RFC 8058 one-click URL for ``List-Unsubscribe``.

    A POST to it unsubscribes with no session and no CSRF token; a GET shows a
    page with a button.
    """
    value = _signed_token(subscription, UNSUBSCRIBE_SALT)
    return absolute(reverse("newsletters:unsubscribe", kwargs={"signed": value}))


def link_makers() -> tuple[Any, Any]:
    """(unsubscribe, preferences): functions of a subscription giving the same
    URLs as ``one_click_unsubscribe_url`` and ``preferences_url``, with the URL
    reversed once (for a batch of thousands of recipients)."""
    marker = "0herald0"
    unsubscribe = absolute(
        reverse("newsletters:unsubscribe", kwargs={"signed": marker})
    )
    preferences = absolute(
        reverse("newsletters:preferences", kwargs={"signed": marker})
    )
    unsubscribe_signer = signing.Signer(salt=UNSUBSCRIBE_SALT)
    preferences_signer = signing.Signer(salt=PREFERENCES_SALT)
    before_u, _m, after_u = unsubscribe.partition(marker)
    before_p, _m, after_p = preferences.partition(marker)

    def unsubscribe_url(subscription: Subscription) -> str:
        return before_u + unsubscribe_signer.sign(subscription.token.hex) + after_u

    def preferences_url(subscription: Subscription) -> str:
        return before_p + preferences_signer.sign(subscription.token.hex) + after_p

    return unsubscribe_url, preferences_url


def _subscription_from(signed: str, salt: str) -> Subscription:
    try:
        raw = signing.Signer(salt=salt).unsign(signed)
        token = uuid.UUID(hex=raw)
    except (signing.BadSignature, ValueError) as exc:
        raise LinkProblem("forged") from exc
    subscription = (
        Subscription.objects.select_related("newsletter", "member")
        .filter(token=token)
        .first()
    )
    if subscription is None:
        raise LinkProblem("unknown")
    return subscription


def subscription_from_preferences_link(signed: str) -> Subscription:
    return _subscription_from(signed, PREFERENCES_SALT)


def subscription_from_unsubscribe_link(signed: str) -> Subscription:
    return _subscription_from(signed, UNSUBSCRIBE_SALT)


# --- Newsletters ------------------------------------------------------------------


def active_newsletters() -> QuerySet[Newsletter]:
    return Newsletter.objects.filter(is_active=True)


def public_newsletters() -> QuerySet[Newsletter]:
    """Newsletters anyone may sign up for (the anonymous forms offer these)."""
    return active_newsletters().filter(visibility=Visibility.ANYONE)


def newsletters_for(user: User | None) -> QuerySet[Newsletter]:
    """Newsletters ``user`` may subscribe to: paid ones need paid access."""
    if user is not None and user.is_authenticated and user.has_paid_access():
        return active_newsletters()
    return public_newsletters()


def newsletter_by_slug(slug: str) -> Newsletter | None:
    return active_newsletters().filter(slug=slug).first()


def default_newsletters() -> QuerySet[Newsletter]:
    return public_newsletters().filter(default_for_new_members=True)


# --- Subscriptions ----------------------------------------------------------------


def subscribers(newsletter: Newsletter) -> QuerySet[Subscription]:
    """Who receives ``newsletter`` now: confirmed, not unsubscribed."""
    return Subscription.objects.filter(
        newsletter=newsletter, state=SubscriptionState.SUBSCRIBED
    )


def subscriptions_of_address(email: str) -> QuerySet[Subscription]:
    return Subscription.objects.select_related("newsletter").filter(email__iexact=email)


def subscribed_ids(email: str) -> set[int]:
    return set(
        subscriptions_of_address(email)
        .filter(state=SubscriptionState.SUBSCRIBED)
        .values_list("newsletter_id", flat=True)
    )


def member_subscribed_ids(user: User) -> set[int]:
    """Newsletters a member receives (rows linked to them or to their address)."""
    return set(
        Subscription.objects.filter(
            Q(member=user) | Q(email__iexact=user.email),
            state=SubscriptionState.SUBSCRIBED,
        ).values_list("newsletter_id", flat=True)
    )


def counts_by_state() -> list[Newsletter]:
    """Every newsletter with ``pending``/``subscribed``/``unsubscribed`` counts."""
    return list(
        Newsletter.objects.annotate(
            **{
                state.value: Count(
                    "subscriptions", filter=Q(subscriptions__state=state.value)
                )
                for state in SubscriptionState
            }
        )
    )


# --- Archive --------------------------------------------------------------------------


@dataclass
class ArchiveIssue:
    """One sent issue as the public archive lists it.

    ``gated`` is anything with ``access_level`` (and ``required_tier_ids()``
    for tier-gated ones), usually the article the issue was sent from; the
    archive asks ``members.access.can_read`` whether the reader may open it.
    ``summary`` must be text anyone may read (the article's teaser), never a
    part of gated text.
    """

    title: str
    url: str
    sent_at: datetime
    summary: str = ""
    gated: Any = None
    locked: bool = False


ArchiveSource = Callable[[Newsletter, int], list[ArchiveIssue]]
_archive_sources: list[ArchiveSource] = []


def register_archive_source(source: ArchiveSource) -> None:
    """Let the sending pipeline list sent issues: ``source(newsletter, limit)``."""
    if source not in _archive_sources:
        _archive_sources.append(source)


def unregister_archive_source(source: ArchiveSource) -> None:
    if source in _archive_sources:
        _archive_sources.remove(source)


def archive_issues(
    newsletter: Newsletter, *, reader: Any, limit: int = 50
) -> list[ArchiveIssue]:
    """Sent issues of ``newsletter``, newest first, locked where ``reader`` may not."""
    issues: list[ArchiveIssue] = []
    for source in _archive_sources:
        issues.extend(source(newsletter, limit))
    issues.sort(key=lambda issue: issue.sent_at, reverse=True)
    issues = issues[:limit]
    who = reader_for(reader)
    for issue in issues:
        issue.locked = issue.gated is not None and not can_read(who, issue.gated)
    return issues


def subscriptions_of_member(user: User) -> QuerySet[Subscription]:
    return Subscription.objects.select_related("newsletter").filter(
        Q(member=user) | Q(email__iexact=user.email)
    )


def member_newsletter_slugs(user_ids: list[int]) -> dict[int, list[str]]:
    """Each member's subscribed newsletter slugs, for the members CSV (one query)."""
    from django.contrib.auth import get_user_model

    emails = dict(
        get_user_model().objects.filter(pk__in=user_ids).values_list("email", "pk")
    )
    lowered = {email.lower(): pk for email, pk in emails.items()}
    wanted = set(user_ids)
    slugs: dict[int, list[str]] = {}
    rows = (
        Subscription.objects.filter(state=SubscriptionState.SUBSCRIBED)
        .filter(Q(member_id__in=user_ids) | Q(email__in=list(emails)))
        .values_list("member_id", "email", "newsletter__slug")
        .order_by("newsletter__sort_order", "newsletter__name")
    )
    for member_id, email, slug in rows:
        pk = member_id if member_id in wanted else lowered.get(email.lower())
        if pk is not None and slug not in slugs.setdefault(pk, []):
            slugs[pk].append(slug)
    return slugs


# --- Staff reports ----------------------------------------------------------------


@dataclass
class Week:
    start: Any  # date of the Monday
    gained: int
    lost: int

    @property
    def net(self) -> int:
        return self.gained - self.lost


def growth_by_week(
    newsletter: Newsletter, *, weeks: int = 12, tz: Any = None
) -> list[Week]:
    """Subscriptions gained and lost per week (Monday first), newest last.

    Read from the events: ``confirmed`` and ``subscribed`` gain, ``unsubscribed``
    loses. Weeks start on Monday in ``tz`` (the publication's time zone). One
    query, whatever the number of subscribers.
    """
    from datetime import timedelta

    from django.db.models.functions import TruncWeek
    from django.utils import timezone

    from .models import EventKind, SubscriptionEvent

    tz = tz or timezone.get_current_timezone()
    today = timezone.localdate(timezone=tz)
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    since = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    rows = (
        SubscriptionEvent.objects.filter(newsletter=newsletter, created_at__gte=since)
        .annotate(week=TruncWeek("created_at", tzinfo=tz))
        .values("week", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    gained: dict[Any, int] = {}
    lost: dict[Any, int] = {}
    for row in rows:
        start = row["week"].date() if hasattr(row["week"], "date") else row["week"]
        if row["kind"] in (EventKind.CONFIRMED, EventKind.SUBSCRIBED):
            gained[start] = gained.get(start, 0) + row["n"]
        elif row["kind"] == EventKind.UNSUBSCRIBED:
            lost[start] = lost.get(start, 0) + row["n"]
    return [
        Week(
            start=first + timedelta(weeks=i),
            gained=gained.get(first + timedelta(weeks=i), 0),
            lost=lost.get(first + timedelta(weeks=i), 0),
        )
        for i in range(weeks)
    ]


def state_counts(newsletter: Newsletter) -> dict[str, int]:
    """How many rows of ``newsletter`` are in each state (one query)."""
    counts = dict.fromkeys(SubscriptionState.values, 0)
    for state, n in (
        Subscription.objects.filter(newsletter=newsletter)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[state] = n
    return counts


def subscription_rows(newsletter: Newsletter) -> QuerySet[Subscription]:
    """The staff list of a newsletter's rows, newest first, members joined."""
    return (
        Subscription.objects.filter(newsletter=newsletter)
        .select_related("member")
        .order_by("-created_at", "-id")
    )


def publication_tz() -> Any:
    """The publication's time zone (digest times and weekly reports use it)."""
    import zoneinfo

    from wagtail.models import Site

    from herald.newsroom.models import PublicationSettings

    site = Site.objects.filter(is_default_site=True).first()
    name = PublicationSettings.for_site(site).time_zone if site else "UTC"
    return zoneinfo.ZoneInfo(name or "UTC")
