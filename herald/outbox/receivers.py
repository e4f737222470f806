"""Anymail's tracking webhooks → recorded events (connected in OutboxConfig.ready)."""

from __future__ import annotations

from typing import Any

from . import actions

# Bounces anymail reports as 'bounced' that the ESP itself calls temporary.
SOFT_BOUNCES = {
    "postmark": ("Type", {"SoftBounce", "Transient", "DnsError", "OpenRelayTest"}),
    "sendgrid": ("type", {"blocked"}),
    "mailgun": ("severity", {"temporary"}),
}


def is_permanent(esp_name: str, esp_event: Any) -> bool:
    """False when the ESP's own event says the bounce was soft."""
    key, soft = SOFT_BOUNCES.get(esp_name, ("", set()))
    if not key or not isinstance(esp_event, dict):
        return True
    data = esp_event.get("event-data", esp_event)  # Mailgun nests its event
    return not (isinstance(data, dict) and data.get(key) in soft)


def record_tracking_event(
    sender: Any, event: Any, esp_name: str, **kwargs: Any
) -> None:
    provider = str(esp_name).lower().replace(" ", "_")
    actions.record_event(
        provider=provider,
        event_type=str(event.event_type or "unknown"),
        recipient=str(event.recipient or ""),
        provider_message_id=str(event.message_id or ""),
        event_id=str(event.event_id) if event.event_id else None,
        reject_reason=str(event.reject_reason or ""),
        description=str(event.description or ""),
        mta_response=str(event.mta_response or ""),
        click_url=str(event.click_url or ""),
        tags=[str(t) for t in (event.tags or [])],
        metadata={str(k): v for k, v in (event.metadata or {}).items()},
        occurred_at=event.timestamp,
        permanent=is_permanent(provider, event.esp_event),
    )
