"""Bounces that come back by email: SMTP delivery status notifications (RFC 3464).

With plain SMTP there is no webhook: a receiving server that gives up sends a
DSN (``multipart/report; report-type=delivery-status``) to the envelope sender.
Point the envelope sender at a mailbox of your own with
``HERALD_EMAIL_BOUNCE_ADDRESS`` and have your MTA pipe what arrives there to
``manage.py record_dsn`` (one message on standard input; see
docs/deployment.md). Each recipient block becomes a ``DeliveryEvent`` through
``actions.record_event``, exactly like a webhook event:

- ``Action: failed`` with a permanent status (``5.x.x``) → ``bounced``, hard:
  the address is suppressed (and newsletters unsubscribe it);
- ``Action: failed`` with a temporary status (``4.x.x``) → ``bounced``, soft:
  recorded, nothing suppressed;
- ``Action: delayed`` → ``deferred``; ``delivered``/``relayed``/``expanded`` →
  ``delivered``.

The event is tied to the message it reports on by the returned message's
``Message-ID`` (the provider message id Herald keeps for SMTP, and a
newsletter delivery's own id). The same DSN read twice is recorded once (event
id: the DSN's Message-ID and the recipient). A message that is not a DSN
records nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message
from email.utils import parseaddr

from .models import DeliveryEvent

ACTIONS = {
    "delayed": "deferred",
    "delivered": "delivered",
    "relayed": "delivered",
    "expanded": "delivered",
}


@dataclass(frozen=True)
class Notice:
    """One recipient's block of a DSN."""

    recipient: str
    action: str
    status: str
    diagnostic: str
    original_message_id: str

    @property
    def event_type(self) -> str:
        return "bounced" if self.action == "failed" else ACTIONS.get(self.action, "")

    @property
    def permanent(self) -> bool:
        return self.status.startswith("5")


def _fields(block: Message) -> dict[str, str]:
    return {k.lower(): " ".join(str(v).split()) for k, v in block.items()}


def _address(value: str) -> str:
    # "rfc822; reader@example.org"
    kind, _sep, address = value.partition(";")
    return parseaddr((address if _sep else kind).strip())[1].lower()


def read(raw: bytes) -> list[Notice]:
    """The recipient blocks of a DSN; [] for anything else."""
    message = message_from_bytes(raw, policy=policy.compat32)
    if message.get_content_type() != "multipart/report":
        return []
    if (message.get_param("report-type") or "").lower() != "delivery-status":
        return []
    status_part = original = None
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status" and status_part is None:
            status_part = part
        elif kind in ("message/rfc822", "text/rfc822-headers") and original is None:
            original = part
    if status_part is None:
        return []
    blocks = status_part.get_payload()
    if not isinstance(blocks, list):
        return []
    original_id = _original_message_id(original)
    notices = []
    for block in blocks[1:]:  # the first block is about the whole message
        fields = _fields(block)
        recipient = _address(
            fields.get("final-recipient", "") or fields.get("original-recipient", "")
        )
        action = fields.get("action", "").lower()
        if not recipient or not action:
            continue
        notices.append(
            Notice(
                recipient=recipient,
                action=action,
                status=fields.get("status", ""),
                diagnostic=fields.get("diagnostic-code", ""),
                original_message_id=original_id,
            )
        )
    return notices


def _original_message_id(part: Message | None) -> str:
    if part is None:
        return ""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        headers = inner[0] if isinstance(inner, list) and inner else None
    else:
        text = part.get_payload(decode=True) or b""
        headers = message_from_bytes(text, policy=policy.compat32)
    if headers is None:
        return ""
    return " ".join(str(headers.get("Message-ID", "")).split())


def record(raw: bytes) -> list[DeliveryEvent]:
    """Record each recipient block of the DSN ``raw``; return the new events."""
    from . import actions

    message = message_from_bytes(raw, policy=policy.compat32)
    own_id = (
        str(message.get("Message-ID", "")).strip() or hashlib.sha256(raw).hexdigest()
    )
    events = []
    for notice in read(raw):
        if not notice.event_type:
            continue
        event = actions.record_event(
            provider="smtp",
            event_type=notice.event_type,
            recipient=notice.recipient,
            provider_message_id=notice.original_message_id,
            event_id=f"dsn:{own_id}:{notice.recipient}"[:255],
            description=f"DSN: {notice.action} {notice.status}".strip(),
            mta_response=notice.diagnostic,
            permanent=notice.permanent,
        )
        if event is not None:
            events.append(event)
    return events
