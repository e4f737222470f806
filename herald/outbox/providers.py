"""Which real backend delivers the outbox's mail, and how to read its errors.

``HERALD_EMAIL_PROVIDER`` names the provider; this module alone turns the name
into a Django email backend and decides, for an error a backend raised, whether
the provider (a) did not take the message and a retry is safe, (b) refused it
for good, or (c) may have taken it: nobody knows (see CONTEXT.md).
"""

from __future__ import annotations

import smtplib
import socket
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection

# Provider name → Django email backend. Anymail's ESPs use their real API clients.
ANYMAIL_ESPS = (
    "amazon_ses",
    "brevo",
    "mailersend",
    "mailgun",
    "mailjet",
    "mailtrap",
    "mandrill",
    "postal",
    "postmark",
    "resend",
    "scaleway",
    "sendgrid",
    "sparkpost",
    "unisender_go",
)
BACKENDS: dict[str, str] = {
    "smtp": "herald.outbox.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "test": "anymail.backends.test.EmailBackend",
    **{esp: f"anymail.backends.{esp}.EmailBackend" for esp in ANYMAIL_ESPS},
}
# Providers that deliver nothing to readers: refused where readers sign in.
UNDELIVERED = {"console", "locmem", "test"}

# The setting key of each ESP's API URL override (tests point it at 127.0.0.1).
API_URL_SETTINGS = {
    "postmark": "POSTMARK_API_URL",
    "mailgun": "MAILGUN_API_URL",
    "sendgrid": "SENDGRID_API_URL",
    "brevo": "BREVO_API_URL",
    "resend": "RESEND_API_URL",
    "mailjet": "MAILJET_API_URL",
    "mailersend": "MAILERSEND_API_URL",
    "sparkpost": "SPARKPOST_API_URL",
    "postal": "POSTAL_API_URL",
    "mandrill": "MANDRILL_API_URL",
}


def provider_name() -> str:
    name = str(getattr(settings, "HERALD_EMAIL_PROVIDER", "") or "console")
    return name if "." in name else name.lower()


def delivery_backend_path(name: str | None = None) -> str:
    """The Django email backend that really delivers, for a provider name.

    Raises ImproperlyConfigured for an unknown name (checked at start-up).
    """
    name = name or provider_name()
    if "." in name:  # a dotted backend path: an operator's own backend
        return name
    try:
        return BACKENDS[name.lower()]
    except KeyError:
        raise ImproperlyConfigured(
            f"HERALD_EMAIL_PROVIDER={name!r} is not a provider Herald knows. "
            f"Choose one of: {', '.join(sorted(BACKENDS))}."
        ) from None


def open_connection(name: str | None = None) -> Any:
    """A delivery connection (not opened yet; use it as a context manager)."""
    return get_connection(delivery_backend_path(name), fail_silently=False)


def is_anymail(name: str | None = None) -> bool:
    return delivery_backend_path(name).startswith("anymail.")


# --- Reading errors -------------------------------------------------------------

Verdict = Literal["retry", "rejected", "unknown"]


@dataclass(frozen=True)
class Failure:
    """What an exception from a delivery backend means for the message."""

    verdict: Verdict
    detail: str
    status: int | None = None


def classify(error: BaseException) -> Failure:
    """Say whether the provider took the message, refused it, or we cannot tell.

    retry: an answer came back and it was "not now" (HTTP 429/5xx, SMTP 4xx), or
    no connection was made at all: the provider does not have the message.
    rejected: a permanent "no" (HTTP 4xx, SMTP 5xx, invalid address).
    unknown: the request went out and no answer came (read timeout, the
    connection dropped mid-way): it may have been delivered.
    """
    detail = f"{type(error).__name__}: {error}"[:2000]
    try:
        from anymail.exceptions import (
            AnymailAPIError,
            AnymailInvalidAddress,
            AnymailRecipientsRefused,
            AnymailUnsupportedFeature,
        )
    except ImportError:  # pragma: no cover - anymail is a dependency
        AnymailAPIError = AnymailInvalidAddress = AnymailRecipientsRefused = ()  # type: ignore[assignment,misc]
        AnymailUnsupportedFeature = ()  # type: ignore[assignment,misc]

    if isinstance(
        error,
        AnymailRecipientsRefused | AnymailInvalidAddress | AnymailUnsupportedFeature,
    ):
        return Failure("rejected", detail)
    if isinstance(error, AnymailAPIError):
        status = error.status_code
        if status is None:
            return _from_transport(error.__cause__ or error.__context__, detail)
        if status == 429 or status >= 500:
            return Failure("retry", detail, status)
        return Failure("rejected", detail, status)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        if codes and all(400 <= code < 500 for code in codes):
            return Failure("retry", detail, codes[0])
        return Failure("rejected", detail, codes[0] if codes else None)
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        if 400 <= code < 500:
            return Failure("retry", detail, code)
        if code >= 500:
            return Failure("rejected", detail, code)
    return _from_transport(error, detail)


def _from_transport(error: BaseException | None, detail: str) -> Failure:
    """Errors below the protocol: was a connection ever made?"""
    try:
        import requests
    except ImportError:  # pragma: no cover
        requests = None  # type: ignore[assignment]
    if requests is not None and isinstance(error, requests.exceptions.ConnectTimeout):
        return Failure("retry", detail)
    if requests is not None and isinstance(error, requests.exceptions.ConnectionError):
        # urllib3 says "NewConnectionError" when nothing was ever sent.
        reason = repr(error)
        if "NewConnectionError" in reason or "Connection refused" in reason:
            return Failure("retry", detail)
        return Failure("unknown", detail)
    if isinstance(error, smtplib.SMTPConnectError | ConnectionRefusedError):
        return Failure("retry", detail)
    if isinstance(error, socket.gaierror):
        return Failure("retry", detail)
    return Failure("unknown", detail)
