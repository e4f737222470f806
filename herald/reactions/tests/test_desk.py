"""The moderation desk in Wagtail's admin: Moderators (admin access plus one
permission) work the queues, decide one or many comments, edit, reply as the
publication, ban and hold members; every decision lands on the history."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone

from herald.newsroom.testing import make_staff, set_publication
from herald.reactions import actions
from herald.reactions.models import Comment, CommenterEvent, CommentEvent

from .conftest import Client
from .test_moderation import config, settled

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DESK = "/admin/comments/"


@pytest.fixture
def moderator():  # type: ignore[no-untyped-def]
    return make_staff("Moderators")


@pytest.fixture
def desk(moderator) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    return client


def token(client: Client, url: str = DESK) -> str:
    return TOKEN_RE.search(client.get(url).content.decode()).group(1)


@pytest.fixture
def queue(member, other_member, article):  # type: ignore[no-untyped-def]
    """One comment in each queue: first-time, filtered, spam, reported."""
    row = config(word_filter="dolt")
    first = actions.post_comment(article, author=member, text="Hello", config=row)
    settled(other_member)
    Comment.objects.create(
        article=article,
        author=other_member,
        text="o",
        html="<p>o</p>",
        state="published",
    )
    filtered = actions.post_comment(
        article, author=other_member, text="A dolt wrote this", config=row
    )
    spam = actions.post_comment(
        article,
        author=other_member,
        text=" ".join(f"https://x{i}.example" for i in range(10)),
        config=row,
    )
    reported = actions.post_comment(
        article, author=other_member, text="Hot take", config=row
    )
    actions.report_comment(reported, reporter=member, reason="rude")
    return {"first": first, "filtered": filtered, "spam": spam, "reported": reported}


def test_moderators_need_only_admin_access_and_the_desk_permission(moderator, member):
    assert moderator.get_all_permissions() == {
        "wagtailadmin.access_admin",
        "reactions.moderate_comments",
    }
    # Wagtail answers a denied admin page by sending the user to the dashboard
    editor = Client()
    editor.force_login(make_staff("Editors"))
    denied = editor.get(DESK)
    assert (denied.status_code, denied["Location"]) == (302, "/admin/")
    assert (
        editor.post(f"{DESK}member/{member.pk}/", {"action": "hold"}).status_code == 302
    )
    assert not CommenterEvent.objects.exists()
    reader = Client()
    reader.force_login(member)
    assert reader.get(DESK)["Location"].startswith("/admin/login/")
    assert Client().get(DESK)["Location"].startswith("/admin/login/")


def test_each_queue_lists_its_comments_with_counts_in_few_queries(
    desk, queue, django_assert_max_num_queries
):
    desk.get(DESK)  # the admin's own caches (menus, permissions) warm
    Comment.objects.bulk_create(
        Comment(
            article=queue["first"].article,
            author=queue["first"].author,
            text=f"more {i}",
            html=f"<p>more {i}</p>",
        )
        for i in range(10)
    )
    # none per comment shown: the page, the counts, the admin's own
    with django_assert_max_num_queries(20):
        html = desk.get(DESK).content.decode()
    assert "Waiting for review (12)" in html and "more 9" in html and "Spam (1)" in html
    assert "Reported (1)" in html and "Caught by the word filter (1)" in html
    assert "<p>Hello</p>" in html and "A dolt wrote this" in html
    assert "Hot take" not in html
    assert "Hot take" in desk.get(f"{DESK}?queue=reported").content.decode()
    spam = desk.get(f"{DESK}?queue=spam").content.decode()
    assert "x9.example" in spam and "Hello" not in spam
    assert "dolt" in desk.get(f"{DESK}?queue=filtered").content.decode()
    assert desk.get(f"{DESK}?queue=nonsense").status_code == 200


def test_a_row_decision_needs_a_token_and_is_recorded_with_its_reason(
    desk, moderator, queue, anon_client, article
):
    first = queue["first"]
    anon_client.get(article.url)  # the anonymous thread is kept without it
    refused = desk.post(DESK, {"one": f"{first.pk}:published"})
    assert refused.status_code == 403
    first.refresh_from_db()
    assert first.state == "pending"
    response = desk.post(
        f"{DESK}?queue=pending",
        {
            "one": f"{first.pk}:published",
            "reason": "civil",
            "csrfmiddlewaretoken": token(desk),
        },
    )
    assert response.status_code == 303
    event = CommentEvent.objects.filter(comment=first).last()
    assert (event.actor, event.from_state, event.to_state, event.reason) == (
        moderator,
        "pending",
        "published",
        "civil",
    )
    assert "<p>Hello</p>" in anon_client.get(article.url).content.decode()
    history = desk.get(f"{DESK}{first.pk}/").content.decode()
    assert "pending → published" in history and "Reason: civil" in history
    assert str(moderator) in history


def test_bulk_decisions_and_bad_bulk_input(desk, queue):
    csrf = token(desk)
    picked = [queue["first"].pk, queue["filtered"].pk]
    nothing = desk.post(DESK, {"bulk": "rejected", "csrfmiddlewaretoken": csrf})
    assert (
        "Tick at least one comment." in desk.get(nothing["Location"]).content.decode()
    )
    bogus = desk.post(
        DESK, {"bulk": "published; drop", "ids": picked, "csrfmiddlewaretoken": csrf}
    )
    assert bogus.status_code == 303
    assert set(
        Comment.objects.filter(pk__in=picked).values_list("state", flat=True)
    ) == {"pending"}
    done = desk.post(
        DESK,
        {
            "bulk": "rejected",
            "ids": picked,
            "reason": "off topic",
            "csrfmiddlewaretoken": csrf,
        },
    )
    assert "2 comments rejected." in desk.get(done["Location"]).content.decode()
    assert set(
        Comment.objects.filter(pk__in=picked).values_list("state", flat=True)
    ) == {"rejected"}
    assert (
        CommentEvent.objects.filter(comment_id__in=picked, reason="off topic").count()
        == 2
    )


def test_approving_a_reported_comment_clears_the_report(desk, queue):
    reported = queue["reported"]
    desk.post(
        DESK,
        {"bulk": "published", "ids": [reported.pk], "csrfmiddlewaretoken": token(desk)},
    )
    reported.refresh_from_db()
    # published -> published is not a transition: the report stays until decided
    assert reported.open_reports == 1
    desk.post(
        f"{DESK}{reported.pk}/",
        {
            "action": "decide",
            "decision": "rejected",
            "csrfmiddlewaretoken": token(desk),
        },
    )
    reported.refresh_from_db()
    assert (reported.state, reported.open_reports) == ("rejected", 0)


def test_edit_and_reply_as_the_publication(desk, moderator, queue, member, article):
    set_publication(name="The Tidewater Courier")
    comment = queue["reported"]
    url = f"{DESK}{comment.pk}/"
    csrf = token(desk, url)
    # a moderator's edit is kept with its reason
    desk.post(
        url,
        {
            "action": "edit",
            "edit-text": "Hot *take*",
            "edit-reason": "tone",
            "csrfmiddlewaretoken": csrf,
        },
    )
    comment.refresh_from_db()
    assert comment.html == "<p>Hot <em>take</em></p>"
    assert comment.events.last().reason == "tone"
    # an empty reply is a form error and publishes nothing
    empty = desk.post(
        url, {"action": "reply", "reply-text": " ", "csrfmiddlewaretoken": csrf}
    )
    assert empty.status_code == 400
    assert "Write something before posting." in empty.content.decode()
    # a reply as the publication is published, signed, and emailed to the author
    mail.outbox.clear()
    desk.post(  # (the test client runs on-commit work, as a real request does)
        url,
        {
            "action": "reply",
            "reply-text": "Thanks for reading",
            "csrfmiddlewaretoken": csrf,
        },
    )
    reply = Comment.objects.get(as_publication=True)
    assert (reply.parent_id, reply.state, reply.author) == (
        comment.pk,
        "published",
        moderator,
    )
    html = Client().get(article.url).content.decode()
    thread = html[html.index('id="comments"') :]
    assert 'The Tidewater Courier</strong> <span class="badge">Staff</span>' in thread
    assert [m.to for m in mail.outbox] == [[comment.author.email]]


def test_ban_and_hold_a_member_from_the_desk(desk, moderator, queue, member, article):
    comment = queue["first"]
    url = f"{DESK}{comment.pk}/"
    member_url = f"{DESK}member/{member.pk}/"
    csrf = token(desk, url)
    # a ban needs a day that has not passed and a reason
    past = (timezone.localdate() - timezone.timedelta(days=1)).isoformat()
    desk.post(
        member_url,
        {
            "action": "ban",
            "ban-until": past,
            "ban-reason": "x",
            "csrfmiddlewaretoken": csrf,
        },
    )
    desk.post(
        member_url,
        {
            "action": "ban",
            "ban-until": "",
            "ban-reason": "x",
            "csrfmiddlewaretoken": csrf,
        },
    )
    assert not CommenterEvent.objects.exists()
    until = (timezone.localdate() + timezone.timedelta(days=3)).isoformat()
    response = desk.post(
        member_url,
        {
            "action": "ban",
            "ban-until": until,
            "ban-reason": "Slurs",
            "next": url,
            "csrfmiddlewaretoken": csrf,
        },
    )
    assert response["Location"] == url
    page = desk.get(url).content.decode()
    assert "Banned until" in page and "Slurs" in page
    with pytest.raises(actions.CommentRefused, match="Slurs"):
        actions.post_comment(article, author=member, text="hi", config=config())
    desk.post(
        member_url, {"action": "hold", "reason": "watch", "csrfmiddlewaretoken": csrf}
    )
    desk.post(member_url, {"action": "unban", "csrfmiddlewaretoken": csrf})
    assert list(CommenterEvent.objects.values_list("action", "actor", "reason")) == [
        ("ban", moderator.pk, "Slurs"),
        ("hold", moderator.pk, "watch"),
        ("unban", moderator.pk, ""),
    ]
    held = actions.post_comment(article, author=member, text="back", config=config())
    assert held.held_because == "member"
    # the next= target is kept inside the admin
    off_site = desk.post(
        member_url,
        {
            "action": "release",
            "next": "https://evil.example/",
            "csrfmiddlewaretoken": csrf,
        },
    )
    assert off_site["Location"] == DESK
