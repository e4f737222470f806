"""Handing a batch of messages to the email backend, with an outcome per message.

Whatever provider settings choose (HERALD_EMAIL_PROVIDER: SMTP, an anymail ESP,
locmem in tests; see herald/outbox/CONTEXT.md), a batch goes out over one open
connection to that provider, not through the outbox's queue (the deliveries
are this pipeline's own rows), and each message gets one outcome:

- ``sent``: the provider accepted it (SMTP 250 / API status queued or sent);
- ``failed``: the provider refused this recipient for good (5xx, rejected);
- ``retry``: the provider refused before accepting anything (could not connect,
  429, 4xx/5xx for the whole call): nothing went out, it is safe to try again;
- ``unknown``: the request left and no answer came back (timeout, connection
  dropped mid-message). Herald never resends these on its own.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.mail import EmailMessage

from herald.outbox import providers

SENT = "sent"
FAILED = "failed"
RETRY = "retry"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Outcome:
    status: str
    provider_message_id: str = ""
    error: str = ""


def _anymail_outcome(message: EmailMessage) -> Outcome | None:
    status = getattr(message, "anymail_status", None)
    if status is None or not getattr(status, "recipients", None):
        return None
    recipient = next(iter(status.recipients.values()))
    message_id = str(getattr(recipient, "message_id", "") or "")
    if recipient.status in ("rejected", "invalid", "failed"):
        return Outcome(FAILED, message_id, f"rejected by provider: {recipient.status}")
    return Outcome(SENT, message_id)


def _classify(exc: BaseException, *, started: bool) -> Outcome:
    """Sort a backend error into failed / retry / unknown."""
    text = f"{type(exc).__name__}: {exc}"[:500]
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        if codes and all(400 <= c < 500 for c in codes):
            return Outcome(RETRY, error=text)
        return Outcome(FAILED, error=text)
    if isinstance(exc, smtplib.SMTPResponseException):
        return Outcome(RETRY if 400 <= exc.smtp_code < 500 else FAILED, error=text)
    if isinstance(exc, smtplib.SMTPServerDisconnected | socket.timeout | TimeoutError):
        return Outcome(UNKNOWN if started else RETRY, error=text)
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if status is not None:
        # The ESP answered: it did not take the message.
        if status == 429 or status >= 500:
            return Outcome(RETRY, error=text)
        return Outcome(FAILED, error=text)
    name = type(exc).__name__
    if "Timeout" in name or "RemoteDisconnected" in name:
        return Outcome(UNKNOWN if started else RETRY, error=text)
    if isinstance(exc, ConnectionRefusedError | socket.gaierror):
        return Outcome(RETRY, error=text)
    if isinstance(exc, OSError) or "Connection" in name:
        return Outcome(UNKNOWN if started else RETRY, error=text)
    return Outcome(UNKNOWN, error=text)


SKIPPED = "skipped"

_FROM_OUTBOX = {
    "sent": SENT,
    "rejected": FAILED,
    "retry": RETRY,
    "unknown": UNKNOWN,
    "suppressed": SKIPPED,
}


def deliver(messages: Sequence[EmailMessage]) -> list[Outcome]:
    """Send one-recipient ``messages``; one outcome per message, in order.

    Through the outbox's batch sender (``herald.outbox.batch.send_batch``: the
    configured provider, one connection, the suppression list) when the outbox
    is installed, else straight through Django's email backend.
    """
    try:
        from herald.outbox import batch
    except ImportError:
        return deliver_direct(messages)
    results = batch.send_batch(messages)
    by_address = {r.email.lower(): r for r in results}
    outcomes = []
    for message in messages:
        result = by_address.get(message.to[0].lower())
        if result is None:
            outcomes.append(Outcome(UNKNOWN, error="no outcome from the outbox"))
            continue
        outcomes.append(
            Outcome(
                _FROM_OUTBOX.get(result.status, UNKNOWN),
                result.message_id if result.status == "sent" else "",
                result.detail[:500],
            )
        )
    return outcomes


def deliver_merged(messages: Sequence[EmailMessage]) -> dict[str, Outcome]:
    """Send merged batch ``messages`` (many ``to``, anymail's ``merge_data``).

    Through the outbox's batch sender: batch calls where the ESP merges, one
    email per recipient elsewhere. Returns the outcome per lower-cased address.
    """
    from herald.outbox import batch

    outcomes: dict[str, Outcome] = {}
    for result in batch.send_batch(messages):
        outcomes[result.email.lower()] = Outcome(
            _FROM_OUTBOX.get(result.status, UNKNOWN),
            result.message_id if result.status == "sent" else "",
            result.detail[:500],
        )
    return outcomes


def deliver_direct(messages: Sequence[EmailMessage]) -> list[Outcome]:
    """Send ``messages`` over one connection; one outcome per message, in order.

    After a message whose outcome is ``unknown`` or ``retry`` the connection is
    no longer trusted: the messages after it were not handed over and come back
    as ``retry``.
    """
    outcomes: list[Outcome] = []
    connection = providers.open_connection()
    try:
        connection.open()
    except Exception as exc:  # nothing left: every message may be tried again
        outcome = _classify(exc, started=False)
        if outcome.status != FAILED:
            outcome = Outcome(RETRY, error=outcome.error)
        return [outcome] * len(messages)
    try:
        for message in messages:
            try:
                count = connection.send_messages([message])
            except Exception as exc:
                outcome = _classify(exc, started=True)
                outcomes.append(outcome)
                if outcome.status in (UNKNOWN, RETRY):
                    break
                continue
            if not count:
                outcomes.append(Outcome(FAILED, error="the backend sent nothing"))
                continue
            outcomes.append(_anymail_outcome(message) or Outcome(SENT))
    finally:
        # Closing a broken connection may fail too; the outcomes stand.
        with contextlib.suppress(Exception):
            connection.close()
    rest = len(messages) - len(outcomes)
    outcomes.extend([Outcome(RETRY, error="not attempted")] * rest)
    return outcomes
