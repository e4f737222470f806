"""Comments in Chromium: a member's first comment waits in the desk's queue, a
moderator approves it, another member replies and the first gets an email; the
hostile text shows as text; axe finds nothing serious on the comment UI."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from herald.members.models import User
from herald.newsroom.testing import (
    make_article,
    make_section,
    make_staff,
    set_publication,
)
from herald.reactions.models import Comment

from .test_members_admin import serious_violations, sign_in_as

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HOSTILE = '<img src=x onerror="document.title=1"> **Bold** claim'


def test_a_first_comment_is_approved_on_the_desk_and_a_reply_emails_its_author(
    browser, live_server
):
    # given a story, two members (the second has commented before) and a moderator
    set_publication(name="The Tidewater Courier", contact_email="desk@tide.example")
    article = make_article(make_section("Harbour"), "Ferry timetable changes")
    first = User.objects.create_user("ana@example.org", first_name="Ana")
    second = User.objects.create_user(
        "bo@example.org",
        first_name="Bo",
        date_joined=timezone.now() - timedelta(days=30),
    )
    Comment.objects.create(
        article=article,
        author=second,
        text="Earlier",
        html="<p>Earlier</p>",
        state="published",
    )
    moderator = make_staff("Moderators")

    def signed_in(user: User):  # type: ignore[no-untyped-def]
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in_as(page, live_server, user)
        return page

    # when the first member posts a comment carrying markup
    ana = signed_in(first)
    ana.goto(article.url)
    ana.get_by_label("Your comment").fill(HOSTILE)
    ana.get_by_role("button", name="Post comment").click()
    # then it waits for a moderator and readers do not see it yet
    assert "waits for a moderator" in ana.get_by_role("status").inner_text()
    assert "Bold" not in ana.locator("#comments .comment-list").inner_text()

    # when a moderator approves it from the queue, by keyboard
    desk = signed_in(moderator)
    desk.goto("/admin/comments/")
    assert serious_violations(desk) == []
    approve = desk.get_by_role("button", name=re.compile(r"^Approve the comment by"))
    approve.focus()
    desk.keyboard.press("Enter")
    desk.wait_for_url(re.compile(r"/admin/comments/\?queue=pending$"))
    assert "Comment approved." in desk.content()

    # then another member sees it, markup as text, and replies
    bo = signed_in(second)
    bo.goto(article.url)
    comment = bo.locator(".comment").filter(has_text="claim").first
    assert '<img src=x onerror="document.title=1">' in comment.inner_text()
    assert comment.locator("img").count() == 0
    assert comment.locator("strong").filter(has_text="Bold").count() == 1
    assert serious_violations(bo) == []
    mail.outbox.clear()
    comment.get_by_text("Reply", exact=True).click()
    comment.get_by_label("Your reply").fill("Not so sure.")
    comment.get_by_role("button", name="Post reply").click()
    bo.wait_for_url(re.compile(r"posted=1"))

    # and the first member gets one email about it, from the publication
    [message] = [m for m in mail.outbox if m.to == ["ana@example.org"]]
    assert message.from_email == "The Tidewater Courier <desk@tide.example>"
    assert "Bo replied to your comment" in message.body
    assert "Not so sure." in message.body
    for page in (ana, desk, bo):
        page.context.close()
