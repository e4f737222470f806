"""Support: "Support us" leads to the plans, a reader who pays from a paywall
comes back to the story, and the account page speaks after every action."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from herald.core.links import local_path
from herald.members.models import AccessLevel
from herald.newsroom.testing import make_article, make_section, set_publication
from tests.fakes.stripe_fixtures import django_client_endpoint

from .conftest import Client, last_code, last_link, path_of

pytestmark = pytest.mark.django_db

WEBHOOK = "/account/webhooks/payments/"


@pytest.fixture
def story(db):
    return make_article(
        make_section("Harbour"),
        "The harbour contracts",
        paragraphs=["Open text.", "WHOLESTORY behind the paywall."],
        paywall_after=1,
        access_level=AccessLevel.PAID,
    )


@pytest.fixture
def signed_in(member) -> Client:
    browser = Client()
    browser.force_login(member)
    return browser


# --- "Support us" --------------------------------------------------------------


def test_support_us_goes_to_the_sites_own_plans_by_default(story):
    set_publication(support_url="")

    home = Client().get("/").content.decode()
    article = Client().get(story.url).content.decode()

    assert 'href="/account/plans/">Support us<' in home
    assert 'href="/account/plans/">Support our journalism<' in home
    assert 'href="/account/plans/">Support us<' in article


def test_a_chosen_support_link_still_wins(story):
    set_publication(support_url="https://give.example.org/")

    home = Client().get("/").content.decode()

    assert 'href="https://give.example.org/">Support us<' in home
    assert 'href="/account/plans/">Support us<' not in home


# --- Back to the story after paying ---------------------------------------------


def test_the_paywall_sends_readers_to_the_plans_with_the_story_to_return_to(story):
    html = Client().get(story.url).content.decode()

    plans = f"/account/plans/?next={story.url}"
    assert f"/account/signup/?next={quote(plans, safe='/')}" in html


def test_the_plans_carry_the_story_into_checkout(signed_in, gold, story):
    html = signed_in.get("/account/plans/", {"next": story.url}).content.decode()

    assert f'<input type="hidden" name="next" value="{story.url}">' in html


def test_paying_at_the_stripe_checkout_brings_the_reader_back_to_the_story(
    stripe_server, settings, signed_in, member, gold, story
):
    # given the local Stripe-compatible server as the payment provider
    settings.HERALD_PAYMENTS_PROVIDER = "stripe"
    stripe_server.add_endpoint(django_client_endpoint(WEBHOOK))

    # when the reader chooses a plan from the story's paywall and pays
    started = signed_in.post(
        "/account/checkout/",
        {"tier": "gold", "interval": "month", "next": story.url},
    )
    session_id = started["Location"].rsplit("/", 1)[1]
    session = stripe_server.complete_checkout(session_id, email=member.email)
    done = signed_in.get(path_of(session["success_url"]))

    # then the thank-you address sends them straight back to the whole story
    assert done.status_code == 302
    assert done["Location"] == story.url
    assert "WHOLESTORY" in signed_in.get(story.url).content.decode()


def test_the_test_checkout_brings_the_reader_back_to_the_story(signed_in, gold, story):
    started = signed_in.post(
        "/account/checkout/",
        {"tier": "gold", "interval": "year", "next": story.url},
    )
    paid = signed_in.post(started["Location"])
    done = signed_in.get(path_of(paid["Location"]))

    assert done.status_code == 302 and done["Location"] == story.url


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "javascript:alert(1)",
    ],
)
def test_a_next_that_leaves_the_site_is_dropped(signed_in, gold, target):
    started = signed_in.post(
        "/account/checkout/", {"tier": "gold", "interval": "year", "next": target}
    )
    paid = signed_in.post(started["Location"])
    done = signed_in.get(path_of(paid["Location"]))

    assert done.status_code == 200
    assert "evil" not in paid["Location"]
    assert "Your Gold membership is active." in done.content.decode()


@pytest.mark.parametrize(
    "value,expected",
    [
        ("/harbour/story/?a=1", "/harbour/story/?a=1"),
        ("/", "/"),
        ("//evil.example", ""),
        ("/\\evil.example", ""),
        ("/\tevil", ""),
        ("https://evil.example/", ""),
        ("harbour/", ""),
        ("/" + "a" * 600, ""),
        (None, ""),
    ],
)
def test_local_path_accepts_only_paths_on_this_site(value, expected):
    assert local_path(value) == expected


# --- The account page ----------------------------------------------------------


def test_account_page_shows_the_private_feed_and_one_main_action(signed_in, gold):
    html = signed_in.get("/account/").content.decode()

    assert "Your private feed" in html
    assert len(re.findall(r'class="[^"]*button-primary', html)) == 1
    assert 'class="button button-primary" href="/account/plans/"' in html


def test_the_private_feed_buttons_say_what_they_did(signed_in):
    created = signed_in.post("/feed/private/rotate/", {"next": "/account/"})
    page = signed_in.get(created["Location"]).content.decode()
    assert "Your private feed is ready" in page

    signed_in.post("/feed/private/rotate/", {"next": "/account/"})
    assert "has a new address" in signed_in.get("/account/").content.decode()

    signed_in.post("/feed/private/revoke/", {"next": "/account/"})
    assert (
        "Your private feed is turned off."
        in signed_in.get("/account/").content.decode()
    )


def _said(browser: Client, response) -> str:  # type: ignore[no-untyped-def]
    """The status message on the page a redirect lands on ("" when none)."""
    assert response.status_code == 302, response
    html = browser.get(response["Location"]).content.decode()
    found = re.search(r'<div class="messages" role="status">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


def test_every_account_action_says_what_it_did(signed_in, member):
    from herald.newsletters.models import Newsletter

    Newsletter.objects.create(name="The Morning Tide", slug="morning")

    assert _said(signed_in, signed_in.post("/account/name/", {"name": "Rita M"})) == (
        "Your name is saved."
    )
    assert "confirm it is you" in _said(
        signed_in, signed_in.post("/account/email/", {"email": "rita@new.example"})
    )
    signed_in.post("/account/confirm/", {"next": "/account/"})
    signed_in.post("/account/confirm/code/", {"code": last_code(member.email)})
    assert _said(
        signed_in, signed_in.post("/account/email/", {"email": "rita@new.example"})
    ) == ("We sent a link to rita@new.example. Your address changes once you open it.")
    link = path_of(last_link("rita@new.example"))
    assert _said(signed_in, signed_in.post(link)) == "Your email address is changed."
    assert _said(
        signed_in, signed_in.post("/newsletters/account/", {"newsletters": "morning"})
    ) == ("Your newsletters are saved.")
    assert _said(signed_in, signed_in.post("/account/signout/everywhere/")) == (
        "You are signed out on every device."
    )


def test_signing_out_says_so_on_the_page_the_reader_lands_on(signed_in):
    response = signed_in.post("/account/signout/")

    assert response.status_code == 302
    assert "You are signed out." in signed_in.get(response["Location"]).content.decode()


def test_deleting_the_account_says_so_on_the_page_the_reader_lands_on(
    signed_in, member
):
    signed_in.post("/account/confirm/", {"next": "/account/delete/"})
    signed_in.post("/account/confirm/code/", {"code": last_code(member.email)})

    response = signed_in.post("/account/delete/", {"confirm": "on"})
    landed = signed_in.get(response["Location"])

    assert response["Location"] == "/account/deleted/"
    assert "Your account is deleted." in landed.content.decode()
    # said once: the next page no longer repeats it
    assert (
        "Your account is deleted."
        not in signed_in.get("/account/deleted/").content.decode()
    )
