"""The demo's newsletters and a few hundred generated subscribers (our own words).

Loaded through ``herald.newsletters.actions`` like a staff CSV import, then the
history rows are spread over the last ten weeks so the growth table has a
shape. Addresses are on example.net (RFC 2606): nothing here can reach a person.
"""

from __future__ import annotations

import random
from datetime import time, timedelta
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

NEWSLETTERS = (
    {
        "slug": "morning-tide",
        "name": "The Morning Tide",
        "description": (
            "Six stories from Port Avenell and beyond, picked by the night desk "
            "and in your inbox by seven. Weekdays and Saturdays."
        ),
        "sender_name": "The Morning Tide",
        "visibility": "anyone",
        "default_for_new_members": True,
        "digest_cadence": "daily",
        "digest_time": time(6, 45),
        "sort_order": 1,
    },
    {
        "slug": "harbour-ledger",
        "name": "The Harbour Ledger",
        "description": (
            "One long letter on Fridays for paying members: where the week's "
            "money went, who decided, and what our reporters are chasing next."
        ),
        "sender_name": "Harbour Ledger, The Avenell Courier",
        "visibility": "paid",
        "digest_cadence": "weekly",
        "digest_weekday": 4,
        "digest_time": time(16, 0),
        "sort_order": 2,
    },
    {
        "slug": "council-watch",
        "name": "Council Watch",
        "description": (
            "Sent when the council sits: the agenda in plain words before the "
            "meeting, and what was decided after it."
        ),
        "sort_order": 3,
    },
)

# How many generated readers each newsletter gets, and how many of them left.
SIZES = {
    "morning-tide": (320, 24),
    "harbour-ledger": (85, 4),
    "council-watch": (140, 11),
}
FIRST = ("ada", "bram", "cleo", "dov", "esme", "finn", "greta", "hal", "ines", "jory")
LAST = ("marsh", "quay", "reed", "holt", "vane", "ostry", "lund", "piers", "tamm")


def load(*, seed: int = 11) -> dict[str, int]:
    """Create the newsletters and their subscribers; returns rows per newsletter."""
    from herald.newsletters import actions
    from herald.newsletters.models import (
        Newsletter,
        SubscriptionEvent,
        SubscriptionState,
    )

    rng = random.Random(seed)
    now = timezone.now()
    counts: dict[str, int] = {}
    earlier_rows: list[Any] = []
    for spec in NEWSLETTERS:
        fields = {k: v for k, v in spec.items() if k != "slug"}
        newsletter, _ = Newsletter.objects.get_or_create(
            slug=spec["slug"], defaults=fields
        )
        total, left = SIZES[spec["slug"]]
        rows: list[Any] = []
        for n in range(total):
            joined = now - timedelta(
                days=rng.uniform(0, 70), minutes=rng.randint(0, 900)
            )
            email = f"{rng.choice(FIRST)}.{rng.choice(LAST)}{n}@example.net"
            state = (
                SubscriptionState.UNSUBSCRIBED
                if n < left
                else SubscriptionState.SUBSCRIBED
            )
            rows.append(
                SimpleNamespace(
                    email=email,
                    state=state,
                    source="form",
                    member_email="",
                    confirmed_at=joined,
                    unsubscribed_at=min(
                        joined + timedelta(days=rng.uniform(1, 20)),
                        now - timedelta(minutes=5),
                    )
                    if state == SubscriptionState.UNSUBSCRIBED
                    else None,
                    created_at=joined,
                )
            )
        created, _skipped = actions.import_subscribers(newsletter, rows=rows)
        counts[spec["slug"]] = created
        # Spread the history over the weeks the readers joined (and left).
        when = {r.email: (r.confirmed_at, r.unsubscribed_at) for r in rows}
        events = list(
            SubscriptionEvent.objects.filter(newsletter=newsletter).select_related(
                "subscription"
            )
        )
        for event in events:
            joined, left_at = when[event.subscription.email]
            event.created_at = left_at or joined
            event.kind = "unsubscribed" if left_at else "confirmed"
            event.reason = "one_click" if left_at else ""
            event.source = event.subscription.source
        SubscriptionEvent.objects.bulk_update(
            events, ["created_at", "kind", "reason", "source"], batch_size=500
        )
        # Those who left were confirmed first: add that row of their history
        # (created_at is set on insert, so it is moved back afterwards).
        earlier = SubscriptionEvent.objects.bulk_create(
            [
                SubscriptionEvent(
                    newsletter=newsletter,
                    subscription=e.subscription,
                    kind="confirmed",
                    source=e.source,
                )
                for e in events
                if e.kind == "unsubscribed"
            ]
        )
        for event in SubscriptionEvent.objects.filter(
            pk__in=[e.pk for e in earlier]
        ).select_related("subscription"):
            event.created_at = when[event.subscription.email][0]
            earlier_rows.append(event)
    SubscriptionEvent.objects.bulk_update(earlier_rows, ["created_at"], batch_size=500)
    return counts


def send_issue(story: Any) -> Any:
    """One sent issue of The Morning Tide (``story``), with its report.

    Sent through the real pipeline (prepare, batches, one delivery row per
    reader) to the test provider ``locmem``: the readers are on example.net, so
    nothing leaves the machine, and each email is kept in Admin → Outbox, as a
    reader would receive it. The send's report is under Admin → Newsletter
    sends.
    """
    from django.test.utils import override_settings

    from herald.newsletters.models import Newsletter
    from herald.newsletters.sending import actions

    newsletter = Newsletter.objects.get(slug="morning-tide")
    send = actions.create_send(
        newsletter, subject=f"The Morning Tide: {story.title}", article=story
    )
    with override_settings(
        HERALD_EMAIL_PROVIDER="locmem", HERALD_OUTBOX_KEEP_BATCH=True
    ):
        actions.start_send(send)
        actions.prepare_send(send.pk)
        actions.work_send(send.pk)
    send.refresh_from_db()
    return send
