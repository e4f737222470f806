"""Payment providers; ``get_provider()`` returns the one the settings choose."""

from __future__ import annotations

from django.conf import settings

from .base import PaymentProvider


def get_provider() -> PaymentProvider:
    name = getattr(settings, "HERALD_PAYMENTS_PROVIDER", "dummy")
    if name == "stripe":
        from .stripe import StripeProvider

        return StripeProvider()
    from .dummy import DummyProvider

    return DummyProvider()
