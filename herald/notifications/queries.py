"""Reads of the notifications app: topics, reach, a reader's subscription, reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from herald.members.models import AccessLevel
from herald.newsroom.models import (
    ArticleAuthor,
    ArticlePage,
    Author,
    HomePage,
    SectionPage,
)

from .models import (
    BREAKING,
    Delivery,
    DeliveryState,
    Notification,
    PushSubscription,
    SubscriptionState,
)

COOKIE = "herald_push"
COOKIE_SALT = "herald.notifications.subscription"
COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookies at 400 days


@dataclass(frozen=True)
class Topic:
    key: str
    label: str


def section_topic(section_id: int) -> str:
    return f"section-{section_id}"


def author_topic(author_id: int) -> str:
    return f"author-{author_id}"


def author_label(name: str) -> str:
    return _("Stories by %(name)s") % {"name": name}


def bylined_authors() -> list[Author]:
    """Authors with a byline on a live story, by name (each one is a topic)."""
    return list(
        Author.objects.filter(
            id__in=ArticleAuthor.objects.filter(article__live=True).values("author_id")
        )
        .order_by("name")
        .only("id", "name")
    )


def top_level_sections() -> list[SectionPage]:
    home = HomePage.objects.live().first()
    if home is None:
        return []
    return list(
        SectionPage.objects.live()
        .filter(path__startswith=home.path, depth=home.depth + 1)
        .order_by("path")
        .only("id", "title", "path", "depth")
    )


def available_topics() -> list[Topic]:
    """Breaking news, each top-level section in navigation order, then each
    author with a byline on a live story, by name."""
    topics = [Topic(BREAKING, _("Breaking news"))]
    topics += [Topic(section_topic(s.pk), s.title) for s in top_level_sections()]
    topics += [
        Topic(author_topic(a.pk), author_label(a.name)) for a in bylined_authors()
    ]
    return topics


def topic_keys() -> set[str]:
    return {topic.key for topic in available_topics()}


def topic_label(key: str) -> str:
    return next((t.label for t in available_topics() if t.key == key), key)


def article_section(article: ArticlePage) -> SectionPage | None:
    """The top-level section an article sits in (its topic)."""
    home = HomePage.objects.live().first()
    if home is None:
        return None
    return (
        SectionPage.objects.filter(
            depth=home.depth + 1, path=article.path[: (home.depth + 1) * 4]
        )
        .only("id", "title")
        .first()
    )


def topics_for_article(article: ArticlePage) -> list[Topic]:
    """The topics an article may be pushed to: breaking if flagged, its
    section, and each of its authors."""
    topics = []
    if article.is_breaking:
        topics.append(Topic(BREAKING, _("Breaking news")))
    section = article_section(article)
    if section is not None:
        topics.append(Topic(section_topic(section.pk), section.title))
    bylines = ArticleAuthor.objects.filter(article=article).select_related("author")
    for byline in bylines.order_by("sort_order"):
        topics.append(
            Topic(author_topic(byline.author_id), author_label(byline.author.name))
        )
    return topics


def subscribers(topic: str) -> QuerySet[PushSubscription]:
    """Active subscriptions that receive ``topic``."""
    return PushSubscription.objects.filter(
        state=SubscriptionState.ACTIVE, topics__topic=topic
    )


def reach(topic: str) -> int:
    """How many subscriptions a push to ``topic`` would target now."""
    return subscribers(topic).count()


def sign_subscription_id(subscription_id: Any) -> str:
    return signing.dumps(str(subscription_id), salt=COOKIE_SALT)


def unsign_subscription_id(value: str) -> str | None:
    try:
        return str(signing.loads(value, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE))
    except (signing.BadSignature, ValueError, TypeError):
        return None


def subscription_by_token(token: str) -> PushSubscription | None:
    subscription_id = unsign_subscription_id(token or "")
    if subscription_id is None:
        return None
    try:
        return (
            PushSubscription.objects.filter(
                pk=subscription_id, state=SubscriptionState.ACTIVE
            )
            .prefetch_related("topics")
            .first()
        )
    except ValueError:  # not a UUID
        return None


def subscription_for_request(request: Any) -> PushSubscription | None:
    """This browser's subscription: from its signed cookie, else the member's latest."""
    found = subscription_by_token(request.COOKIES.get(COOKIE, ""))
    if found is not None:
        return found
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return (
            PushSubscription.objects.filter(member=user, state=SubscriptionState.ACTIVE)
            .prefetch_related("topics")
            .order_by("-created_at")
            .first()
        )
    return None


def topics_of(subscription: PushSubscription) -> set[str]:
    return {row.topic for row in subscription.topics.all()}


def member_topics(member: Any, *, besides: Any = None) -> set[str]:
    """Topics of a member's other subscriptions (they follow the member)."""
    rows = (
        PushSubscription.objects.filter(member=member, state=SubscriptionState.ACTIVE)
        .exclude(pk=besides)
        .order_by("-updated_at")
        .prefetch_related("topics")[:1]
    )
    return {t.topic for s in rows for t in s.topics.all()}


@dataclass(frozen=True)
class Report:
    targeted: int
    pending: int
    accepted: int
    failed: int
    expired: int
    clicks: int


def report(notification: Notification) -> Report:
    """Per push: targeted, accepted, failed, expired (and removed), clicks."""
    counts = Delivery.objects.filter(notification=notification).aggregate(
        total=Count("id"),
        pending=Count("id", filter=Q(state=DeliveryState.PENDING)),
        sent=Count("id", filter=Q(state=DeliveryState.SENT)),
        failed=Count("id", filter=Q(state=DeliveryState.FAILED)),
        expired=Count("id", filter=Q(state=DeliveryState.EXPIRED)),
    )
    return Report(
        targeted=notification.targeted or counts["total"],
        pending=counts["pending"],
        accepted=counts["sent"],
        failed=counts["failed"],
        expired=counts["expired"],
        clicks=notification.clicks,
    )


def notifications_with_counts() -> QuerySet[Notification]:
    """Every push, newest first, with its delivery counts (one query)."""
    return (
        Notification.objects.select_related("article")
        .only(
            "id",
            "title",
            "topic",
            "state",
            "sequence",
            "targeted",
            "clicks",
            "created_at",
            "sent_at",
            "article__id",
            "article__title",
        )
        .annotate(
            accepted=Count("deliveries", filter=Q(deliveries__state="sent")),
            failed=Count("deliveries", filter=Q(deliveries__state="failed")),
            expired=Count("deliveries", filter=Q(deliveries__state="expired")),
            pending=Count("deliveries", filter=Q(deliveries__state="pending")),
        )
        .order_by("-created_at")
    )


def latest_public_stories(limit: int = 20) -> list[dict[str, str]]:
    """Headlines and paths of the newest free stories, for offline reading.

    Only public articles: the service worker stores their pages as anonymous
    readers see them; gated stories would be stored with their paywall.
    """
    rows = (
        ArticlePage.objects.live()
        .public()
        .filter(access_level=AccessLevel.PUBLIC)
        .order_by("-first_published_at")
        .only("id", "title", "url_path", "path", "depth")[:limit]
    )
    return [{"title": a.title, "url": a.get_url()} for a in rows]
