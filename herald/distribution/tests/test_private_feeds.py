"""Private member feeds: secret, revocable URLs with the text a member may read."""

from __future__ import annotations

import feedparser
import pytest

from herald.distribution import actions, queries
from herald.distribution.models import FeedToken

from .conftest import CANARY


@pytest.fixture
def member(db):
    from herald.members.models import User

    return User.objects.create_user("reader@example.org")


def private_url(token: FeedToken, suffix: str = "") -> str:
    return f"/feed/private/{queries.feed_token_string(token)}/{suffix}"


@pytest.mark.parametrize("suffix", ["", "atom/", "json/"])
def test_member_feed_has_the_full_text_the_member_may_read(
    client, newsroom, distribution, member, suffix
):
    token = actions.rotate_feed_token(member)

    response = client.get(private_url(token, suffix))

    body = response.content.decode()
    assert response.status_code == 200
    # A signed-in member may read members-only stories, not paid ones.
    members_story = newsroom["members"]
    assert CANARY in body
    assert body.count(CANARY) == 1
    assert members_story.title in body
    assert "The harbour reopened today." in body
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert response["Link"].count('rel="self"') == 1
    assert 'rel="hub"' not in response["Link"]
    assert "noindex" in response["X-Robots-Tag"]


def test_member_feed_parses_and_keeps_paid_stories_to_their_teaser(
    client, newsroom, distribution, member
):
    token = actions.rotate_feed_token(member)

    parsed = feedparser.parse(client.get(private_url(token)).content)

    assert parsed.bozo == 0
    entries = {e.title: e for e in parsed.entries}
    paid = entries[newsroom["paid"].title]
    assert "content" not in paid
    assert CANARY in entries[newsroom["members"].title].content[0]["value"]


def test_staff_private_feed_carries_paid_text(client, newsroom, distribution):
    from herald.members.models import User

    editor = User.objects.create_user("editor@example.org", is_staff=True)
    token = actions.rotate_feed_token(editor)

    body = client.get(private_url(token)).content.decode()

    assert body.count(CANARY) == 2


def test_rotating_revokes_the_old_address(client, newsroom, distribution, member):
    old = actions.rotate_feed_token(member)
    new = actions.rotate_feed_token(member)

    gone = client.get(private_url(old))

    assert gone.status_code == 404
    assert CANARY not in gone.content.decode()
    assert newsroom["members"].title not in gone.content.decode()
    assert client.get(private_url(new)).status_code == 200
    assert FeedToken.objects.filter(user=member, revoked_at__isnull=True).count() == 1


def test_revoked_address_is_404_with_nothing_leaked(
    client, newsroom, distribution, member
):
    token = actions.rotate_feed_token(member)
    actions.revoke_feed_token(member)

    response = client.get(private_url(token, "json/"))

    assert response.status_code == 404
    body = response.content.decode()
    assert CANARY not in body
    assert newsroom["free"].title not in body
    assert member.email not in body


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s[:-1] + ("0" if s[-1] != "0" else "1"),  # wrong signature
        lambda s: s.split(".")[0],  # no signature
        lambda s: "f" * 32 + "." + s.split(".")[1],  # another id, same signature
        lambda s: "not-a-token",
        lambda s: s + "x" * 300,
    ],
)
def test_forged_address_is_404_with_nothing_leaked(
    client, newsroom, distribution, member, tamper
):
    token = actions.rotate_feed_token(member)
    forged = tamper(queries.feed_token_string(token))

    response = client.get(f"/feed/private/{forged}/")

    assert response.status_code == 404
    assert CANARY not in response.content.decode()
    assert newsroom["free"].title not in response.content.decode()


def test_deactivated_member_feed_is_404(client, newsroom, distribution, member):
    token = actions.rotate_feed_token(member)
    member.is_active = False
    member.save()

    assert client.get(private_url(token)).status_code == 404


def test_account_panel_creates_rotates_and_turns_off_the_feed(
    client, newsroom, distribution, member
):
    from django.template import Context, Template
    from django.test import RequestFactory

    client.force_login(member)

    created = client.post("/feed/private/rotate/", {"next": "/account/"})
    assert created.status_code == 302
    assert created["Location"] == "/account/"
    token = FeedToken.objects.get(user=member, revoked_at__isnull=True)

    request = RequestFactory().get("/account/")
    request.user = member
    html = Template("{% load distribution %}{% private_feed_panel %}").render(
        Context({"request": request})
    )
    assert queries.feed_token_string(token) in html
    assert "/feed/private/revoke/" in html

    client.post("/feed/private/revoke/", {"next": "https://evil.example.org/"})
    assert not FeedToken.objects.filter(user=member, revoked_at__isnull=True).exists()


def test_rotating_needs_a_signed_in_member_and_a_post(client, newsroom, distribution):
    assert client.get("/feed/private/rotate/").status_code == 405
    response = client.post("/feed/private/rotate/")
    assert response.status_code == 302
    assert "/feed/private/rotate/" in response["Location"]  # sent to sign in
    assert not FeedToken.objects.exists()


def test_entitled_canary_member_reads_every_gated_canary_in_the_private_feed(
    client, publication, distribution
):
    from herald.members.tests.canary import build_canary_site

    site = build_canary_site()
    token = actions.rotate_feed_token(site.users["entitled"])

    body = client.get(private_url(token)).content.decode()

    for kind in ("members", "paid", "tier"):
        assert site.canaries[kind] in body, kind


def test_signing_out_everywhere_turns_off_the_private_feed(
    client, newsroom, distribution, member, django_capture_on_commit_callbacks
):
    # given: a member with a private feed that a stolen device could keep reading
    token = actions.rotate_feed_token(member)
    client.force_login(member)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/signout/everywhere/")

    # then
    assert response.status_code == 302
    gone = client.get(private_url(token))
    assert gone.status_code == 404
    assert CANARY not in gone.content.decode()
    assert not FeedToken.objects.filter(user=member, revoked_at__isnull=True).exists()


def test_account_page_shows_the_feed_address_and_a_reset_button_to_its_member(
    client, newsroom, distribution, member
):
    token = actions.rotate_feed_token(member)
    client.force_login(member)

    page = client.get("/account/").content.decode()

    assert queries.feed_token_string(token) in page
    assert 'action="/feed/private/rotate/"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_account_page_shows_no_feed_address_to_a_member_without_a_feed(
    client, newsroom, distribution, member
):
    other = type(member).objects.create_user("other@example.org")
    others_token = actions.rotate_feed_token(other)
    client.force_login(member)

    page = client.get("/account/").content.decode()

    assert "/feed/private/" not in page.replace("/feed/private/rotate/", "")
    assert queries.feed_token_string(others_token) not in page


def test_reset_button_gives_a_new_address_and_kills_the_old_one(
    client, newsroom, distribution, member
):
    old = actions.rotate_feed_token(member)
    client.force_login(member)

    response = client.post("/feed/private/rotate/", {"next": "/account/"})

    assert response.status_code == 302
    new = FeedToken.objects.get(user=member, revoked_at__isnull=True)
    assert new.pk != old.pk
    page = client.get("/account/").content.decode()
    assert queries.feed_token_string(new) in page
    assert queries.feed_token_string(old) not in page
    assert client.get(private_url(old)).status_code == 404


def test_reset_button_refuses_a_post_without_the_csrf_token(
    newsroom, distribution, member
):
    from django.test import Client

    old = actions.rotate_feed_token(member)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)

    response = browser.post("/feed/private/rotate/", {"next": "/account/"})

    assert response.status_code == 403
    assert FeedToken.objects.get(user=member, revoked_at__isnull=True).pk == old.pk
