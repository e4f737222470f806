"""Moderation: what waits for a look and why, the spam check, bans and holds,
bulk decisions, and that every decision is on the comment's history and drops
the article's kept thread."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Site

from herald.members.models import User
from herald.newsroom.testing import make_staff
from herald.reactions import actions, providers
from herald.reactions.filters import matched_word
from herald.reactions.models import (
    Comment,
    CommenterEvent,
    CommentEvent,
    CommentState,
    HoldReason,
    ReactionSettings,
)
from herald.reactions.providers.base import Candidate, SpamCheck, Verdict
from herald.reactions.providers.heuristic import HeuristicSpamCheck

from .test_comments import comment_url, token_of

pytestmark = pytest.mark.django_db


def config(**fields) -> ReactionSettings:  # type: ignore[no-untyped-def]
    row = ReactionSettings.for_site(Site.objects.get(is_default_site=True))
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


def settled(user: User) -> User:
    """An account old enough that the spam check does not count it as new."""
    User.objects.filter(pk=user.pk).update(
        date_joined=timezone.now() - timezone.timedelta(days=30)
    )
    user.refresh_from_db()
    return user


class AlwaysSpam(SpamCheck):
    """A provider as a site would plug one in (an outside service, say)."""

    name = "always"

    def check(self, candidate: Candidate) -> Verdict:
        return Verdict(spam=True, score=9, reasons=[f"{len(candidate.text)} chars"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("You are a Dolt.", "dolt"),
        ("Buy chéap pills now", "cheap pills"),
        ("buy CHEAP\n  pills", "cheap pills"),
        ("The doltish reply", None),  # whole words only
        ("Nothing to see", None),
    ],
)
def test_word_filter_matches_whole_words_ignoring_case_and_accents(text, expected):
    assert matched_word(text, "dolt\n  Cheap Pills \n\n") == expected


def test_a_filtered_word_holds_the_comment_and_says_why(member, article):
    # given an established member (no pre-moderation) and a word filter
    settled(member)
    row = config(premoderate_first_comment=False, word_filter="dolt")
    # when they post a comment with the word
    comment = actions.post_comment(
        article, author=member, text="What a DOLT.", config=row
    )
    # then it waits, flagged by the filter, with the word in its history
    assert comment.state == CommentState.PENDING
    assert comment.held_because == HoldReason.WORD
    event = comment.events.get()
    assert (event.action, event.to_state) == ("post", "pending")
    assert "word filter: “dolt”" in event.reason
    clean = actions.post_comment(article, author=member, text="Fine.", config=row)
    assert clean.state == CommentState.PUBLISHED


def test_pre_moderating_all_holds_members_but_not_staff(member, article):
    settled(member)
    row = config(premoderate_first_comment=False, premoderate_all=True)
    Comment.objects.create(
        article=article, author=member, text="old", html="", state="published"
    )
    held = actions.post_comment(article, author=member, text="Again", config=row)
    assert (held.state, held.held_because) == ("pending", "all")
    editor = make_staff("Editors")
    editor.is_staff = True
    editor.save()
    staff = actions.post_comment(article, author=editor, text="Note", config=row)
    assert staff.state == CommentState.PUBLISHED


def test_heuristic_spam_check_scores_links_repeats_new_accounts_and_rate(
    member, other_member, article
):
    check = HeuristicSpamCheck()

    def verdict(author, text):  # type: ignore[no-untyped-def]
        return check.check(Candidate(text=text, author=author, article_id=article.pk))

    # an established member's ordinary comment, even with two links, passes
    settled(other_member)
    assert not verdict(other_member, "See https://a.example and https://b.example").spam
    # ten links is spam whoever posts it
    flood = " ".join(f"https://x{i}.example" for i in range(10))
    assert verdict(other_member, flood).spam
    # a brand-new account posting links and a run of characters is spam
    fresh = verdict(member, "Visit https://shop.example " + "!" * 40)
    assert fresh.spam and "account made minutes ago" in fresh.reasons
    # the same text again from a new account is spam
    Comment.objects.create(
        article=article, author=member, text="Great post", html="", state="published"
    )
    again = verdict(member, "Great post")
    assert again.spam and "same text posted again" in again.reasons
    # five comments in ten minutes plus a new account
    Comment.objects.bulk_create(
        Comment(article=article, author=member, text=f"n{i}", html="") for i in range(5)
    )
    assert "many comments in ten minutes" in verdict(member, "one more").reasons


def test_spam_goes_to_the_spam_queue_with_the_checks_reasons(member, article):
    row = config(premoderate_first_comment=False)
    flood = " ".join(f"https://x{i}.example" for i in range(10))
    comment = actions.post_comment(article, author=member, text=flood, config=row)
    assert (comment.state, comment.held_because) == ("spam", "spam")
    assert "spam check (heuristic, score" in comment.events.get().reason
    assert "10 links" in comment.events.get().reason


@override_settings(
    HERALD_COMMENT_SPAM_CHECK="herald.reactions.tests.test_moderation.AlwaysSpam"
)
def test_the_spam_check_is_picked_by_a_dotted_path(member, article):
    assert providers.get_spam_check().name == "always"
    row = config(premoderate_first_comment=False)
    comment = actions.post_comment(article, author=member, text="hello", config=row)
    assert comment.state == CommentState.SPAM
    assert "spam check (always, score 9): 5 chars" in comment.events.get().reason


@pytest.mark.parametrize(
    "path",
    ["herald.reactions.providers.nowhere.Check", "herald.reactions.models.Comment"],
)
def test_a_wrong_spam_check_path_fails_loudly(path):
    with pytest.raises(ImproperlyConfigured, match="HERALD_COMMENT_SPAM_CHECK"):
        providers.load(path)


def test_a_banned_member_is_refused_with_the_reason_until_the_ban_ends(
    member_client, member, article
):
    # given a ban with an end date and a reason
    moderator = make_staff("Moderators")
    token = token_of(member_client, article)
    until = timezone.now() + timezone.timedelta(days=7)
    actions.ban_member(member, actor=moderator, until=until, reason="Personal attacks")
    # when the member posts
    response = member_client.post(
        comment_url(article), {"text": "Let me in", "csrfmiddlewaretoken": token}
    )
    # then it is refused, with the reason, and nothing is stored
    assert response.status_code == 403
    body = response.content.decode()
    assert "You may not comment until" in body and "Personal attacks" in body
    assert not Comment.objects.exists()
    # and the decision is on the member's history
    event = CommenterEvent.objects.get()
    assert (event.action, event.actor, event.reason) == (
        "ban",
        moderator,
        "Personal attacks",
    )
    # once the ban is lifted, the member may comment again
    actions.lift_ban(member, actor=moderator, reason="appeal")
    response = member_client.post(
        comment_url(article), {"text": "Thanks", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 303


def test_an_ended_ban_no_longer_refuses(member, article):
    row = config()
    actions.ban_member(
        member,
        actor=None,
        until=timezone.now() - timezone.timedelta(minutes=1),
        reason="cool off",
    )
    assert actions.post_comment(article, author=member, text="back", config=row)


def test_a_shadow_held_members_comments_wait_and_the_page_does_not_say_why(
    member_client, member, article
):
    settled(member)
    config(premoderate_first_comment=False)
    actions.hold_member(member, actor=None, held=True, reason="watch")
    token = token_of(member_client, article)
    response = member_client.post(
        comment_url(article), {"text": "Held text", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert (comment.state, comment.held_because) == ("pending", "member")
    page = member_client.get(response["Location"]).content.decode()
    assert "Held text" not in page
    assert "held" not in page.lower().replace("comments-held", "")


def test_a_decision_drops_the_articles_kept_thread(
    anon_client, member, other_member, article
):
    # given a pending comment and the anonymous page kept without it
    row = config()
    comment = actions.post_comment(article, author=member, text="Wait", config=row)
    anon_client.get(article.url)
    assert "Wait" not in anon_client.get(article.url).content.decode()
    # when a moderator approves it, the anonymous page shows it
    actions.moderate_comment(
        comment, actor=make_staff("Moderators"), to_state="published"
    )
    assert "<p>Wait</p>" in anon_client.get(article.url).content.decode()


def test_a_bulk_decision_records_each_comment_and_drops_kept_threads(
    anon_client, member, other_member, article
):
    # given three pending comments (one already deleted by its author)
    row = config()
    first = actions.post_comment(article, author=member, text="One", config=row)
    second = actions.post_comment(article, author=other_member, text="Two", config=row)
    gone = actions.post_comment(article, author=member, text="Three", config=row)
    actions.delete_own_comment(gone, author=member)
    anon_client.get(article.url)
    assert "0 comments" in anon_client.get(article.url).content.decode()
    moderator = make_staff("Moderators")
    # when a moderator approves all three at once (one UPDATE)
    moved, skipped = actions.moderate_comments(
        [first.pk, second.pk, gone.pk],
        actor=moderator,
        to_state="published",
        reason="looked fine",
    )
    # then the two that could move did, each with its own history row
    assert (moved, skipped) == (2, 1)
    assert set(
        CommentEvent.objects.filter(actor=moderator).values_list(
            "comment_id", "from_state", "to_state", "reason"
        )
    ) == {
        (first.pk, "pending", "published", "looked fine"),
        (second.pk, "pending", "published", "looked fine"),
    }
    # and the kept anonymous thread was dropped though no model signal fired
    html = anon_client.get(article.url).content.decode()
    assert "2 comments" in html and "<p>One</p>" in html and "Three" not in html
