"""Stripe, through the official ``stripe`` SDK (Checkout, billing portal, webhooks).

``HERALD_STRIPE_API_BASE`` points the SDK at another server (tests run a local
Stripe-compatible one); otherwise the SDK talks to Stripe.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import stripe
from django.conf import settings

from .base import (
    CheckoutRequest,
    InvalidWebhook,
    InvoiceState,
    PaymentProvider,
    ProviderError,
    ProviderEvent,
    SubscriptionState,
)

STRIPE_ORIGINS = ["https://checkout.stripe.com", "https://billing.stripe.com"]


def _dt(value: Any) -> datetime | None:
    if value in (None, "", 0):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def _as_dict(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return obj
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return {}


def _id(value: Any) -> str | None:
    """An expandable field: an id string or an object with an ``id``."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return _as_dict(value).get("id")


def subscription_state(obj: Any) -> SubscriptionState:
    """Read a Stripe subscription object (old or new API versions)."""
    data = _as_dict(obj)
    items = (data.get("items") or {}).get("data") or []
    first = items[0] if items else {}
    price = first.get("price") or first.get("plan") or {}
    interval = (price.get("recurring") or {}).get("interval") or price.get(
        "interval", ""
    )
    # Since API 2025-03-31 the period lives on the items.
    period_end = data.get("current_period_end") or first.get("current_period_end")
    return SubscriptionState(
        id=data["id"],
        customer_id=_id(data.get("customer")) or "",
        status=data.get("status", ""),
        created=int(data.get("created") or 0),
        interval=interval or "",
        current_period_end=_dt(period_end),
        cancel_at_period_end=bool(data.get("cancel_at_period_end")),
        trial_end=_dt(data.get("trial_end")),
        canceled_at=_dt(data.get("canceled_at") or data.get("ended_at")),
        metadata={k: str(v) for k, v in (data.get("metadata") or {}).items()},
    )


def _invoice_subscription_id(data: dict[str, Any]) -> str | None:
    found = _id(data.get("subscription"))
    if found:
        return found
    parent = data.get("parent") or {}
    details = parent.get("subscription_details") or {}
    found = _id(details.get("subscription"))
    if found:
        return found
    for line in (data.get("lines") or {}).get("data") or []:
        found = _id(line.get("subscription")) or _id(
            ((line.get("parent") or {}).get("subscription_item_details") or {}).get(
                "subscription"
            )
        )
        if found:
            return found
    return None


class StripeProvider(PaymentProvider):
    name = "stripe"

    def __init__(self) -> None:
        base = getattr(settings, "HERALD_STRIPE_API_BASE", "")
        if base:
            stripe.api_base = base.rstrip("/")
        self.api_key = getattr(settings, "HERALD_STRIPE_SECRET_KEY", "")
        self.webhook_secret = getattr(settings, "HERALD_STRIPE_WEBHOOK_SECRET", "")

    def _call(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, api_key=self.api_key, **kwargs)
        except stripe.StripeError as error:
            raise ProviderError(str(error.user_message or error)) from error

    def create_checkout(self, request: CheckoutRequest) -> str:
        metadata = {
            "herald_member": request.member_uuid,
            "herald_tier": request.tier_slug,
            "herald_interval": request.interval,
        }
        if request.offer_code:
            metadata["herald_offer"] = request.offer_code
        subscription_data: dict[str, Any] = {"metadata": metadata}
        if request.trial_days:
            subscription_data["trial_period_days"] = request.trial_days
        params: dict[str, Any] = {
            "mode": "subscription",
            "line_items": [{"quantity": 1, "price": self._ensure_price(request)}],
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "client_reference_id": request.member_uuid,
            "metadata": metadata,
            "subscription_data": subscription_data,
        }
        if request.customer_id:
            params["customer"] = request.customer_id
        else:
            params["customer_email"] = request.email
        if request.coupon_id:
            params["discounts"] = [{"coupon": request.coupon_id}]
        session = self._call(stripe.checkout.Session.create, **params)
        url = _as_dict(session).get("url")
        if not url:
            raise ProviderError("Stripe returned no checkout URL.")
        return str(url)

    def _ensure_price(self, request: CheckoutRequest) -> str:
        """The Stripe price for this tier, period, amount and currency.

        Prices are found by a lookup key naming all four, so a price change in
        the admin makes a new Stripe price and existing subscribers keep theirs.
        """
        currency = request.currency.lower()
        key = (
            f"herald_{request.tier_slug}_{request.interval}_{request.amount}_{currency}"
        )[:200]
        found = _as_dict(
            self._call(stripe.Price.list, lookup_keys=[key], active=True, limit=1)
        )
        for price in found.get("data") or []:
            return str(price["id"])
        price = self._call(
            stripe.Price.create,
            unit_amount=request.amount,
            currency=currency,
            recurring={"interval": request.interval},
            lookup_key=key,
            product_data={
                "name": request.tier_name,
                "metadata": {"herald_tier": request.tier_slug},
            },
            metadata={"herald_tier": request.tier_slug},
        )
        return str(_as_dict(price)["id"])

    def create_portal(self, *, customer_id: str, return_url: str) -> str:
        session = self._call(
            stripe.billing_portal.Session.create,
            customer=customer_id,
            return_url=return_url,
        )
        return str(_as_dict(session)["url"])

    def parse_webhook(self, payload: bytes, headers: Any) -> ProviderEvent:
        signature = headers.get("Stripe-Signature") or headers.get("stripe-signature")
        if not self.webhook_secret:
            raise InvalidWebhook("No webhook secret is configured.")
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, self.webhook_secret, api_key=self.api_key
            )
        except (stripe.SignatureVerificationError, ValueError, KeyError) as error:
            raise InvalidWebhook(str(error)) from error
        data = _as_dict(event)
        obj = (data.get("data") or {}).get("object") or {}
        kind = str(data.get("type", ""))
        base = {
            "id": str(data.get("id", "")),
            "type": kind,
            "created": int(data.get("created") or 0),
        }
        if not base["id"]:
            raise InvalidWebhook("Event without id.")
        object_type = obj.get("object")
        if object_type == "subscription":
            state = subscription_state(obj)
            return ProviderEvent(
                **base,
                subscription=state,
                subscription_id=state.id,
                customer_id=state.customer_id,
                metadata=state.metadata,
            )
        if object_type == "checkout.session":
            return ProviderEvent(
                **base,
                subscription_id=_id(obj.get("subscription")),
                customer_id=_id(obj.get("customer")),
                client_reference_id=obj.get("client_reference_id"),
                metadata={k: str(v) for k, v in (obj.get("metadata") or {}).items()},
            )
        if object_type == "invoice":
            transitions = obj.get("status_transitions") or {}
            invoice = InvoiceState(
                id=str(obj.get("id")),
                customer_id=_id(obj.get("customer")) or "",
                subscription_id=_invoice_subscription_id(obj),
                amount_paid=int(obj.get("amount_paid") or 0),
                currency=str(obj.get("currency") or ""),
                paid_at=_dt(transitions.get("paid_at") or obj.get("created")),
            )
            return ProviderEvent(
                **base,
                invoice=invoice,
                subscription_id=invoice.subscription_id,
                customer_id=invoice.customer_id,
            )
        return ProviderEvent(**base)

    def fetch_subscription(self, subscription_id: str) -> SubscriptionState:
        return subscription_state(
            self._call(stripe.Subscription.retrieve, subscription_id)
        )

    def list_subscriptions(self, *, customer_id: str) -> list[SubscriptionState]:
        result = _as_dict(
            self._call(stripe.Subscription.list, customer=customer_id, status="all")
        )
        return [subscription_state(item) for item in result.get("data") or []]

    def cancel_subscription(self, subscription_id: str) -> None:
        self._call(stripe.Subscription.cancel, subscription_id)

    def ensure_coupon(self, *, offer: Any, currency: str) -> str:
        if offer.provider_coupon_id:
            return str(offer.provider_coupon_id)
        params: dict[str, Any] = {
            "duration": offer.duration,
            "name": offer.name[:40],
            "metadata": {"herald_offer": offer.code},
        }
        if offer.discount_kind == "percent":
            params["percent_off"] = offer.discount_value
        else:
            params["amount_off"] = offer.discount_value
            params["currency"] = currency.lower()
        if offer.duration == "repeating":
            params["duration_in_months"] = offer.duration_months
        coupon = self._call(stripe.Coupon.create, **params)
        return str(_as_dict(coupon)["id"])

    def checkout_origins(self) -> list[str]:
        origins = list(STRIPE_ORIGINS)
        base = getattr(settings, "HERALD_STRIPE_API_BASE", "") or stripe.api_base
        parts = urlsplit(base)
        if parts.scheme and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
        return origins
