"""pytest fixtures for the fake Stripe (registered for the suite by conftest.py).

* ``stripe_server``: the running FakeStripe, emptied for each test; while the
  test runs the ``stripe`` SDK's globals and Herald's settings point at it.
* ``stripe_client``: a new-style ``stripe.StripeClient`` bound to it.
* ``django_client_endpoint(path)``: an in-process webhook endpoint that posts
  through Django's test client (for tests without a live server).

See docs/testing-stripe.md.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from tests.fakes.stripe_server import FakeStripe

SDK_GLOBALS = (
    "api_key",
    "api_base",
    "upload_api_base",
    "connect_api_base",
    "meter_events_api_base",
    "enable_telemetry",
    "max_network_retries",
)


@pytest.fixture(scope="session")
def stripe_server_process() -> Iterator[FakeStripe]:
    """One server for the whole test session; use ``stripe_server`` instead."""
    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture
def stripe_server(stripe_server_process: FakeStripe, settings) -> Iterator[FakeStripe]:
    server = stripe_server_process
    server.reset()
    saved = {name: getattr(stripe, name) for name in SDK_GLOBALS}
    stripe.api_key = server.api_key
    for name in SDK_GLOBALS[1:5]:
        setattr(stripe, name, server.url)
    stripe.enable_telemetry = False  # no ~/.config/stripe/telemetry_id, no extras
    stripe.max_network_retries = 0  # a failure shows at once, not after back-off
    settings.HERALD_STRIPE_API_BASE = server.url
    settings.HERALD_STRIPE_SECRET_KEY = server.api_key
    settings.HERALD_STRIPE_WEBHOOK_SECRET = server.webhook_secret
    try:
        yield server
    finally:
        server.reset()
        for name, value in saved.items():
            setattr(stripe, name, value)


@pytest.fixture
def stripe_client(stripe_server: FakeStripe) -> stripe.StripeClient:
    url = stripe_server.url
    addresses = {"api": url, "files": url, "connect": url, "meter_events": url}
    return stripe.StripeClient(stripe_server.api_key, base_addresses=addresses)


def django_client_endpoint(path: str, client=None):
    """A webhook target that posts the signed payload with Django's test client.

    Use: ``stripe_server.add_endpoint(django_client_endpoint("/stripe/webhook/"))``.
    A fresh anonymous client by default: Stripe is never signed in."""
    from django.test import Client

    poster = client or Client()

    def post(payload: bytes, headers: dict[str, str]) -> tuple[int, str]:
        response = poster.post(
            path,
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": headers["Stripe-Signature"]},
        )
        return response.status_code, response.content.decode(errors="replace")

    return post
