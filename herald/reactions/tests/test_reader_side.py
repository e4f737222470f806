"""What a member can do with comments: edit within ten minutes, delete their
own, report someone else's, get (or stop) reply emails; and what happens to
their comments when they delete their account."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings
from freezegun import freeze_time

from herald.members import actions as member_actions
from herald.newsroom.testing import make_staff, set_publication
from herald.reactions import actions
from herald.reactions.models import (
    Comment,
    CommentReport,
    CommentState,
    DeletedMemberComments,
)

from .conftest import Client
from .test_comments import token_of
from .test_moderation import config, settled

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(member, article):  # type: ignore[no-untyped-def]
    settled(member)
    row = config(premoderate_first_comment=False)
    return actions.post_comment(article, author=member, text="First take", config=row)


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_the_author_edits_within_ten_minutes_and_the_history_says_so(
    member_client, published, article
):
    token = token_of(member_client, article)
    form = member_client.get(f"/reactions/c/{published.uuid}/edit/")
    assert form.status_code == 200 and "First take" in form.content.decode()
    assert form["Cache-Control"] == "private, no-store"
    response = member_client.post(
        f"/reactions/c/{published.uuid}/edit/",
        {"text": "Second *take*", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 303
    published.refresh_from_db()
    assert published.html == "<p>Second <em>take</em></p>"
    assert published.edited_at is not None
    assert published.events.last().action == "edit"
    html = member_client.get(article.url).content.decode()
    assert "Second <em>take</em>" in html and "edited" in html


def test_editing_after_ten_minutes_is_refused_and_changes_nothing(
    member_client, published, article
):
    token = token_of(member_client, article)
    with freeze_time(published.created_at + actions.EDIT_WINDOW, tick=True):
        form = member_client.get(f"/reactions/c/{published.uuid}/edit/")
        assert form.status_code == 403
        response = member_client.post(
            f"/reactions/c/{published.uuid}/edit/",
            {"text": "Too late", "csrfmiddlewaretoken": token},
        )
    assert response.status_code == 403
    assert "ten minutes" in response.content.decode()
    published.refresh_from_db()
    assert published.text == "First take" and published.edited_at is None


def test_bad_edits_get_form_errors_and_no_token_is_refused(
    member_client, published, article
):
    token = token_of(member_client, article)
    url = f"/reactions/c/{published.uuid}/edit/"
    empty = member_client.post(url, {"text": "  ", "csrfmiddlewaretoken": token})
    assert empty.status_code == 400
    assert "Write something before posting." in empty.content.decode()
    long = member_client.post(url, {"text": "x" * 3001, "csrfmiddlewaretoken": token})
    assert long.status_code == 400 and "under 3000" in long.content.decode()
    assert member_client.post(url, {"text": "no token"}).status_code == 403
    published.refresh_from_db()
    assert published.text == "First take"


def test_an_edit_that_brings_in_a_filtered_word_goes_back_to_the_queue(
    member_client, published, article
):
    config(premoderate_first_comment=False, word_filter="dolt")
    token = token_of(member_client, article)
    member_client.post(
        f"/reactions/c/{published.uuid}/edit/",
        {"text": "You dolt", "csrfmiddlewaretoken": token},
    )
    published.refresh_from_db()
    assert (published.state, published.held_because) == ("pending", "edited")
    assert "You dolt" not in Client().get(article.url).content.decode()


def test_nobody_edits_or_deletes_someone_elses_comment(
    other_member, published, article
):
    intruder = client_for(other_member)
    token = token_of(intruder, article)
    for action in ("edit", "delete"):
        response = intruder.post(
            f"/reactions/c/{published.uuid}/{action}/",
            {"text": "mine now", "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 404
    published.refresh_from_db()
    assert (published.text, published.state) == ("First take", "published")


def test_the_author_deletes_their_comment(member_client, published, article):
    token = token_of(member_client, article)
    url = f"/reactions/c/{published.uuid}/delete/"
    assert member_client.get(url).status_code == 405
    assert member_client.post(url).status_code == 403  # no CSRF token
    response = member_client.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 303
    published.refresh_from_db()
    assert published.state == CommentState.DELETED
    assert published.events.last().actor_id == published.author_id
    assert "First take" not in Client().get(article.url).content.decode()


def test_a_member_reports_a_comment_once_and_it_joins_the_reported_queue(
    other_member, published, article
):
    reporter = client_for(other_member)
    token = token_of(reporter, article)
    url = f"/reactions/c/{published.uuid}/report/"
    for _ in range(2):  # a second report by the same reader counts once
        response = reporter.post(
            url, {"reason": "Off topic", "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 303
    published.refresh_from_db()
    assert published.open_reports == 1
    assert CommentReport.objects.get().reason == "Off topic"
    assert published.events.last().action == "report"
    # a moderator's decision clears the report
    actions.moderate_comment(
        published, actor=make_staff("Moderators"), to_state="rejected"
    )
    published.refresh_from_db()
    assert published.open_reports == 0


def test_reporting_needs_a_member_and_not_ones_own_comment(
    anon_client, member_client, published, article
):
    url = f"/reactions/c/{published.uuid}/report/"
    assert anon_client.post(url).status_code == 403
    token = token_of(member_client, article)
    own = member_client.post(url, {"csrfmiddlewaretoken": token})
    assert own.status_code == 403
    assert not CommentReport.objects.exists()


@override_settings(
    HERALD_REACTIONS_RATES={
        "react_ip": "30/10m",
        "comment_ip": "10/10m",
        "report_ip": "1/10m",
    }
)
def test_a_report_flood_is_429(other_member, published, article):
    reporter = client_for(other_member)
    token = token_of(reporter, article)
    url = f"/reactions/c/{published.uuid}/report/"
    statuses = [
        reporter.post(url, {"csrfmiddlewaretoken": token}).status_code for _ in range(2)
    ]
    assert statuses == [303, 429]


def test_a_reply_emails_the_parents_author_from_the_publication(
    other_member, published, article, django_capture_on_commit_callbacks
):
    # given a publication and a published comment
    set_publication(name="The Tidewater Courier", contact_email="desk@tide.example")
    settled(other_member)
    row = config(premoderate_first_comment=False)
    mail.outbox.clear()
    # when another member replies
    with django_capture_on_commit_callbacks(execute=True):
        reply = actions.post_comment(
            article,
            author=other_member,
            text="I disagree",
            config=row,
            parent=published,
        )
    # then the first author gets one email, from the publication, with a link
    [message] = mail.outbox
    assert message.to == [published.author.email]
    assert message.from_email == "The Tidewater Courier <desk@tide.example>"
    assert message.subject == f"New reply to your comment on “{article.title}”"
    assert "I disagree" in message.body
    assert f"#c-{reply.uuid}" in message.body
    assert "/account/#comment-emails" in message.body
    # and the author's own reply to their thread sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_comment(
            article,
            author=published.author,
            text="Fair",
            config=row,
            parent=published,
        )
    assert len(mail.outbox) == 1


def test_a_reply_email_is_in_the_publications_language(
    other_member, published, article, django_capture_on_commit_callbacks
):
    set_publication(name="Le Courrier", language="fr")
    settled(other_member)
    row = config(premoderate_first_comment=False)
    other_member.first_name = other_member.last_name = ""
    other_member.save(update_fields=["first_name", "last_name"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        actions.post_comment(
            article,
            author=other_member,
            text="Pas d’accord",
            config=row,
            parent=published,
        )

    [message] = mail.outbox
    assert (
        message.subject
        == f"Nouvelle réponse à votre commentaire sur « {article.title} »"
    )
    assert message.extra_headers["Content-Language"] == "fr"
    assert f"Un membre a répondu à votre commentaire sur « {article.title} » :" in (
        message.body
    )
    assert "Lire et répondre :" in message.body
    assert "replied" not in message.body and "A member" not in message.body


def test_a_held_reply_emails_once_when_approved(
    other_member, published, article, django_capture_on_commit_callbacks
):
    row = config(premoderate_first_comment=True)  # other_member's first: held
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply = actions.post_comment(
            article,
            author=other_member,
            text="Held reply",
            config=row,
            parent=published,
        )
    assert reply.state == "pending" and mail.outbox == []
    moderator = make_staff("Moderators")
    with django_capture_on_commit_callbacks(execute=True):
        actions.moderate_comment(reply, actor=moderator, to_state="published")
        actions.moderate_comment(reply, actor=moderator, to_state="rejected")
        actions.moderate_comment(reply, actor=moderator, to_state="published")
    assert len(mail.outbox) == 1


def test_a_member_turns_reply_emails_off_from_the_account_page(
    member_client,
    other_member,
    published,
    article,
    django_capture_on_commit_callbacks,
):
    page = member_client.get("/account/").content.decode()
    assert "Stop emails about replies" in page
    token = token_of(member_client, article)
    assert (
        member_client.post("/reactions/reply-emails/", {"wanted": "0"}).status_code
        == 403
    )
    response = member_client.post(
        "/reactions/reply-emails/", {"wanted": "0", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 303
    assert "Email me about replies" in member_client.get("/account/").content.decode()
    mail.outbox.clear()
    settled(other_member)
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_comment(
            article,
            author=other_member,
            text="Quiet reply",
            config=config(premoderate_first_comment=False),
            parent=published,
        )
    assert mail.outbox == []


@pytest.mark.parametrize("mode", [DeletedMemberComments.ANONYMISE, "remove"])
def test_a_deleted_account_leaves_its_comments_anonymised_or_removed(
    anon_client, member, published, article, mode
):
    # given the anonymous page kept with the member's name on it
    member.first_name = "Orla"
    member.save()
    config(premoderate_first_comment=False, deleted_member_comments=mode)
    anon_client.get(article.url)
    assert "Orla" in anon_client.get(article.url).content.decode()
    # when the member deletes their account
    member_actions.delete_account(member)
    # then the comment is anonymised or gone, on a fresh rendering
    html = anon_client.get(article.url).content.decode()
    assert "Orla" not in html
    comment = Comment.objects.get(pk=published.pk)
    assert comment.author_id is None
    if mode == DeletedMemberComments.ANONYMISE:
        assert "Former member" in html and "First take" in html
        assert comment.state == CommentState.PUBLISHED
    else:
        assert "First take" not in html
        assert (comment.state, comment.text, comment.html) == ("deleted", "", "")
        assert comment.events.last().reason == "the member deleted their account"


@override_settings(HERALD_REACTIONS_RATES={"react_ip": "30/10m", "comment_ip": "1/10m"})
def test_an_edit_and_delete_flood_is_429_and_changes_nothing(
    member_client, published, article
):
    token = token_of(member_client, article)
    base = f"/reactions/c/{published.uuid}"
    first = member_client.post(
        f"{base}/edit/", {"text": "Edited once", "csrfmiddlewaretoken": token}
    )
    again = member_client.post(
        f"{base}/edit/", {"text": "Edited twice", "csrfmiddlewaretoken": token}
    )
    gone = member_client.post(f"{base}/delete/", {"csrfmiddlewaretoken": token})
    assert [first.status_code, again.status_code, gone.status_code] == [303, 429, 429]
    assert again["Retry-After"] == "600"
    published.refresh_from_db()
    assert (published.text, published.state) == ("Edited once", "published")
