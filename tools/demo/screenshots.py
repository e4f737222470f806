"""Screenshots of the demo's front page for docs/screenshots/ (Chromium, Playwright).

    .venv/bin/python -m tools.demo.screenshots [--out docs/screenshots]

Loads the demo publication into a throwaway SQLite database and media folder,
serves it with ``manage.py runserver`` on a free port, and photographs the top
of the front page in Debian's Chromium at 1280 × 1500 CSS pixels:

- ``front-page-breaking-lead.png``: the demo as loaded; its breaking story
  (the Ambre flood) leads, labelled, beside the editors' top stories;
- ``front-page-text-lead.png``: after the desk publishes a breaking story that
  has no picture yet, which leads as a text lead.

The server is restarted between the two, so nothing it kept is reused.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 1500}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("The demo server did not start.")


def _shoot(port: int, path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport=VIEWPORT)
        page.emulate_media(color_scheme="light")
        # The first view makes every picture's renditions: allow it minutes.
        page.goto(f"http://127.0.0.1:{port}/", wait_until="load", timeout=300_000)
        page.screenshot(path=str(path))
        browser.close()
    sys.stdout.write(f"Wrote {path.relative_to(ROOT)}\n")


def _publish_text_lead() -> None:
    """A breaking story the desk has no picture for yet."""
    from herald.newsroom.models import Author, SectionPage
    from herald.newsroom.testing import make_article, paragraphs_body

    make_article(
        SectionPage.objects.get(slug="politics"),
        "Premier Varga calls a snap vote on the harbour budget",
        dek="The Assembly will sit through the night; the Civic Alliance says it "
        "has the numbers, the opposition says it does not.",
        body=paragraphs_body(
            [
                "Premier Ilse Varga asked the National Assembly on Monday evening "
                "to vote before dawn on the harbour budget, cutting short a debate "
                "that was due to run until the end of the week.",
                "Our reporters are in the chamber; this story will be updated.",
            ]
        ),
        authors=[Author.objects.order_by("pk").first()],
        tags=["budget", "National Assembly"],
        is_breaking=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    out = Path(parser.parse_args().out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="herald-shots-"))
    port = _free_port()
    os.environ.update(
        HERALD_SQLITE_PATH=str(work / "demo.sqlite3"),
        HERALD_MEDIA_ROOT=str(work / "media"),
        HERALD_DEBUG="1",
        HERALD_SERVE_MEDIA="1",
        HERALD_INPROCESS_SCHEDULER="0",
        HERALD_ADMIN_PASSWORD=secrets.token_urlsafe(16),
    )
    sys.path.insert(0, str(ROOT))
    from herald.settings import env

    env.ensure_settings_module()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_demo", port=port, password_file=work / "password.txt")

    server = _serve(port)
    try:
        _shoot(port, out / "front-page-breaking-lead.png")
    finally:
        server.terminate()
        server.wait()
    _publish_text_lead()
    server = _serve(port)
    try:
        _shoot(port, out / "front-page-text-lead.png")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
