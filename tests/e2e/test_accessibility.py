"""Accessibility of the reader pages in Chromium: axe-core, keyboard, small screens.

Every reader page type is checked with axe-core against WCAG 2.0, 2.1 and 2.2 A
and AA rules, on a wide and a phone-sized window, in the light and the dark
colour scheme. The pages must also fit a 320 px screen without sideways
scrolling, start with the skip link, and have one h1.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from herald.members.models import AccessLevel, Tier
from herald.newsroom.testing import (
    make_article,
    make_author,
    make_image,
    make_section,
    make_standard_page,
    set_publication,
)

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}


def full_body(image_pk: int) -> str:
    """A body with every kind of block a story can hold."""
    blocks = [
        {"type": "paragraph", "value": "<p>The harbour reopened at dawn.</p>"},
        {"type": "paragraph", "value": '<p>See <a href="/world/">the desk</a>.</p>'},
        {"type": "heading", "value": {"text": "What changed", "level": "h2"}},
        {
            "type": "image",
            "value": {
                "image": image_pk,
                "caption": "Cranes on the quay.",
                "credit": "",
                "alt_text": "",
            },
        },
        {
            "type": "pullquote",
            "value": {"quote": "We waited long enough.", "attribution": "A chandler"},
        },
        {
            "type": "blockquote",
            "value": {"quote": "La mer monte.", "attribution": "", "language": "fr"},
        },
        {
            "type": "factbox",
            "value": {"title": "In numbers", "body": "<ul><li>Six berths</li></ul>"},
        },
        {
            "type": "embed",
            "value": {
                "embed": "https://www.youtube.com/watch?v=aaaaaaaaaaa",
                "fallback_title": "Watch the opening",
                "caption": "",
            },
        },
        {
            "type": "source",
            "value": {
                "title": "Port authority notice",
                "url": "https://example.org/notice",
                "document": None,
                "description": "Published on Monday.",
            },
        },
        {"type": "paragraph", "value": "<p>Ships will return next week.</p>"},
    ]
    return json.dumps(blocks)


@pytest.fixture
def reader_site(live_server):
    set_publication(
        name="The Tidewater Courier",
        tagline="News from the estuary towns",
        support_url="/support/",
        about_url="/about/",
        google_news_url="https://news.google.com/publications/CAAq",
        mastodon_url="https://mastodon.example/@courier",
    )
    world = make_section("World", intro="Our correspondents abroad.")
    asia = make_section("Asia", parent=world)
    sport = make_section("Sport")
    ada = make_author(
        "Ada Quill",
        role="Harbour reporter",
        photo=make_image(width=300, height=300),
        bio="<p>Ada has covered the port since 2015.</p>",
    )
    ben = make_author("Ben Marsh", photo=make_image(width=300, height=300))
    now = timezone.now()
    free = make_article(
        world,
        "Harbour reopens after the winter storms",
        dek="Ferries return to the islands on Monday.",
        body=full_body(make_image(color=(120, 60, 40)).pk),
        authors=[ada, ben],
        tags=["harbour", "ferries"],
        hero_image=make_image(),
        hero_caption="The first ferry leaves the quay.",
        corrections=["An earlier version gave the wrong date."],
        is_breaking=True,
        published_at=now - timedelta(minutes=30),
    )
    gated = make_article(
        asia,
        "Inside the port contracts",
        dek="Three deals, one supplier.",
        paragraphs=["Open paragraph.", "Second open paragraph.", "Members only."],
        paywall_after=2,
        access_level=AccessLevel.PAID,
        authors=[ada],
        tags=["harbour"],
        hero_image=make_image(color=(30, 110, 120)),
        published_at=now - timedelta(hours=2),
    )
    for i in range(4):
        make_article(
            sport if i % 2 else world,
            f"Harbour league round {i}",
            dek="Results from the weekend.",
            authors=[ben],
            tags=["harbour"],
            hero_image=make_image(color=(60, 120, 80)),
            published_at=now - timedelta(hours=3 + i),
        )
    policy = make_standard_page(
        "Corrections policy",
        kind="corrections",
        intro="How we fix our mistakes.",
        body="<h2>When we correct</h2><p>We say what was wrong, and when.</p>",
    )
    Tier.objects.create(
        name="Patron", slug="patron", monthly_price=900, yearly_price=9000
    )
    return {
        "home": "/",
        "section": "/world/",
        "standard page": policy.url,
        "plans": "/account/plans/",
        "article (free)": free.url,
        "article (gated, anonymous)": gated.url,
        "author": ada.get_absolute_url(),
        "tag": "/tag/harbour/",
        "search results": "/search/?q=harbour",
        "404": "/no-such-page/",
    }


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("width,height", [(1280, 900), (375, 812)])
def test_reader_pages_have_no_axe_violations(page, reader_site, width, height):
    page.set_viewport_size({"width": width, "height": height})
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for name, url in reader_site.items():
            response = page.goto(url)
            assert response is not None
            assert response.status == (404 if name == "404" else 200), name
            violations = axe_violations(page)
            if violations:
                found[f"{name} {url} [{width}px, {scheme}]"] = violations
    report = "\n".join(f"{page}: {v}" for page, vs in found.items() for v in vs)
    assert not found, report


@pytest.mark.parametrize(
    "kind",
    [
        "article (free)",
        "article (gated, anonymous)",
        "section",
        "home",
        "search results",
    ],
)
def test_pages_fit_a_320px_screen(page, reader_site, kind):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(reader_site[kind])
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, reader_site):
    for name in ("home", "article (free)", "404"):
        page.goto(reader_site[name])
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "[document.activeElement.className,"
            " document.activeElement.getAttribute('href')]"
        )
        assert focused == ["skip-link", "#main"], name
        assert page.locator(".skip-link").is_visible()  # shown when focused
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"
        assert page.evaluate("document.activeElement.id") == "main"


def test_every_reader_page_has_exactly_one_h1(page, reader_site):
    for name, url in reader_site.items():
        page.goto(url)
        assert page.locator("h1").count() == 1, name


def test_sections_menu_opens_on_a_phone_without_javascript(
    browser, live_server, reader_site
):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 812},
        java_script_enabled=False,
    )
    page = context.new_page()
    try:
        page.goto("/")
        menu = page.locator("details.nav-menu")
        assert menu.is_visible()
        asia = menu.get_by_role("link", name="Asia")
        assert not asia.is_visible()
        menu.locator("summary").click()
        assert asia.is_visible()
        assert page.locator(".nav-row").is_hidden()
    finally:
        context.close()
