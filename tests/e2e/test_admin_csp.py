"""The Wagtail admin works in Chromium under its Content-Security-Policy."""

from __future__ import annotations

import pytest

from herald.newsroom.testing import make_article, make_section

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct-horse-battery"


def watch_console(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    return problems


def csp_violations(problems: list[str]) -> list[str]:
    return [p for p in problems if "Content Security Policy" in p]


def test_editor_signs_in_and_edits_an_article_without_csp_errors(
    page, django_user_model
):
    django_user_model.objects.create_superuser("ada@herald.example", PASSWORD)
    article = make_article(make_section("World"), "A harbour reopens")
    problems = watch_console(page)

    # given: signed in with the short name
    page.goto("/admin/login/")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")

    # when: the page editor opens
    page.goto(f"/admin/pages/{article.pk}/edit/")

    # then: its scripts ran (the rich-text editor is drawn) and nothing was blocked
    page.wait_for_selector(".Draftail-Editor", state="attached")
    page.wait_for_load_state("networkidle")
    assert page.locator("[name=title]").input_value() == "A harbour reopens"
    assert csp_violations(problems) == [], "\n".join(problems)
    assert [p for p in problems if p.startswith("uncaught")] == []


def test_reader_page_loads_without_csp_errors(page):
    article = make_article(make_section("World"), "A harbour reopens")
    problems = watch_console(page)

    response = page.goto(article.url)
    page.wait_for_load_state("networkidle")

    assert response.status == 200
    assert "'nonce-" in response.headers["content-security-policy"]
    assert csp_violations(problems) == []


def test_preview_panel_shows_the_page_in_the_editor(page, django_user_model):
    django_user_model.objects.create_superuser("ada@herald.example", PASSWORD)
    article = make_article(make_section("World"), "A harbour reopens")
    problems = watch_console(page)

    # given: signed in, the page editor open
    page.goto("/admin/login/")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(f"/admin/pages/{article.pk}/edit/")

    # when: the preview panel opens
    page.click("[data-side-panel-toggle=preview]")

    # then: the framed preview shows the article, and no framing rule blocked it
    frame = page.frame_locator("#w-preview-iframe")
    frame.locator("h1", has_text="A harbour reopens").wait_for()
    assert [p for p in problems if "frame-ancestors" in p] == [], problems
