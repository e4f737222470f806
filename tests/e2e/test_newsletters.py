"""Newsletter pages in Chromium: axe-core on each new screen, sign-up without JS."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from herald.newsletters import actions, queries
from herald.newsletters.models import Newsletter, Subscription, Visibility
from herald.newsroom.testing import home_page, set_publication

from .test_accessibility import axe_violations


@pytest.fixture
def letters(live_server):
    home_page()
    set_publication(name="The Tidewater Courier", newsletter_url="")
    morning = Newsletter.objects.create(
        name="Tide Tables",
        slug="tide-tables",
        description="The morning's five stories from the estuary towns.",
        default_for_new_members=True,
    )
    Newsletter.objects.create(
        name="Boatyard Notes", slug="boatyard", description="Weekly, on Fridays."
    )
    Newsletter.objects.create(
        name="Members' Ledger", slug="ledger", visibility=Visibility.PAID
    )
    request = actions.request_subscription([morning], email="ana@example.org")
    actions.confirm_subscriptions("ana@example.org", nonce=request.nonce)
    subscription = Subscription.objects.get(email="ana@example.org")
    actions.request_subscription([morning], email="bo@example.org")
    pending = Subscription.objects.get(email="bo@example.org")

    def local(url: str) -> str:
        return "/" + url.split("://", 1)[1].split("/", 1)[1]

    return {
        "newsletters": "/newsletters/",
        "newsletters (filled in)": (
            "/newsletters/?email=cy%40example.org&newsletter=boatyard"
        ),
        "archive": "/newsletters/tide-tables/",
        "archive (paid)": "/newsletters/ledger/",
        "confirm": local(queries.confirm_url("bo@example.org", pending.confirm_nonce)),
        "preferences": local(queries.preferences_url(subscription)),
        "unsubscribe": local(queries.one_click_unsubscribe_url(subscription)),
        "bad link": "/newsletters/preferences/forged:abc/",
    }


@pytest.mark.parametrize("width,height", [(1280, 900), (375, 812)])
def test_newsletter_pages_have_no_axe_violations(page, letters, width, height):
    page.set_viewport_size({"width": width, "height": height})
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for name, url in letters.items():
            response = page.goto(url)
            assert response is not None
            assert response.status == (404 if name == "bad link" else 200), name
            assert page.locator("h1").count() == 1, name
            violations = axe_violations(page)
            if violations:
                found[f"{name} {url} [{width}px, {scheme}]"] = violations
        # the form re-rendered with errors, and the "check your inbox" page
        page.goto("/newsletters/")
        page.fill("#id_email", "not an address")
        page.click("form.signup-form button[type=submit]")
        assert page.locator(".error").count() >= 1
        if violations := axe_violations(page):
            found[f"form errors [{width}px, {scheme}]"] = violations
    report = "\n".join(f"{p}: {v}" for p, vs in found.items() for v in vs)
    assert not found, report


def test_sign_up_from_the_footer_without_javascript(browser, live_server, letters):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        # given the home page's footer box (a kept page: no token in it)
        page.goto("/")
        page.fill("#footer-signup-email", "dee@example.org")
        page.locator("#footer-signup-email").press("Enter")
        # then the newsletters page shows the address and the default ticked
        assert page.input_value("#id_email") == "dee@example.org"
        assert page.is_checked("input[value=tide-tables]")
        page.check("input[value=boatyard]")
        page.click("form.signup-form button[type=submit]")
        assert "Check your inbox" in page.locator("h1").inner_text()
        # when the reader opens the emailed link and presses the button
        body = [m for m in mail.outbox if "dee@example.org" in m.to][-1].body
        link = re.search(r"https?://\S+/newsletters/confirm/\S+/", body).group(0)
        page.goto("/" + link.split("://", 1)[1].split("/", 1)[1])
        page.click("main form button[type=submit]")
        # then both newsletters are confirmed
        assert "You are subscribed" in page.locator("h1").inner_text()
        assert set(
            Subscription.objects.filter(
                email="dee@example.org", state="subscribed"
            ).values_list("newsletter__slug", flat=True)
        ) == {"tide-tables", "boatyard"}
    finally:
        context.close()


def test_newsletter_pages_fit_a_320px_screen(page, letters):
    page.set_viewport_size({"width": 320, "height": 640})
    for name in ("newsletters", "preferences", "archive"):
        page.goto(letters[name])
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, name
