"""A story's way through the newsroom, in Chromium against the real Wagtail admin.

A contributor writes an article with an author, an image and a paragraph and
submits it; an editor sets a publishing schedule and approves it; once its time
has passed the publishing clock runs and the story is on the home page.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from herald.newsroom import actions
from herald.newsroom.models import ArticlePage
from herald.newsroom.testing import (
    CONTRIBUTORS,
    EDITORS,
    NEWSROOM_PASSWORD,
    make_author,
    make_image,
    make_section,
    make_staff,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HEADLINE = "Night trains return to the coast line"
PARAGRAPH = "The first night train in eleven years left the capital at ten."


def sign_in(page, email: str) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(NEWSROOM_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")


def watch_errors(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    return problems


def next_minute_at_least(seconds: int):
    """The admin schedules to the minute: the first whole minute ``seconds`` ahead."""
    soon = timezone.localtime() + timedelta(seconds=seconds)
    return soon.replace(second=0, microsecond=0) + timedelta(minutes=1)


def test_contributor_writes_editor_schedules_and_the_story_goes_live(
    page, browser, live_server, settings
):
    if connection.vendor == "sqlite":
        # The live server's threads share one in-memory SQLite connection; the
        # admin's autosave (every 0.5 s) would collide with the editor's requests.
        settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    section = make_section("Transport")
    make_author("Mira Okafor")
    make_image(title="Platform at dusk", alt="A night train at a lit platform")
    contributor = make_staff(CONTRIBUTORS)
    editor = make_staff(EDITORS)
    problems = watch_errors(page)

    # given: a contributor writes a story in the admin
    sign_in(page, contributor.email)
    page.goto(f"/admin/pages/add/newsroom/articlepage/{section.pk}/")
    page.get_by_role("textbox", name="Headline").fill(HEADLINE)
    page.get_by_role("button", name="Choose author").click()
    page.get_by_role("dialog").get_by_role("link", name="Mira Okafor").click()
    page.get_by_role("region", name="Hero image").get_by_role(
        "button", name="Choose an image"
    ).click()
    page.get_by_role("dialog").get_by_role("link", name="Platform at dusk").click()
    body = page.get_by_role("region", name="Body")
    body.get_by_role("button", name="Insert a block").first.click()
    page.get_by_role("option", name="Paragraph").click()
    body.get_by_role("textbox").first.click()
    page.keyboard.type(PARAGRAPH)
    # Draftail writes to its hidden input shortly after typing stops.
    page.wait_for_function(
        "text => document.querySelector('input[name=\"body-0-value\"]')"
        ".value.includes(text)",
        arg="eleven years",
    )

    # when: they submit it for review
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Submit to Editorial review").click()

    # then: it waits for an editor, unpublished
    page.get_by_text(re.compile("submitted for moderation")).first.wait_for()
    article = ArticlePage.objects.get(title=HEADLINE)
    assert not article.live
    assert article.current_workflow_task_state.task.name == "Editor approval"

    # given: an editor opens it from the dashboard
    editor_context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    try:
        editor_page = editor_context.new_page()
        editor_page.set_default_timeout(15_000)
        problems += watch_errors(editor_page)
        sign_in(editor_page, editor.email)
        editor_page.get_by_role("link", name=HEADLINE).first.click()
        editor_page.wait_for_url(f"**/admin/pages/{article.pk}/edit/")

        # when: they set a publishing schedule and approve
        go_live = next_minute_at_least(40)
        editor_page.get_by_role("button", name="Toggle status").click()
        editor_page.get_by_role("button", name="Set schedule").click()
        dialog = editor_page.get_by_role("dialog")
        dialog.get_by_label("Go live date/time").fill(
            go_live.strftime("%Y-%m-%d %H:%M")
        )
        # The date picker pops up over the button, so press it without the pointer.
        dialog.get_by_role("button", name="Save schedule").dispatch_event("click")
        editor_page.wait_for_load_state("networkidle")
        editor_page.get_by_role("button", name="More actions").click()
        editor_page.get_by_role("button", name="Approve and Publish").click()
        editor_page.get_by_text(re.compile(f"'{HEADLINE}' has been")).wait_for()
        editor_page.get_by_role("row", name=re.compile(HEADLINE)).get_by_text(
            "Scheduled"
        ).wait_for()
    finally:
        editor_context.close()

    # then: it is scheduled, not yet on the site
    article.refresh_from_db()
    assert not article.live
    assert article.scheduled_revision is not None
    assert article.scheduled_revision.approved_go_live_at == go_live
    page.goto("/")
    assert page.get_by_text(HEADLINE).count() == 0

    # when: its time passes and the publishing clock runs (the clock is moved
    # past the go-live minute rather than waited for: up to 100 s otherwise)
    with freeze_time(go_live + timedelta(seconds=1)):
        result = actions.publish_due_pages()

    # then: the story is on the home page and opens with its paragraph
    assert result.published == [article.pk]
    page.goto("/")
    story_link = page.get_by_role("link", name=HEADLINE).first
    story_link.wait_for()
    story_link.click()
    page.get_by_role("heading", name=HEADLINE).wait_for()
    assert page.get_by_text(PARAGRAPH).is_visible()
    assert page.get_by_text("Mira Okafor").first.is_visible()
    assert problems == []


LAST_PARAGRAPH = "Sleeper cars return in the spring."


def test_submit_pressed_while_the_first_autosave_is_in_flight_keeps_the_last_paragraph(
    page, live_server
):
    # Autosave stays at Wagtail's default here: only the contributor's tab talks
    # to the live server, so nothing else shares its SQLite connection.
    section = make_section("Transport")
    make_author("Mira Okafor")
    contributor = make_staff(CONTRIBUTORS)
    problems = watch_errors(page)
    add_path = f"/admin/pages/add/newsroom/articlepage/{section.pk}/"
    # A slow network: every POST of the new-article form is held until released,
    # so the autosave is still on its way when Submit is pressed.
    held = []

    def hold(route) -> None:
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route(f"**{add_path}", hold)

    # given: a contributor writes a paragraph and pauses long enough to autosave
    sign_in(page, contributor.email)
    page.goto(add_path)
    page.get_by_role("textbox", name="Headline").fill(HEADLINE)
    page.get_by_role("button", name="Choose author").click()
    page.get_by_role("dialog").get_by_role("link", name="Mira Okafor").click()
    body = page.get_by_role("region", name="Body")
    body.get_by_role("button", name="Insert a block").first.click()
    page.get_by_role("option", name="Paragraph").click()
    body.get_by_role("textbox").first.click()
    page.keyboard.type(PARAGRAPH)
    page.wait_for_timeout(2_000)

    # when: they type one more paragraph and submit at once
    page.keyboard.press("Enter")
    page.keyboard.type(LAST_PARAGRAPH)
    page.wait_for_function(
        "text => document.querySelector('input[name=\"body-0-value\"]')"
        ".value.includes(text)",
        arg="spring",
    )
    page.get_by_role("button", name="More actions").click()
    # Its navigation is held below, so do not wait for it here.
    page.get_by_role("button", name="Submit to Editorial review").click(
        no_wait_after=True
    )
    # The requests reach the server in the order they were sent, each answered
    # before the next one arrives.
    page.wait_for_timeout(500)
    for route in list(held):
        route.continue_()
        page.wait_for_timeout(1_000)

    # then: one article, in review, whose submitted revision has both paragraphs
    page.get_by_text(re.compile("submitted for moderation")).first.wait_for()
    article = ArticlePage.objects.get(title=HEADLINE)
    submitted = article.current_workflow_task_state.revision.as_object()
    text = " ".join(block.value.source for block in submitted.body)
    assert PARAGRAPH in text
    assert LAST_PARAGRAPH in text
    assert ArticlePage.objects.count() == 1
    # The new-article form sent nothing but the submit: no autosave created it.
    assert [
        r.request.headers.get("accept", "")
        for r in held
        if "application/json" in r.request.headers.get("accept", "")
    ] == []
    assert problems == []
