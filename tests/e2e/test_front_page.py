"""The front page and the publication's looks in Chromium.

axe-core finds no serious or critical violation on the front page with a
breaking picture lead and with a text lead (wide and phone, light and dark);
the logo switches to its dark variant in dark mode, or sits on a light plate
without one; a printed article starts with the masthead.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.images import get_image_model

from herald.newsroom.testing import (
    make_article,
    make_image,
    make_section,
    set_publication,
)
from tests.e2e.test_accessibility import axe_violations

SERIOUS = ("(serious)", "(critical)")


def wordmark(colour: tuple[int, int, int, int]):
    """A transparent PNG with a block of ``colour``: a stand-in wordmark."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGBA", (400, 80), (0, 0, 0, 0))
    ImageDraw.Draw(picture).rectangle([10, 10, 390, 70], fill=colour)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return get_image_model().objects.create(
        title="Logo",
        description="The Tidewater Courier",
        credit="",
        file=ImageFile(buffer, name=f"logo-{colour[0]}.png"),
    )


def front_page(*, lead_picture: bool) -> dict:
    set_publication(
        name="The Tidewater Courier",
        tagline="News from the estuary towns",
        time_zone="Europe/Amsterdam",
    )
    world, sport = make_section("World"), make_section("Sport")
    now = timezone.now()
    for i in range(14):
        make_article(
            sport if i % 2 else world,
            f"Harbour story {i}",
            dek="What changed on the quay this week.",
            hero_image=make_image(color=(40 + i * 10, 90, 120)),
            published_at=now - timedelta(hours=i + 1, minutes=5),
        )
    lead = make_article(
        world,
        "Storm surge closes the harbour",
        dek="Ferries are cancelled until Thursday; the coastguard asks people to "
        "stay off the sea wall.",
        hero_image=make_image(color=(30, 60, 90)) if lead_picture else None,
        is_breaking=True,
        published_at=now - timedelta(minutes=20),
    )
    return {"lead": lead}


@pytest.mark.parametrize("lead_picture", [True, False], ids=["picture", "text"])
def test_front_page_leads_have_no_serious_axe_violations(page, lead_picture):
    site = front_page(lead_picture=lead_picture)
    found = []
    for width, height in ((1280, 900), (375, 812)):
        page.set_viewport_size({"width": width, "height": height})
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            response = page.goto("/")
            assert response is not None and response.status == 200
            lead = page.locator(".card-lead")
            assert site["lead"].title in lead.inner_text()
            assert lead.locator(".breaking-tag").is_visible()
            assert (lead.locator("img").count() > 0) is lead_picture
            found += [
                f"[{width}px, {scheme}] {v}"
                for v in axe_violations(page)
                if v.split(" — ")[0].endswith(SERIOUS)
            ]
    assert not found, "\n".join(found)


def test_a_text_lead_leaves_no_empty_block(page):
    front_page(lead_picture=False)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    lead = page.locator(".card-text-lead").bounding_box()
    title = page.locator(".card-text-lead .card-title").bounding_box()
    side = page.locator(".front-top .top-side").bounding_box()
    assert lead and title and side
    # The text lead spans the page and the top stories sit under it.
    assert lead["width"] > 1000
    assert side["y"] >= lead["y"] + lead["height"]
    # The card is its words: no block taller than its text plus the dek.
    assert lead["height"] < title["height"] + 250


def test_the_logo_has_a_dark_variant_in_dark_mode(page):
    light, dark = wordmark((20, 20, 20, 255)), wordmark((240, 240, 240, 255))
    set_publication(name="The Tidewater Courier", logo=light, logo_dark=dark)
    make_article(make_section("World"), "A story")
    sources = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto("/")
        img = page.locator(".wordmark-logo img")
        assert img.is_visible()
        sources[scheme] = img.evaluate("i => i.currentSrc")
    assert "logo-20" in sources["light"]
    assert "logo-240" in sources["dark"]


def test_a_logo_without_a_dark_variant_sits_on_a_light_plate(page):
    set_publication(name="The Tidewater Courier", logo=wordmark((20, 20, 20, 255)))
    make_article(make_section("World"), "A story")
    backgrounds = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto("/")
        backgrounds[scheme] = page.locator(".wordmark-logo img").evaluate(
            "i => getComputedStyle(i).backgroundColor"
        )
    assert backgrounds["light"] == "rgba(0, 0, 0, 0)"
    assert backgrounds["dark"] == "rgb(251, 249, 244)"


def test_a_printed_article_starts_with_the_masthead(page):
    set_publication(name="The Tidewater Courier", tagline="News from the estuary")
    article = make_article(
        make_section("World"),
        "Printable story",
        editors_note="<p>This story is part of our series on the coast.</p>",
        is_breaking=True,
    )
    page.emulate_media(media="print")
    page.goto(article.url)
    assert page.locator(".masthead .wordmark").is_visible()
    assert "The Tidewater Courier" in page.locator(".masthead").inner_text()
    for hidden in (".topbar", ".site-nav", ".breaking", ".site-footer"):
        assert not page.locator(hidden).first.is_visible(), hidden
    masthead = page.locator(".masthead").bounding_box()
    title = page.locator("#story-title").bounding_box()
    note = page.locator(".editors-note").bounding_box()
    assert masthead and title and note
    assert masthead["y"] < title["y"] < note["y"]
