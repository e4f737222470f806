"""The interface every push sender offers (documented; Web Push is the one used).

A sender takes a batch of messages and answers one ``Outcome`` per message, in
order. It never raises for a single message's failure: a refused, timed-out or
unreachable push service is an outcome, so one bad endpoint never stops a batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Message:
    """One encrypted push to one subscription."""

    key: int  # the Delivery id, echoed back in the outcome
    endpoint: str
    p256dh: str
    auth: str
    payload: bytes
    ttl: int
    urgency: str
    topic: str = ""


@dataclass(frozen=True)
class Outcome:
    key: int
    status: int | None  # HTTP status, None when no answer (timeout, network)
    retry_after: str | None = None
    error: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class Sender(Protocol):
    def send(self, messages: list[Message]) -> list[Outcome]:
        """Send every message; one outcome per message, in the same order."""
        ...
