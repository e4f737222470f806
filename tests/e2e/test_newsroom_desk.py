"""The newsroom's desk in Chromium: local time, the dashboard, the story list.

An editor of a publication kept on Amsterdam time (the server runs on UTC)
schedules a contributor's story for 17:00 and sees 17:00 on the desk; then
corrects a live story, whose "Updated" time moves. axe finds no serious or
critical violation on the dashboard and the story list (demo data), and a
screenshot of the dashboard is saved when ``HERALD_SCREENSHOTS`` names a folder.
"""

from __future__ import annotations

import io
import os
import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from herald.members.models import Tier
from herald.newsroom.models import ArticlePage
from herald.newsroom.testing import (
    CONTRIBUTORS,
    EDITORS,
    NEWSROOM_PASSWORD,
    make_article,
    make_author,
    make_section,
    make_staff,
    set_publication,
)

from .test_newsroom_workflow import sign_in, watch_errors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ZONE = "Europe/Amsterdam"
HEADLINE = "Night ferries return to the islands after eleven winters away"
PARAGRAPH = "The first night ferry in eleven years left Port Avenell at ten."
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}


def tomorrow_at_five() -> datetime:
    zone = zoneinfo.ZoneInfo(ZONE)
    day = (timezone.now().astimezone(zone) + timedelta(days=1)).date()
    return datetime(day.year, day.month, day.day, 17, 0, tzinfo=zone)


def serious_violations(page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def new_context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_editor_schedules_in_local_time_approves_and_corrects(
    page, browser, live_server, settings
):
    if connection.vendor == "sqlite":
        settings.WAGTAIL_AUTOSAVE_INTERVAL = 0  # see test_newsroom_workflow
    assert settings.TIME_ZONE == "UTC"
    set_publication(name="The Avenell Courier", time_zone=ZONE)
    section = make_section("Transport")
    contributor = make_staff(CONTRIBUTORS)
    make_author("Mira Okafor", user=contributor)
    editor = make_staff(EDITORS)
    editor.first_name, editor.last_name = "Maren", "Oduya"
    editor.save()
    live_story = make_article(section, "Harbour crane toppled in the storm")
    Tier.objects.create(name="Patron", slug="patron")
    problems = watch_errors(page)

    # given: a contributor writes a long headline; their byline is filled in
    sign_in(page, contributor.email)
    page.get_by_role("link", name="New story in Transport").click()
    headline = page.get_by_role("textbox", name="Headline")
    headline.fill(HEADLINE)
    box = headline.bounding_box()
    assert box is not None and box["height"] > 40  # wrapped, not cut off
    # every line is visible: the field grew to its text, nothing scrolls inside
    assert headline.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    assert page.get_by_text("Mira Okafor").first.is_visible()
    # the tier boxes show only while access is "Specific tiers only"
    tiers = page.locator("[data-w-rules-target=show]")
    tiers.wait_for(state="hidden")
    page.select_option("#id_access_level", "tiers")
    tiers.wait_for(state="visible")
    assert page.get_by_role("checkbox", name="Patron").is_visible()
    page.select_option("#id_access_level", "public")
    tiers.wait_for(state="hidden")
    body = page.get_by_role("region", name="Body")
    body.get_by_role("button", name="Insert a block").first.click()
    page.get_by_role("option", name="Paragraph").click()
    body.get_by_role("textbox").first.click()
    page.keyboard.type(PARAGRAPH)
    page.wait_for_function(
        "text => document.querySelector('input[name=\"body-0-value\"]')"
        ".value.includes(text)",
        arg="eleven years",
    )
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Submit to Editorial review").click()
    page.get_by_text(re.compile("submitted for moderation")).first.wait_for()
    article = ArticlePage.objects.get(title=HEADLINE)
    assert [a.author.name for a in article.article_authors.all()] == ["Mira Okafor"]

    # when: the editor schedules it for 17:00 their time and approves
    context, desk = new_context(browser, live_server)
    try:
        problems += watch_errors(desk)
        sign_in(desk, editor.email)
        desk.get_by_role("link", name=HEADLINE).first.click()
        desk.wait_for_url(f"**/admin/pages/{article.pk}/edit/")
        go_live = tomorrow_at_five()
        desk.get_by_role("button", name="Toggle status").click()
        desk.get_by_role("button", name="Set schedule").click()
        dialog = desk.get_by_role("dialog")
        assert dialog.get_by_text(f"Time zone: {ZONE}").first.is_visible()
        dialog.get_by_label("Go live date/time").fill(
            go_live.strftime("%Y-%m-%d %H:%M")
        )
        dialog.get_by_role("button", name="Save schedule").dispatch_event("click")
        desk.wait_for_load_state("networkidle")
        desk.get_by_role("button", name="More actions").click()
        desk.get_by_role("button", name="Approve and Publish").click()
        desk.get_by_text(re.compile("has been")).first.wait_for()

        # then: it goes live at 17:00 Amsterdam time (16:00 or 15:00 UTC) ...
        article.refresh_from_db()
        scheduled = article.scheduled_revision.approved_go_live_at
        assert scheduled == go_live
        assert scheduled.astimezone(UTC).hour in (15, 16)
        # ... and the desk shows 17:00, in the publication's zone, with who set it
        desk.goto("/admin/")
        panel = desk.locator("#newsroom_scheduled-section, [id^=newsroom_scheduled]")
        row = desk.get_by_role("row", name=re.compile("Night ferries return"))
        row.first.wait_for()
        assert "17:00" in row.first.inner_text()
        assert "Maren Oduya" in row.first.inner_text()
        assert ZONE in desk.content()
        assert panel.count() >= 1

        # when: the editor corrects a live story in the admin
        desk.goto(f"/admin/pages/{live_story.pk}/edit/")
        desk.locator("#id_corrections-ADD").click()
        desk.locator("#id_corrections-0-text").fill(
            "An earlier version put the crane on the north quay."
        )
        assert desk.locator("#id_corrections-0-mark_updated").is_checked()
        desk.get_by_role("button", name="More actions").click()
        desk.get_by_role("button", name="Publish", exact=True).click()
        desk.get_by_text(re.compile("has been published")).first.wait_for()
    finally:
        context.close()

    # then: the story shows the correction and an Updated time
    live_story.refresh_from_db()
    assert live_story.display_updated_at is not None
    assert live_story.corrections.count() == 1
    page.goto(live_story.url)
    page.get_by_text("An earlier version put the crane on the north quay.").wait_for()
    assert problems == []


@pytest.fixture
def demo_editor(tmp_path, live_server):
    call_command(
        "load_demo",
        articles=20,
        password_file=tmp_path / "password.txt",
        stdout=io.StringIO(),
    )
    user = get_user_model().objects.get(email="maren.oduya@herald.localhost")
    user.set_password(NEWSROOM_PASSWORD)
    user.save()
    section = ArticlePage.objects.live().first().get_parent()
    draft = make_article(
        section.specific,
        "Harbour board weighs a night-time crane ban",
        publish=False,
        owner=user,
    )
    draft.save_revision(user=user)
    return user


def test_dashboard_and_story_list_pass_axe_on_demo_data(page, demo_editor):
    sign_in(page, demo_editor.email)

    page.goto("/admin/")
    page.get_by_role("heading", name="My drafts").wait_for()
    assert page.get_by_text("Harbour board weighs a night-time crane ban").is_visible()
    dashboard = serious_violations(page)
    folder = os.environ.get("HERALD_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1440, "height": 1100})
        page.screenshot(path=str(Path(folder) / "dashboard.png"), full_page=True)

    page.goto("/admin/stories/")
    page.get_by_role("columnheader", name=re.compile("Headline")).wait_for()
    stories = serious_violations(page)
    page.goto("/admin/stories/?access=paid")
    filtered = serious_violations(page)

    assert dashboard == [], dashboard
    assert stories == [], stories
    assert filtered == [], filtered
