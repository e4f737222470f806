"""Run the local Stripe-compatible server on its own, for the demo.

    python -m tests.fakes.serve_stripe [--port 12111] [--webhook URL]

It serves the same API, hosted checkout and billing portal pages as in the
tests (``docs/testing-stripe.md``), keeps everything in memory, and signs the
webhooks it sends to ``--webhook`` (by default the demo's
``http://127.0.0.1:8000/account/webhooks/payments/``). It writes the settings
that point Herald at it, then runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
import threading

from tests.fakes.stripe_server import FakeStripe

DEMO_WEBHOOK = "http://127.0.0.1:8000/account/webhooks/payments/"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook", default=DEMO_WEBHOOK)
    args = parser.parse_args(argv)
    server = FakeStripe(port=args.port, business_name="The Avenell Courier").start()
    server.add_endpoint(args.webhook)
    sys.stdout.write(
        "Local Stripe-compatible server on "
        f"{server.url}; webhooks go to {args.webhook}.\n"
        "Start Herald with:\n"
        "  HERALD_PAYMENTS_PROVIDER=stripe "
        f"HERALD_STRIPE_API_BASE={server.url} "
        f"HERALD_STRIPE_SECRET_KEY={server.api_key} "
        f"HERALD_STRIPE_WEBHOOK_SECRET={server.webhook_secret} make demo\n"
        "Pay with the card 4242 4242 4242 4242, any future expiry and any CVC.\n"
    )
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
