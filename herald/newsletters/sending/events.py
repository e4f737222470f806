"""What providers report (recorded by herald.outbox) onto newsletter deliveries.

The outbox records every webhook event (and suppresses hard bounces and
complaints; ``receivers.provider_event`` turns that into an unsubscribe). This
receiver, connected in ``NewslettersConfig.ready()``, puts the events about a
newsletter delivery onto its row for the send's report. A delivery is matched
by the provider's message id (what the ESP answered when the batch was sent).
Idempotent: each time is set only once.
"""

from __future__ import annotations

from typing import Any

from .models import Delivery

FIELDS = {
    "delivered": "delivered_at",
    "opened": "opened_at",
    "clicked": "clicked_at",
    "bounced": "bounced_at",
    "complained": "complained_at",
}


def record_delivery_event(event: Any) -> int:
    """Stamp the delivery ``event`` is about; return how many rows changed."""
    field = FIELDS.get(event.event_type)
    if not field or not event.provider_message_id:
        return 0
    when = event.occurred_at or event.created_at
    return Delivery.objects.filter(
        provider_message_id=event.provider_message_id, **{f"{field}__isnull": True}
    ).update(**{field: when})


def delivery_event(sender: Any, event: Any, **kwargs: Any) -> None:
    record_delivery_event(event)
