"""A stand-in provider for development: a local "checkout" page, no real money.

Its checkout URL leads to ``members:dummy_checkout``, a page with a Pay button
that activates the subscription at once. It is refused unless settings choose
this provider, so it can never grant access on a site that takes payments.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from .base import (
    CheckoutRequest,
    InvalidWebhook,
    PaymentProvider,
    ProviderError,
    ProviderEvent,
    SubscriptionState,
)

SALT = "herald.members.dummy-checkout"


class DummyProvider(PaymentProvider):
    name = "dummy"

    def create_checkout(self, request: CheckoutRequest) -> str:
        token = signing.dumps(
            {
                "member": request.member_uuid,
                "tier": request.tier_slug,
                "interval": request.interval,
                "trial_days": request.trial_days,
                "offer": request.offer_code,
                "amount": request.amount,
                "currency": request.currency,
                "success_url": request.success_url,
                "cancel_url": request.cancel_url,
            },
            salt=SALT,
        )
        return f"{reverse('members:dummy_checkout')}?session={token}"

    @staticmethod
    def read_session(token: str) -> dict[str, Any]:
        try:
            return signing.loads(token, salt=SALT, max_age=3600)
        except signing.BadSignature as error:
            raise ProviderError("This checkout link is not valid.") from error

    @staticmethod
    def paid_state(session: dict[str, Any], *, customer_id: str) -> SubscriptionState:
        now = timezone.now()
        days = 365 if session["interval"] == "year" else 31
        trial = int(session.get("trial_days") or 0)
        return SubscriptionState(
            id=f"dummy_sub_{secrets.token_hex(8)}",
            customer_id=customer_id,
            status="trialing" if trial else "active",
            created=int(now.timestamp()),
            interval=session["interval"],
            current_period_end=now + timedelta(days=trial or days),
            trial_end=now + timedelta(days=trial) if trial else None,
            metadata={
                "herald_member": session["member"],
                "herald_tier": session["tier"],
                "herald_offer": session.get("offer") or "",
            },
        )

    def create_portal(self, *, customer_id: str, return_url: str) -> str:
        return reverse("members:account")

    def parse_webhook(self, payload: bytes, headers: Any) -> ProviderEvent:
        raise InvalidWebhook("The dummy provider receives no webhooks.")

    def fetch_subscription(self, subscription_id: str) -> SubscriptionState:
        from herald.members.models import Subscription

        row = Subscription.objects.filter(
            provider_subscription_id=subscription_id
        ).first()
        if row is None:
            raise ProviderError("No such subscription.")
        return SubscriptionState(
            id=subscription_id,
            customer_id=row.provider_customer_id,
            status=row.status,
            created=int(row.created_at.timestamp()),
            interval=row.interval,
            current_period_end=row.current_period_end,
            cancel_at_period_end=row.cancel_at_period_end,
        )

    def list_subscriptions(self, *, customer_id: str) -> list[SubscriptionState]:
        return []

    def cancel_subscription(self, subscription_id: str) -> None:
        return None

    def ensure_coupon(self, *, offer: Any, currency: str) -> str:
        return f"dummy_coupon_{offer.code}"
