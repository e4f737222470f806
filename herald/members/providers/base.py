"""The payment provider interface: what Herald asks of Stripe (or a stand-in).

Settings pick the provider (``HERALD_PAYMENTS_PROVIDER``: ``stripe`` or
``dummy``). Every method may raise ``ProviderError`` for an expected failure of
the provider (network, refused request); callers show a clear message.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class ProviderError(Exception):
    """The provider refused or could not be reached."""


class InvalidWebhook(ProviderError):
    """A webhook whose signature or body does not verify."""


@dataclass(frozen=True)
class SubscriptionState:
    """A subscription as the provider sees it now (or at an event's time)."""

    id: str
    customer_id: str
    status: str
    created: int = 0
    interval: str = ""
    current_period_end: datetime | None = None
    cancel_at_period_end: bool = False
    trial_end: datetime | None = None
    canceled_at: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InvoiceState:
    id: str
    customer_id: str
    subscription_id: str | None
    amount_paid: int
    currency: str
    paid_at: datetime | None


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event, reduced to what Herald uses."""

    id: str
    type: str
    created: int
    subscription: SubscriptionState | None = None
    subscription_id: str | None = None
    customer_id: str | None = None
    client_reference_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    invoice: InvoiceState | None = None


@dataclass(frozen=True)
class CheckoutRequest:
    """What a checkout needs to know about the member and what they buy."""

    member_uuid: str
    email: str
    customer_id: str
    tier_slug: str
    tier_name: str
    interval: str
    amount: int
    currency: str
    success_url: str
    cancel_url: str
    trial_days: int = 0
    coupon_id: str = ""
    offer_code: str = ""


class PaymentProvider(ABC):
    """One payment service. Implementations hold no state between calls."""

    name: str = "base"

    @abstractmethod
    def create_checkout(self, request: CheckoutRequest) -> str:
        """Start a hosted checkout for a subscription; return the URL to send the
        member to."""

    @abstractmethod
    def create_portal(self, *, customer_id: str, return_url: str) -> str:
        """Return the URL of the provider's billing portal for ``customer_id``."""

    @abstractmethod
    def parse_webhook(self, payload: bytes, headers: Any) -> ProviderEvent:
        """Verify a webhook's signature and decode it; raise ``InvalidWebhook``."""

    @abstractmethod
    def fetch_subscription(self, subscription_id: str) -> SubscriptionState:
        """Return the subscription's current state from the provider."""

    @abstractmethod
    def list_subscriptions(self, *, customer_id: str) -> list[SubscriptionState]:
        """Return every subscription of a customer (to link imported members)."""

    @abstractmethod
    def cancel_subscription(self, subscription_id: str) -> None:
        """Cancel a subscription now (when its member deletes the account)."""

    @abstractmethod
    def ensure_coupon(self, *, offer: Any, currency: str) -> str:
        """Return the provider's coupon id for ``offer``'s discount, creating it."""

    def checkout_origins(self) -> list[str]:
        """Origins the browser is sent to (for the form-action CSP)."""
        return []
