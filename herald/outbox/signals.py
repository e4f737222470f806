"""Signals apps above the outbox subscribe to (they are never imported from here).

``delivery_event(sender=DeliveryEvent, event=DeliveryEvent)``: sent after a
provider's event is recorded and committed. Newsletters attach it to their own
delivery row by ``event.provider_message_id`` or ``event.metadata``.
"""

from django.dispatch import Signal

delivery_event = Signal()
