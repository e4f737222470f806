"""Browser tests: Playwright's Python API driving Debian's Chromium.

The browser is Debian's /usr/bin/chromium (`make chromium`); Playwright never
downloads one.
Every test here is marked ``browser`` and runs against pytest-django's live server.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = (
    os.environ.get("HERALD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; run `make chromium`.")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(request, browser, live_server):  # type: ignore[no-untyped-def]
    # Herald's service worker fetches the latest stories in the background
    # (offline reading); left running, it reaches the live server while the
    # test database is flushed. Only tests marked ``service_workers`` run it.
    workers = request.node.get_closest_marker("service_workers")
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        service_workers="allow" if workers else "block",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
