"""Keep an email whole as RFC 5322 text, and rebuild a Django message from it."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage as ParsedMessage
from email.utils import parseaddr
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives

# Headers Django writes itself from the message's fields.
_STRUCTURAL = {
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "reply-to",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
}


# A bare address made of dot-atoms only: ``parseaddr`` returns it unchanged, so
# it need not be parsed (a newsletter batch names thousands of such addresses).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_BARE = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


def addr_spec(address: str) -> str:
    """The address part of ``address`` ("Name <a@b>" → "a@b"), as given if none."""
    if _BARE.fullmatch(address):
        return address
    return parseaddr(address)[1] or address


def address_key(address: str) -> str:
    """``address`` as it is compared and looked up: its bare part, lower case
    (suppressions, merge data, outcomes)."""
    return addr_spec(address).lower()


def to_mime(message: EmailMessage) -> str:
    """The full message as text (Django adds Date and Message-ID if missing)."""
    return message.message().as_string()


def parse(mime: str) -> ParsedMessage:
    # From bytes, not from the string: Django sends short UTF-8 bodies as 8bit
    # text, and the string parser would decode them as Latin-1 ("adh�sion").
    parsed = email.message_from_bytes(
        mime.encode("utf-8", "surrogateescape"), policy=email.policy.default
    )
    assert isinstance(parsed, ParsedMessage)
    return parsed


def headers(mime: str) -> list[tuple[str, str]]:
    """Every header, decoded, in order (for the admin)."""
    return [(name, str(value)) for name, value in parse(mime).items()]


def parts(mime: str) -> tuple[str, str]:
    """The plain-text and HTML bodies ("" when a part is absent)."""
    parsed = parse(mime)
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    return (
        str(text.get_content()) if text is not None else "",
        str(html.get_content()) if html is not None else "",
    )


def rebuild(
    mime: str, *, to: list[str], cc: list[str], bcc: list[str], from_email: str
) -> EmailMultiAlternatives:
    """A Django message equal to the kept one, ready for any delivery backend.

    Date and Message-ID travel as headers, so a retry is the same message.
    """
    parsed = parse(mime)
    text, html = parts(mime)
    extra: dict[str, Any] = {
        name: str(value)
        for name, value in parsed.items()
        if name.lower() not in _STRUCTURAL
    }
    reply_to = [str(v) for v in parsed.get_all("Reply-To", [])]
    message = EmailMultiAlternatives(
        # Django folds a long encoded subject right after "Subject:", which
        # reads back with a leading space.
        subject=str(parsed.get("Subject", "")).strip(),
        body=text,
        from_email=from_email,
        to=to,
        cc=cc,
        bcc=bcc,
        reply_to=[a.strip() for v in reply_to for a in v.split(",") if a.strip()],
        headers=extra,
    )
    if html and text:
        message.attach_alternative(html, "text/html")
    elif html:
        message.body = html
        message.content_subtype = "html"
    for part in parsed.iter_attachments():
        payload = part.get_payload(decode=True)
        message.attach(
            part.get_filename() or "attachment",
            payload if isinstance(payload, bytes) else b"",
            part.get_content_type(),
        )
    return message
