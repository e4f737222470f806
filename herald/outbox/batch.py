"""Send many prepared messages through one provider connection (for newsletters).

The transactional path (``EmailMessage.send()``) keeps a row per message and
retries on its own. A newsletter send keeps its own per-recipient delivery rows
and decides itself what to retry, so it calls this lower level instead::

    from herald.outbox.batch import merge_field, send_batch

    message = EmailMultiAlternatives(subject, text, from_email, to=addresses)
    message.attach_alternative(html, "text/html")
    # per-recipient values: placeholders in subject/body/HTML, and headers
    message.merge_data = {addr: {"unsubscribe_url": url_for(addr)} for addr in ...}
    message.merge_headers = {addr: {
        "List-Unsubscribe": f"<{url}>, <mailto:...>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}}
    message.merge_metadata = {addr: {"delivery": str(delivery.pk)}}
    # ... with merge_field("unsubscribe_url") written where the URL goes
    outcomes = send_batch([message])   # one Outcome per recipient

Each message in ``messages`` is either one recipient's finished email, or one
email for many recipients (``to``) with anymail's ``merge_data`` /
``merge_headers`` / ``merge_metadata`` (keyed by address). Per provider:

- ESPs whose API merges inline (Mailgun, SendGrid): one API call for the whole
  message; the ESP fills the placeholders and sends a separate email to each
  ``to`` (no recipient sees another).
- Postmark, which merges only in templates stored with it: the message is
  stored as a template for the batch and sent in calls of up to 500 recipients
  through anymail's ``template_id`` + ``merge_data`` (``esp_templates``).
- Every other provider (SMTP, and the ESPs that merge only in stored
  templates): Herald fills the placeholders itself and sends one email per
  recipient, over one connection (one SMTP session; one kept-alive HTTPS
  session for an API).

Suppressed addresses (hard bounces, complaints) are never sent to: they come
back as ``suppressed`` without the provider being called.

Outcomes (``Outcome.status``):

- ``sent``: the provider accepted it; ``message_id`` is its id (the Message-ID
  header for SMTP), which its webhook events will carry.
- ``rejected``: refused for good (invalid address, ESP suppression, SMTP 5xx,
  HTTP 4xx). Do not retry.
- ``retry``: not accepted, and trying later is safe (HTTP 429/5xx, SMTP 4xx,
  no connection made). The provider does not have it.
- ``unknown``: the request went out and no answer came (timeout, connection
  dropped mid-way): it may have been delivered. Do not guess; show the
  operator.
- ``suppressed``: on Herald's suppression list; not sent.

Values in ``merge_data`` go into the text and HTML parts as they are (as ESPs
do): pass URLs or already-escaped text. Set a ``Message-ID`` header per
recipient (``merge_headers``) when a resend must be recognisable as the same
email; otherwise one is made per message.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.db import transaction

from . import esp_templates, mime, providers, queries
from .mime import address_key
from .models import MessageState, OutboundMessage, Stream

Status = Literal["sent", "rejected", "retry", "unknown", "suppressed"]

# ESPs that fill per-recipient placeholders in one API call, and their syntax.
INLINE_MERGE = {
    "mailgun": "%recipient.{}%",
    "sendgrid": "[[herald:{}]]",
}
# The placeholder Herald fills itself for every other provider.
LOCAL_MERGE = "[[herald:{}]]"
_MERGE_ATTRS = ("merge_data", "merge_headers", "merge_metadata")


@dataclass(frozen=True)
class Outcome:
    email: str
    status: Status
    message_id: str = ""
    detail: str = ""


def merge_field(name: str, *, provider: str | None = None) -> str:
    """The placeholder for the per-recipient value ``name`` with this provider."""
    return INLINE_MERGE.get(provider or providers.provider_name(), LOCAL_MERGE).format(
        name
    )


def send_batch(
    messages: Sequence[EmailMessage],
    *,
    provider: str | None = None,
    skip_suppressed: bool = True,
    keep: bool | None = None,
) -> list[Outcome]:
    """Send ``messages`` over one connection; return one Outcome per recipient.

    Never raises for a provider's answer: every failure is an outcome.
    ``keep`` (default: HERALD_OUTBOX_KEEP_BATCH) also writes what was sent to
    the outbox, state 'sent', so the demo's admin shows newsletters too.
    """
    name = provider or providers.provider_name()
    suppressed = (
        # Bare addresses: "Dee <dee@…>" is suppressed when dee@… is.
        queries.suppressed_among(
            address_key(a) for m in messages for a in m.recipients()
        )
        if skip_suppressed
        else set()
    )
    outcomes: list[Outcome] = []
    kept: list[EmailMessage] = []
    inline = providers.is_anymail(name) and name in INLINE_MERGE
    stored = providers.is_anymail(name) and esp_templates.supports(name)
    keep = (
        keep
        if keep is not None
        else getattr(settings, "HERALD_OUTBOX_KEEP_BATCH", False)
    )
    connection = providers.open_connection(name)
    with connection:
        for message in messages:
            message, dropped = _without(message, suppressed)
            outcomes += [Outcome(a, "suppressed") for a in dropped]
            if not message.recipients():
                continue
            if _is_merged(message) and stored:
                results = _send_stored(connection, message)
                if results is not None:
                    outcomes += results
                    if keep:
                        done = {r.email for r in results if r.status == "sent"}
                        kept += [
                            s for s in _expand(message) if address_key(s.to[0]) in done
                        ]
                    continue
            if _is_merged(message) and not inline:
                singles = list(_expand(message))
            else:
                singles = [_prepare(message, name)]
            for single in singles:
                results = _send_one(connection, single)
                outcomes += results
                if any(r.status == "sent" for r in results):
                    kept.append(single)
    if keep:
        _keep(kept, name)
    return outcomes


def _send_stored(connection: Any, message: EmailMessage) -> list[Outcome] | None:
    """A merged message as templated batch calls (Postmark); None: send singly."""
    try:
        return esp_templates.send(connection, message, _send_one)
    except esp_templates.NotNow as exc:
        _reset(connection)
        return [
            Outcome(address_key(a), "retry", detail=str(exc))
            for a in message.recipients()
        ]


def _is_merged(message: EmailMessage) -> bool:
    return any(getattr(message, attr, None) for attr in _MERGE_ATTRS)


def _without(
    message: EmailMessage, suppressed: set[str]
) -> tuple[EmailMessage, list[str]]:
    dropped = [a for a in message.recipients() if address_key(a) in suppressed]
    if not dropped:
        return message, []
    message = copy.copy(message)
    message.to = [a for a in message.to if address_key(a) not in suppressed]
    message.cc = [a for a in message.cc if address_key(a) not in suppressed]
    message.bcc = [a for a in message.bcc if address_key(a) not in suppressed]
    return message, [address_key(a) for a in dropped]


def _prepare(message: EmailMessage, name: str) -> EmailMessage:
    if "Message-ID" not in message.extra_headers:
        message.extra_headers["Message-ID"] = make_msgid(domain=_domain(message))
    if name == "sendgrid" and _is_merged(message):
        extra = dict(getattr(message, "esp_extra", None) or {})
        extra.setdefault("merge_field_format", INLINE_MERGE["sendgrid"])
        message.esp_extra = extra  # type: ignore[attr-defined]
    return message


def _domain(message: EmailMessage) -> str:
    return (
        address_key(str(message.from_email or settings.DEFAULT_FROM_EMAIL)).rpartition(
            "@"
        )[2]
        or "localhost"
    )


def _expand(message: EmailMessage) -> Iterable[EmailMessage]:
    """One finished message per ``to`` address, placeholders filled by Herald."""
    data = getattr(message, "merge_data", None) or {}
    headers = getattr(message, "merge_headers", None) or {}
    metadata = getattr(message, "merge_metadata", None) or {}
    global_data = getattr(message, "merge_global_data", None) or {}
    index = {
        address_key(key): key
        for mapping in (metadata, headers, data)
        for key in mapping
    }
    for address in message.to:
        key = index.get(address_key(address), address)
        values = {**global_data, **data.get(key, {})}
        single = copy.copy(message)
        for attr in (*_MERGE_ATTRS, "merge_global_data"):
            single.__dict__.pop(attr, None)
        single.to = [address]
        single.cc = []
        single.bcc = []
        single.subject = _fill(message.subject, values)
        single.body = _fill(message.body, values)
        alternatives = getattr(message, "alternatives", None)
        if alternatives is not None:
            single.alternatives = [  # type: ignore[attr-defined]
                type(alt)(_fill(alt[0], values), alt[1])
                if isinstance(alt[0], str)
                else alt
                for alt in alternatives
            ]
        single.extra_headers = {**message.extra_headers, **headers.get(key, {})}
        if "Message-ID" not in single.extra_headers:
            single.extra_headers["Message-ID"] = make_msgid(domain=_domain(message))
        if metadata.get(key) or getattr(message, "metadata", None):
            single.metadata = {  # type: ignore[attr-defined]
                **(getattr(message, "metadata", None) or {}),
                **metadata.get(key, {}),
            }
        yield single


def _fill(text: Any, values: dict[str, Any]) -> Any:
    if not isinstance(text, str):
        return text
    for name, value in values.items():
        text = text.replace(LOCAL_MERGE.format(name), str(value))
    return text


def _send_one(connection: Any, message: EmailMessage) -> list[Outcome]:
    recipients = [address_key(a) for a in message.recipients()]
    try:
        connection.send_messages([message])
    except Exception as exc:
        by_status = _anymail_outcomes(message)
        if by_status:
            return by_status
        failure = providers.classify(exc)
        _reset(connection)
        return [Outcome(a, failure.verdict, detail=failure.detail) for a in recipients]
    by_status = _anymail_outcomes(message)
    if by_status:
        return by_status
    refused = getattr(message, "herald_smtp_refused", {}) or {}
    refused = {address_key(a): v for a, v in refused.items()}
    message_id = str(message.extra_headers.get("Message-ID", ""))
    outcomes = []
    for address in recipients:
        if address in refused:
            code, text = refused[address]
            status: Status = "retry" if 400 <= int(code) < 500 else "rejected"
            outcomes.append(Outcome(address, status, detail=f"{code} {text}"))
        else:
            outcomes.append(Outcome(address, "sent", message_id=message_id))
    return outcomes


ANYMAIL_STATUS: dict[str, Status] = {
    "sent": "sent",
    "queued": "sent",
    "scheduled": "sent",
    "rejected": "rejected",
    "invalid": "rejected",
    "failed": "rejected",
    "unknown": "unknown",
}


def _anymail_outcomes(message: EmailMessage) -> list[Outcome]:
    status = getattr(message, "anymail_status", None)
    recipients = getattr(status, "recipients", None) or {}
    return [
        Outcome(
            address_key(address),
            ANYMAIL_STATUS.get(str(result.status), "unknown"),
            message_id=str(result.message_id or ""),
        )
        for address, result in recipients.items()
    ]


def _reset(connection: Any) -> None:
    """After an error, start the next message on a fresh connection."""
    # A broken connection may fail to close; a failed open is reported by the
    # next message's send, per recipient.
    with contextlib.suppress(Exception):
        connection.close()
    with contextlib.suppress(Exception):
        connection.open()


def _keep(sent: list[EmailMessage], name: str) -> None:
    rows = [
        OutboundMessage(
            state=MessageState.SENT,
            stream=Stream.BULK,
            from_email=str(m.from_email),
            to=list(m.to),
            cc=list(m.cc),
            bcc=list(m.bcc),
            subject=str(m.subject)[:998],
            mime=mime.to_mime(m),
            tags=list(getattr(m, "tags", None) or []),
            metadata=dict(getattr(m, "metadata", None) or {}),
            attempts=1,
            # A dotted backend path does not fit the column: its class name does.
            provider=name if len(name) <= 32 else name.rsplit(".", 1)[-1][:32],
            provider_message_id=str(m.extra_headers.get("Message-ID", ""))[:255],
        )
        for m in sent
    ]
    with transaction.atomic():
        OutboundMessage.objects.bulk_create(rows, batch_size=500)
