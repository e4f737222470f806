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
    if settings.EMAIL_BACKEND in UNDELIVERED_MAIL_BACKENDS:
        errors.append(
            Error(
                f"EMAIL_BACKEND is {settings.EMAIL_BACKEND!r}: sign-in codes and "
                "links would go to the logs or nowhere instead of to readers.",
                hint="Set HERALD_EMAIL_BACKEND to a delivering backend (SMTP or an "
                "Anymail ESP) and HERALD_EMAIL_HOST/HERALD_EMAIL_PORT if SMTP.",
                id="herald.E002",
            )
        )
    return errors
