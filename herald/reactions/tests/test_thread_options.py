"""Per-article comment settings, auto-close, Author and Staff badges, and the
thread's order (newest, oldest, most replies) with its kept copies."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from herald.members.models import MemberStatus, User
from herald.newsroom.models import ArticleCommenting, ArticlePage
from herald.newsroom.testing import (
    EDITORS,
    admin_form_data,
    article_body_form_data,
    home_page,
    make_article,
    make_author,
    make_section,
    make_staff,
)
from herald.reactions import actions
from herald.reactions.models import Comment, CommentMode, CommentState
from herald.reactions.policy import commenting
from herald.reactions.tests.conftest import Client
from herald.reactions.tests.test_comments import comment_url, settings_row, token_of

pytestmark = pytest.mark.django_db


def published(article, author, text, *, parent=None, minutes_ago=0):  # type: ignore[no-untyped-def]
    comment = Comment.objects.create(
        article=article,
        author=author,
        parent=parent,
        text=text,
        html=f"<p>{text}</p>",
        state=CommentState.PUBLISHED,
    )
    if minutes_ago:
        Comment.objects.filter(pk=comment.pk).update(
            created_at=timezone.now() - timedelta(minutes=minutes_ago)
        )
    return comment


def shown_order(html: str, texts: list[str]) -> list[str]:
    return sorted(texts, key=lambda text: html.index(f"<p>{text}</p>"))


def test_an_articles_own_setting_overrides_the_sites(member, article):
    config = settings_row()
    # the site lets all members comment, this story is closed
    article.commenting = ArticleCommenting.CLOSED
    with pytest.raises(actions.CommentRefused, match="closed on this story"):
        actions.post_comment(article, author=member, text="x", config=config)
    # this story is for paying members only
    article.commenting = ArticleCommenting.PAID
    with pytest.raises(actions.CommentRefused, match="paying members"):
        actions.post_comment(article, author=member, text="x", config=config)
    member.status = MemberStatus.PAID
    actions.post_comment(article, author=member, text="paid", config=config)
    # the site is closed, this story is open to all members
    config.comments = CommentMode.CLOSED
    article.commenting = ArticleCommenting.MEMBERS
    member.status = MemberStatus.FREE
    actions.post_comment(article, author=member, text="open", config=config)
    # and "" follows the site
    article.commenting = ArticleCommenting.SITE
    with pytest.raises(actions.CommentRefused, match="closed on this site"):
        actions.post_comment(article, author=member, text="x", config=config)
    assert list(Comment.objects.values_list("text", flat=True)) == ["paid", "open"]


def test_an_editor_closes_one_story_from_its_editor(member, article):
    # given an editor on the story's edit page
    client = Client()
    client.force_login(make_staff(EDITORS))
    url = reverse("wagtailadmin_pages:edit", args=(article.pk,))
    page = client.get(url).content.decode()
    assert 'name="commenting"' in page and "Use the site" in page
    # when they close its comments and publish
    data = admin_form_data(
        client,
        url,
        commenting=ArticleCommenting.CLOSED,
        **article_body_form_data(["Repairs are done."]),
    )
    data["action-publish"] = "Publish"
    assert client.post(url, data).status_code == 302
    # then members may no longer comment there
    article = ArticlePage.objects.get(pk=article.pk)
    assert article.commenting == ArticleCommenting.CLOSED
    with pytest.raises(actions.CommentRefused, match="closed on this story"):
        actions.post_comment(article, author=member, text="x", config=settings_row())


def test_threads_close_by_themselves_after_the_sites_number_of_days(article):
    config = settings_row()
    config.comments_close_after_days = 3
    start = article.first_published_at
    assert commenting(article, config, now=start + timedelta(days=3)).open
    late = commenting(article, config, now=start + timedelta(days=3, minutes=1))
    assert not late.open and "3 days" in late.closed_because
    config.comments_close_after_days = 0  # never
    assert commenting(article, config, now=start + timedelta(days=3000)).open


def test_a_closed_thread_shows_its_comments_and_refuses_a_post(
    member_client, member, other_member, anon_client
):
    config = settings_row()
    config.comments_close_after_days = 3
    config.save()
    section = make_section("Science", parent=home_page())
    old = make_article(
        section, "Comet seen", published_at=timezone.now() - timedelta(days=5)
    )
    published(old, other_member, "Saw it from the hill")
    # an anonymous reader sees the comments and that the thread is closed
    html = anon_client.get(old.url).content.decode()
    assert "<p>Saw it from the hill</p>" in html
    assert "Comments on this story are closed" in html
    assert "Sign in to comment" not in html
    # a member sees no form, and a post anyway is refused with the reason
    token = token_of(member_client, old)
    page = member_client.get(old.url).content.decode()
    assert 'name="text"' not in page and "Comments on this story are closed" in page
    response = member_client.post(
        comment_url(old), {"text": "late", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 403
    assert "Comments on this story are closed" in response.content.decode()
    # and so is one on a story its editor closed, however new
    fresh = make_article(section, "Comet gone", commenting=ArticleCommenting.CLOSED)
    response = member_client.post(
        comment_url(fresh),
        {"text": "late", "csrfmiddlewaretoken": token_of(member_client, fresh)},
    )
    assert response.status_code == 403
    assert "closed on this story" in response.content.decode()
    assert Comment.objects.filter(author=member).count() == 0


def test_byline_authors_and_staff_get_badges_without_a_query_each(
    member_client, member
):
    reporter = User.objects.create_user("reporter@example.org", first_name="Ada")
    editor = User.objects.create_user("editor@example.org", first_name="Ed")
    editor.is_staff = True
    editor.save()
    section = make_section("City", parent=home_page())
    story = make_article(
        section, "Tram line opens", authors=[make_author("Ada", user=reporter)]
    )

    def queries_to_read() -> int:
        for _ in range(2):  # kept parts made again after a comment
            member_client.get(story.url)
        with CaptureQueriesContext(connection) as read:
            member_client.get(story.url)
        return len(read)

    top = published(story, member, "First ride", minutes_ago=3)
    by_author = published(story, reporter, "Thanks for reading", parent=top)
    by_staff = published(story, editor, "Corrected the date", minutes_ago=2)
    by_member = published(story, member, "Busy tram", minutes_ago=1)
    before = queries_to_read()
    for n in range(5):  # more badged comments and replies: no more queries
        published(story, reporter, f"more {n}", parent=top)
        published(story, editor, f"staff {n}")
    assert queries_to_read() == before
    html = member_client.get(story.url).content.decode()

    def badges(comment: Comment) -> list[str]:
        start = html.index(f'id="c-{comment.uuid}"')
        meta = html[start : html.index("</p>", start)]
        return re.findall(r'class="badge[^"]*">([^<]+)<', meta)

    assert badges(by_author) == ["Author"]
    assert badges(by_staff) == ["Staff"]
    assert badges(by_member) == [] and badges(top) == []


def test_top_order_puts_the_most_replied_first_and_each_order_is_kept_apart(
    anon_client, member, other_member, article
):
    published(article, member, "Quiet one", minutes_ago=1)
    busy = published(article, member, "Busy one", minutes_ago=3)
    some = published(article, member, "Some replies", minutes_ago=2)
    for n in range(2):
        published(article, other_member, f"busy reply {n}", parent=busy)
    published(article, other_member, "some reply", parent=some)
    names = ["Quiet one", "Busy one", "Some replies"]
    # each order, asked twice (the second answer is the kept one)
    for _ in range(2):
        newest = anon_client.get(article.url).content.decode()
        oldest = anon_client.get(f"{article.url}?comments=oldest").content.decode()
        top = anon_client.get(f"{article.url}?comments=top").content.decode()
        assert shown_order(newest, names) == ["Quiet one", "Some replies", "Busy one"]
        assert shown_order(oldest, names) == ["Busy one", "Some replies", "Quiet one"]
        assert shown_order(top, names) == ["Busy one", "Some replies", "Quiet one"]
        assert '<strong aria-current="true">Most replies</strong>' in top
    # a rejected reply does not count
    Comment.objects.filter(text__startswith="busy reply").update(
        state=CommentState.REJECTED
    )
    top = anon_client.get(f"{article.url}?comments=top&cpage=1").content.decode()
    assert shown_order(top, names) == ["Some replies", "Quiet one", "Busy one"]


def test_an_unknown_order_is_the_default_and_never_echoed(anon_client, member, article):
    published(article, member, "Older", minutes_ago=2)
    published(article, member, "Newer", minutes_ago=1)
    for value in ["<script>x</script>", "random", "TOP", ""]:
        response = anon_client.get(article.url, {"comments": value})
        html = response.content.decode()
        assert response.status_code == 200
        assert shown_order(html, ["Older", "Newer"]) == ["Newer", "Older"]
        assert '<strong aria-current="true">Newest</strong>' in html
        assert "<script>x</script>" not in html and "random" not in html
