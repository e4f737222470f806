"""Batch calls for ESPs that merge per-recipient values only in stored templates.

Postmark fills ``merge_data`` only in a template kept on its side (anymail then
sends the whole batch as one ``email/batchWithTemplates`` call, up to 500
messages). For a merged message (see ``batch``) Herald therefore:

1. stores the message as a template (``POST /templates``: its subject, text and
   HTML, with each ``[[herald:name]]`` written as Postmark's raw ``{{{name}}}``),
   under an alias of its own (``herald-batch-<random>``), so two workers never
   share, and never delete, each other's template;
2. sends it through anymail's real backend with ``template_id`` and the
   ``merge_data`` / ``merge_headers`` / ``merge_metadata`` of each recipient:
   one API call per 500 recipients, one outcome per recipient from Postmark's
   answer;
3. deletes the template (a worker killed between 1 and 3 leaves one behind:
   harmless, named ``herald-batch-…``).

Nothing reaches a reader before step 2, so a failure at step 1 that is "not
now" (429, 5xx, no connection, no answer) is ``retry`` for every recipient; a
refusal (4xx) makes ``batch`` fall back to one email per recipient. A message
whose own text holds ``{{`` or ``}}`` (Postmark would read it as a template tag)
is never stored: it goes out one email per recipient as before.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from email.utils import parseaddr
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid

from .mime import addr_spec, address_key

log = logging.getLogger(__name__)

# Postmark's limit of messages per batch call.
POSTMARK_BATCH = 500
_LOCAL = re.compile(r"\[\[herald:([A-Za-z0-9_]+)\]\]")
_MERGE_ATTRS = ("merge_data", "merge_headers", "merge_metadata")

SendOne = Callable[[Any, EmailMessage], list[Any]]


class NotNow(Exception):
    """Storing the template failed in a way that a later try may not."""


def supports(name: str) -> bool:
    return name == "postmark"


def _parts(message: EmailMessage) -> tuple[str, str, str] | None:
    """(subject, text, html) of a message Postmark can store, else None."""
    alternatives = getattr(message, "alternatives", None) or []
    if message.attachments or len(alternatives) != 1:
        return None
    html, mimetype = alternatives[0][0], alternatives[0][1]
    if mimetype != "text/html" or not isinstance(html, str):
        return None
    parts = (str(message.subject), str(message.body), html)
    if any("{{" in p or "}}" in p for p in parts):
        return None
    return parts


def _mustache(text: str) -> str:
    return _LOCAL.sub(r"{{{\1}}}", text)


def send(connection: Any, message: EmailMessage, send_one: SendOne) -> list[Any] | None:
    """Send a merged ``message`` in batch calls; None when it cannot be stored.

    Raises NotNow when storing the template failed for a reason that may pass:
    nothing was sent to anybody.
    """
    parts = _parts(message)
    if parts is None:
        return None
    subject, text, html = parts
    try:
        template_id = _create(connection, subject, text, html)
    except _Refused:
        return None
    try:
        outcomes: list[Any] = []
        for chunk in _chunks(message.to, POSTMARK_BATCH):
            outcomes += send_one(connection, _templated(message, chunk, template_id))
        return outcomes
    finally:
        _delete(connection, template_id)


class _Refused(Exception):
    pass


def _request(connection: Any, method: str, path: str, **kwargs: Any) -> Any:
    connection.open()
    return connection.session.request(
        method,
        connection.api_url + path,
        headers={
            "Accept": "application/json",
            "Content-Type": "application/json",
            "X-Postmark-Server-Token": connection.server_token,
        },
        timeout=connection.timeout,
        **kwargs,
    )


def _create(connection: Any, subject: str, text: str, html: str) -> int:
    alias = f"herald-batch-{uuid.uuid4().hex}"
    try:
        response = _request(
            connection,
            "POST",
            "templates",
            json={
                "Name": alias,
                "Alias": alias,
                "TemplateType": "Standard",
                "Subject": _mustache(subject),
                "TextBody": _mustache(text),
                "HtmlBody": _mustache(html),
            },
        )
    except Exception as exc:  # no connection, no answer: no reader has anything
        raise NotNow(f"storing the template: {type(exc).__name__}: {exc}") from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise NotNow(f"storing the template: HTTP {response.status_code}")
    if response.status_code != 200:
        log.warning(
            "Postmark refused a batch template (HTTP %s: %s); sending one by one",
            response.status_code,
            response.text[:300],
        )
        raise _Refused
    try:
        return int(response.json()["TemplateId"])
    except (ValueError, KeyError, TypeError) as exc:
        raise NotNow("storing the template: an answer without TemplateId") from exc


def _delete(connection: Any, template_id: int) -> None:
    try:
        _request(connection, "DELETE", f"templates/{template_id}")
    except Exception:  # a template left behind harms nobody
        log.warning("could not delete Postmark template %s", template_id)


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _by_spec(mapping: dict[str, Any]) -> dict[str, Any]:
    return {address_key(key): value for key, value in mapping.items()}


def _templated(
    message: EmailMessage, chunk: list[str], template_id: int
) -> EmailMessage:
    """Anymail's templated batch message for the ``chunk`` of recipients."""
    data = _by_spec(getattr(message, "merge_data", None) or {})
    headers = _by_spec(getattr(message, "merge_headers", None) or {})
    metadata = _by_spec(getattr(message, "merge_metadata", None) or {})
    domain = (parseaddr(str(message.from_email))[1] or "@localhost").rpartition("@")[2]
    out = EmailMessage(
        subject="",
        body="",
        from_email=message.from_email,
        to=chunk,
        reply_to=message.reply_to,
    )
    # Every header goes in each recipient's own headers: the same email, and
    # anymail then need not merge two header sets per recipient.
    shared = {k: v for k, v in message.extra_headers.items() if k != "Message-ID"}
    out.template_id = template_id  # type: ignore[attr-defined]
    out.merge_global_data = dict(  # type: ignore[attr-defined]
        getattr(message, "merge_global_data", None) or {}
    )
    merge_data, merge_headers, merge_metadata = {}, {}, {}
    for address in chunk:
        spec = addr_spec(address)
        key = spec.lower()
        merge_data[spec] = {k: str(v) for k, v in (data.get(key) or {}).items()}
        own = {**shared, **(headers.get(key) or {})}
        own.setdefault("Message-ID", make_msgid(domain=domain or "localhost"))
        merge_headers[spec] = own
        extra = metadata.get(key)
        if extra:
            merge_metadata[spec] = extra
    out.merge_data = merge_data  # type: ignore[attr-defined]
    out.merge_headers = merge_headers  # type: ignore[attr-defined]
    if merge_metadata:
        out.merge_metadata = merge_metadata  # type: ignore[attr-defined]
    for attr in ("metadata", "tags", "track_clicks", "track_opens"):
        if getattr(message, attr, None) is not None:
            setattr(out, attr, getattr(message, attr))
    return out
