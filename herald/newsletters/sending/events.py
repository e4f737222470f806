"""What providers report (recorded by herald.outbox) onto newsletter deliveries.

The outbox records every webhook event (and suppresses hard bounces and
complaints); this receiver, connected in ``NewslettersConfig.ready()``, puts
the ones about a newsletter delivery onto its row for the send's report, and
turns a suppression into an unsubscribe with its reason kept in the history.
A delivery is matched by the provider's message id (what the ESP answered when
the batch was sent). Idempotent: a time is set only once, and unsubscribing an
unsubscribed address changes nothing.
"""

from __future__ import annotations

from typing import Any

from herald.newsletters.models import UnsubscribeReason

from .models import Delivery

FIELDS = {
    "delivered": "delivered_at",
    "opened": "opened_at",
    "clicked": "clicked_at",
    "bounced": "bounced_at",
    "complained": "complained_at",
}
REASONS = {
    "hard_bounce": UnsubscribeReason.BOUNCE,
    "complaint": UnsubscribeReason.COMPLAINT,
}


def record_delivery_event(event: Any) -> int:
    """Stamp the delivery ``event`` is about; unsubscribe a suppressed address.

    Returns the number of deliveries changed.
    """
    from herald.newsletters import actions

    changed = 0
    field = FIELDS.get(event.event_type)
    if field and event.provider_message_id:
        when = event.occurred_at or event.created_at
        changed = Delivery.objects.filter(
            provider_message_id=event.provider_message_id,
            **{f"{field}__isnull": True},
        ).update(**{field: when})
    suppression = event.suppression_set.first()
    if suppression is not None and suppression.reason in REASONS:
        actions.unsubscribe_address(
            suppression.email, reason=REASONS[suppression.reason]
        )
    return changed


def delivery_event(sender: Any, event: Any, **kwargs: Any) -> None:
    record_delivery_event(event)
