"""Reads of the outbox: suppression, messages for the admin, events for reports."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet

from .models import DeliveryEvent, OutboundMessage, Suppression


def is_suppressed(email: str) -> bool:
    """True when no bulk email may go to ``email`` (hard bounce or complaint)."""
    return Suppression.objects.filter(email=email.strip().lower()).exists()


def suppressed_among(emails: Iterable[str]) -> set[str]:
    """The suppressed addresses among ``emails``, lower-cased (one query on
    PostgreSQL, one per 1,000 elsewhere)."""
    wanted = sorted({e.strip().lower() for e in emails if e})
    if not wanted:
        return set()
    if connection.vendor == "postgresql":
        # One array parameter, not one placeholder per address (a newsletter
        # send asks about 100,000s).
        table = connection.ops.quote_name(Suppression._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT email FROM {table} WHERE email = ANY(%s::text[])",  # noqa: S608
                [wanted],
            )
            return {row[0] for row in cursor.fetchall()}
    found: set[str] = set()
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        found.update(
            Suppression.objects.filter(email__in=chunk).values_list("email", flat=True)
        )
    return found


def outbox_messages() -> QuerySet[OutboundMessage]:
    """Messages for the admin list (no MIME: it can be large)."""
    return OutboundMessage.objects.defer("mime").order_by("-created_at")


def events_for_message(message: OutboundMessage) -> QuerySet[DeliveryEvent]:
    return message.events.order_by("created_at")


def events_for_provider_ids(ids: Iterable[str]) -> QuerySet[DeliveryEvent]:
    """Events whose provider message id is one of ``ids`` (for send reports)."""
    return DeliveryEvent.objects.filter(provider_message_id__in=list(ids))


def state_counts() -> dict[str, int]:
    """How many messages are in each state (one query)."""
    from django.db.models import Count

    rows = OutboundMessage.objects.order_by().values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}
