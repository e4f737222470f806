"""The README and the tour tell the truth: their screenshots are there, and the
local Stripe-compatible server starts as the README says (issue 12)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n"


def test_the_tour_shows_every_screen_with_a_checked_in_screenshot():
    tour = (ROOT / "docs" / "tour.md").read_text()
    shown = re.findall(r"!\[([^\]]+)\]\(([^)]+)\)", tour)

    pictures = [path for _alt, path in shown]
    for path in pictures:
        file = ROOT / "docs" / path
        assert file.read_bytes()[:8] == PNG, path
        assert file.stat().st_size > 20_000, path  # a real screen, not a stub
    assert all(alt.strip() for alt, _path in shown)
    for screen in (
        "dashboard",
        "front-page-breaking-lead",
        "front-page-text-lead",
        "member",
        "account",
    ):
        assert f"screenshots/{screen}.png" in pictures, screen


def test_the_readme_says_where_demo_mail_goes_and_that_checkout_is_a_test():
    readme = (ROOT / "README.md").read_text()

    assert "Outbox" in readme
    assert "test checkout" in readme
    assert "python -m tests.fakes.serve_stripe" in readme
    for link in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / link).exists(), link


def test_the_local_stripe_server_prints_settings_that_reach_it():
    # given the command the README gives, on a free port
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.serve_stripe", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        printed = ""
        while "make demo" not in printed:
            line = server.stdout.readline()
            assert line, f"the server stopped: {printed!r}"
            printed += line
        found = dict(re.findall(r"(HERALD_[A-Z_]+)=(\S+)", printed))

        # then every printed setting is one Herald reads ...
        env = (ROOT / "herald" / "settings" / "env.py").read_text()
        assert set(found) == {
            "HERALD_PAYMENTS_PROVIDER",
            "HERALD_STRIPE_API_BASE",
            "HERALD_STRIPE_SECRET_KEY",
            "HERALD_STRIPE_WEBHOOK_SECRET",
        }
        assert all(f'"{name}"' in env for name in found)
        # ... and the base and key reach a Stripe API, which refuses another key
        base, key = found["HERALD_STRIPE_API_BASE"], found["HERALD_STRIPE_SECRET_KEY"]
        request = urllib.request.Request(
            f"{base}/v1/products", headers={"Authorization": f"Bearer {key}"}
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert json.load(answer)["object"] == "list"
        wrong = urllib.request.Request(
            f"{base}/v1/products", headers={"Authorization": "Bearer sk_test_wrong"}
        )
        try:
            urllib.request.urlopen(wrong, timeout=5)
            raise AssertionError("a wrong key was accepted")
        except urllib.error.HTTPError as refused:
            assert refused.code == 401
    finally:
        server.terminate()
        server.wait(timeout=10)
