"""Every non-trivial read of the sending pipeline: sends, reports, deliveries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from .models import Click, Delivery, DeliveryState, Send


def sends() -> QuerySet[Send]:
    """Sends, newest first, with their newsletter and story."""
    return Send.objects.select_related("newsletter", "article", "tier").order_by(
        "-created_at", "-id"
    )


def sends_of_article(article: Any) -> QuerySet[Send]:
    return sends().filter(article=article)


def delivery_by_token(token: str) -> Delivery | None:
    """The delivery a tracking link names, or None for a malformed/unknown one."""
    try:
        value = uuid.UUID(hex=token)
    except ValueError:
        return None
    return Delivery.objects.select_related("send").filter(token=value).first()


@dataclass
class Report:
    """What a send did, per recipient state and per reader event."""

    recipients: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    delivered: int = 0
    opened: int = 0
    clicked: int = 0
    bounced: int = 0
    complained: int = 0
    unsubscribed: int = 0
    top_links: list[tuple[str, int]] = field(default_factory=list)

    def count(self, state: str) -> int:
        return self.by_state.get(state, 0)

    @property
    def sent(self) -> int:
        return self.count(DeliveryState.SENT)

    @property
    def failed(self) -> int:
        return self.count(DeliveryState.FAILED)

    @property
    def unknown(self) -> int:
        return self.count(DeliveryState.UNKNOWN)

    @property
    def count_skipped(self) -> int:
        return self.count(DeliveryState.SKIPPED)

    @property
    def waiting(self) -> int:
        return self.count(DeliveryState.PENDING) + self.count(DeliveryState.SENDING)


def report(send: Send) -> Report:
    """The send's report in four queries, whatever the number of recipients."""
    rows = Delivery.objects.filter(send=send)
    out = Report()
    for state, reason, n in (
        rows.values_list("state", "skip_reason").annotate(n=Count("id")).order_by()
    ):
        out.by_state[state] = out.by_state.get(state, 0) + n
        if state == DeliveryState.SKIPPED:
            out.skipped[reason] = out.skipped.get(reason, 0) + n
        out.recipients += n
    events = rows.aggregate(
        delivered=Count("id", filter=Q(delivered_at__isnull=False)),
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        clicked=Count("id", filter=Q(clicked_at__isnull=False)),
        bounced=Count("id", filter=Q(bounced_at__isnull=False)),
        complained=Count("id", filter=Q(complained_at__isnull=False)),
    )
    for name, value in events.items():
        setattr(out, name, value or 0)
    out.unsubscribed = _unsubscribed_after(send)
    out.top_links = list(
        Click.objects.filter(delivery__send=send)
        .values_list("url")
        .annotate(n=Count("id"))
        .order_by("-n", "url")[:10]
    )
    return out


def _unsubscribed_after(send: Send) -> int:
    """Recipients of ``send`` who left the newsletter after it started."""
    if send.started_at is None:
        return 0
    from herald.newsletters.models import SubscriptionState

    return (
        Delivery.objects.filter(
            send=send,
            subscription__state=SubscriptionState.UNSUBSCRIBED,
            subscription__unsubscribed_at__gte=send.started_at,
        )
        .exclude(state=DeliveryState.SKIPPED)
        .count()
    )


def unknown_deliveries(send: Send, *, limit: int = 200) -> list[Delivery]:
    """The recipients whose outcome is unknown (shown to the operator)."""
    return list(
        Delivery.objects.filter(send=send, state=DeliveryState.UNKNOWN).order_by("id")[
            :limit
        ]
    )


def archive_issues(newsletter: Any, limit: int) -> list[Any]:
    """Sent story issues of ``newsletter`` for its public archive (newest first).

    Titles, dates and public teasers only; the story is the ``gated`` object the
    archive asks the paywall gate about. Email-only stories and digests have no
    page to open and are not listed.
    """
    from herald.newsletters.queries import ArchiveIssue
    from herald.newsroom.rendering import excerpt

    from .models import SendKind, SendState

    rows = (
        Send.objects.filter(
            newsletter=newsletter,
            state=SendState.SENT,
            kind=SendKind.STORY,
            article__isnull=False,
            article__live=True,
        )
        .select_related("article")
        .order_by("-started_at")[:limit]
    )
    return [
        ArchiveIssue(
            title=send.subject,
            url=send.article.url or "",
            sent_at=send.started_at,
            summary=send.article.dek or excerpt(send.article),
            gated=send.article,
        )
        for send in rows
    ]
