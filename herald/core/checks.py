"""System checks that keep a production site from starting half-configured."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error

# Mail backends that never deliver: they print, keep in memory, write files or drop.
UNDELIVERED_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "anymail.backends.test.EmailBackend",
}

OUTBOX_BACKEND = "herald.outbox.backends.OutboxBackend"
# Outbox provider names (herald.outbox.providers) that deliver nothing.
UNDELIVERED_PROVIDERS = {"console", "locmem", "test"}
# Outbox provider names that are ESPs reporting bounces through webhooks.
ESP_PROVIDERS = {
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
}


def live_providers(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Refuse the test checkout and undelivered mail where real readers pay and sign in.

    Runs only when the settings ask for it (production does): the demo and the
    tests keep the dummy checkout and the console or in-memory mail backend.
    """
    if not getattr(settings, "HERALD_REQUIRE_LIVE_PROVIDERS", False):
        return []
    errors: list[Error] = []
    provider = getattr(settings, "HERALD_PAYMENTS_PROVIDER", "")
    missing = [
        name
        for name, value in (
            ("HERALD_STRIPE_SECRET_KEY", settings.HERALD_STRIPE_SECRET_KEY),
            ("HERALD_STRIPE_WEBHOOK_SECRET", settings.HERALD_STRIPE_WEBHOOK_SECRET),
        )
        if not value
    ]
    if provider != "stripe" or missing:
        errors.append(
            Error(
                f"The payment provider is {provider or 'dummy'!r} and "
                f"{', '.join(missing) or 'no key is missing'}: production would "
                "hand out paid tiers through the free test checkout.",
                hint="Set HERALD_STRIPE_SECRET_KEY and HERALD_STRIPE_WEBHOOK_SECRET "
                "(and HERALD_PAYMENTS_PROVIDER=stripe, or leave it empty).",
                id="herald.E001",
            )
        )
    # The outbox (herald.outbox) keeps every email and delivers it through
    # HERALD_EMAIL_PROVIDER: that provider is what must deliver.
    provider = str(getattr(settings, "HERALD_EMAIL_PROVIDER", "") or "")
    delivering = (
        provider if settings.EMAIL_BACKEND == OUTBOX_BACKEND else settings.EMAIL_BACKEND
    )
    if (
        delivering in UNDELIVERED_MAIL_BACKENDS
        or delivering.lower() in UNDELIVERED_PROVIDERS
    ):
        errors.append(
            Error(
                f"Email is delivered by {delivering!r}: sign-in codes and "
                "links would go to the logs or nowhere instead of to readers.",
                hint="Set HERALD_EMAIL_PROVIDER to smtp (with HERALD_EMAIL_HOST and "
                "HERALD_EMAIL_PORT) or to an ESP such as postmark or mailgun (with "
                "HERALD_EMAIL_API_KEY).",
                id="herald.E002",
            )
        )
    anymail = getattr(settings, "ANYMAIL", {}) or {}
    if (
        settings.EMAIL_BACKEND == OUTBOX_BACKEND
        and provider.lower() in ESP_PROVIDERS
        and not anymail.get("WEBHOOK_SECRET")
    ):
        errors.append(
            Error(
                f"HERALD_EMAIL_PROVIDER is {provider!r} but "
                "HERALD_EMAIL_WEBHOOK_SECRET is empty: bounces and complaints "
                "could not be received, and nobody would be suppressed.",
                hint="Set HERALD_EMAIL_WEBHOOK_SECRET to user:password and give the "
                "ESP https://user:password@<host>/email/webhooks/<esp>/tracking/.",
                id="herald.E003",
            )
        )
    return errors
