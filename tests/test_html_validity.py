"""Every reader and account page is valid HTML for the W3C Nu HTML checker.

The pages are rendered with the Django test client on a small site, written to
files and checked by one run of ``vnu.jar`` (one JVM start for all of them).
``make test`` installs the checker into ``var/vnu/`` (the ``vnu`` target) and
Java if it is missing. Outside CI the test is skipped when either is absent; in
CI (``CI=true``) a missing checker is a failure, never a silent skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client as DjangoClient
from django.test import RequestFactory, TestCase
from django.utils import timezone
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed

from herald.core.views import server_error
from herald.members import actions as member_actions
from herald.members.models import AccessLevel, Offer, Tier, User
from herald.newsroom.testing import (
    make_article,
    make_author,
    make_image,
    make_section,
    set_publication,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
VNU_JAR = (
    ROOT / "var" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
CODE_RE = re.compile(r"\b(\d{3}) (\d{3})\b")
LINK_RE = re.compile(r"https?://[^/\s]+(/account/\S+/)")
EMBED_URL = "https://vimeo.com/5678"


class Client(DjangoClient):
    """A test client whose requests end like real ones: on-commit work runs.

    Sign-in codes and links are mailed on commit; the test transaction never
    commits, so each request runs its callbacks when it returns.
    """

    def request(self, **request):  # type: ignore[no-untyped-def]
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


def _checker() -> list[str]:
    """The command that runs the Nu checker, or skip/fail when it is missing."""
    java = shutil.which("java")
    if java and VNU_JAR.is_file():
        return [java, "-jar", str(VNU_JAR)]
    missing = "java" if not java else f"the Nu HTML checker ({VNU_JAR})"
    reason = f"{missing} is not installed; `make vnu` installs it"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI must run the HTML checker)")
    pytest.skip(reason)


# A page the checker must fault: proof that it really read the files it was given.
KNOWN_BAD = '<!doctype html><html lang="en"><title>x</title><p><time datetime="soon">x'


def nu_errors(command: list[str], pages: dict[str, str], folder: Path) -> list[str]:
    """Check every page in one checker run; return '<page>:<line>: <message>'."""
    names = {}
    for number, (name, html) in enumerate({**pages, "(known bad)": KNOWN_BAD}.items()):
        path = folder / f"page-{number:02d}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = name
    result = subprocess.run(
        [*command, "--format", "json", "--errors-only", "--stdout"]
        + [str(folder / filename) for filename in names],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"The Nu checker did not answer JSON: {result.stdout}{result.stderr}"
        )
    errors = []
    for message in report.get("messages", []):
        if message.get("type") not in ("error", "non-document-error"):
            continue
        name = names.get(message.get("url", "").rsplit("/", 1)[-1], message.get("url"))
        extract = message.get("extract", "").strip()
        line = message.get("lastLine", "?")
        errors.append((name, f"{name}:{line}: {message['message']} [{extract}]"))
    assert any(name == "(known bad)" for name, _ in errors), (
        f"The Nu checker did not check the pages: {result.stdout}{result.stderr}"
    )
    return [text for name, text in errors if name != "(known bad)"]


class Pages(dict[str, str]):
    """The HTML of each page visited, by a name that says what it is."""

    def visit(
        self,
        label: str,
        client: Client,
        url: str,
        /,
        *,
        status: int = 200,
        method: str = "get",
        **data: Any,
    ) -> Any:
        response = getattr(client, method)(url, data or None)
        assert response.status_code == status, (label, url, response.status_code)
        if response.status_code not in (301, 302):
            assert response["Content-Type"].startswith("text/html"), label
            self[label] = response.content.decode()
        return response


def _code_from_outbox(to: str) -> str:
    message = [m for m in mail.outbox if to in m.to][-1]
    found = CODE_RE.search(message.body)
    assert found, message.body
    return found.group(1) + found.group(2)


def _link_from_outbox(to: str) -> str:
    message = [m for m in mail.outbox if to in m.to][-1]
    found = LINK_RE.search(message.body)
    assert found, message.body
    return found.group(1)


def _rich_body(image: Any, other: Any) -> list[dict[str, Any]]:
    """One of each body block, with the paywall break after the first two."""
    figure = {
        "image": image.pk,
        "caption": "Boats at rest.",
        "credit": "",
        "alt_text": "",
    }
    return [
        {"type": "paragraph", "value": "<p>The ferry left at <b>dawn</b>.</p>"},
        {"type": "heading", "value": {"text": "What happened", "level": "h2"}},
        {"type": "paywall", "value": None},
        {"type": "heading", "value": {"text": "At the quay", "level": "h3"}},
        {"type": "image", "value": figure},
        {
            "type": "gallery",
            "value": {
                "title": "The crossing",
                "images": [figure, {**figure, "image": other.pk, "caption": ""}],
            },
        },
        {
            "type": "blockquote",
            "value": {
                "quote": "Bon voyage",
                "attribution": "A sailor",
                "language": "fr",
            },
        },
        {"type": "pullquote", "value": {"quote": "We waited.", "attribution": "Ana"}},
        {
            "type": "embed",
            "value": {
                "embed": EMBED_URL,
                "fallback_title": "Watch the crossing",
                "caption": "The video",
            },
        },
        {
            "type": "factbox",
            "value": {"title": "Key facts", "body": "<p>Ten ships.</p>"},
        },
        {
            "type": "source",
            "value": {
                "title": "Port report",
                "url": "https://example.org/report",
                "document": None,
                "description": "The harbour office's figures.",
            },
        },
        {"type": "paragraph", "value": "<p>The gated end of the story.</p>"},
    ]


@pytest.fixture
def site(settings) -> dict[str, Any]:
    """A small publication: nested sections, rich articles, tiers and an offer."""
    settings.HERALD_PAYMENTS_PROVIDER = "dummy"
    set_publication(
        name="The Tidewater Courier",
        tagline="News from the estuary towns",
        support_url="https://support.example.org/give",
        about_url="/about/",
        privacy_url="/privacy/",
        mastodon_url="https://mastodon.example/@courier",
    )
    gold = Tier.objects.create(
        name="Gold", slug="gold", monthly_price=900, yearly_price=9000
    )
    Tier.objects.create(
        name="Silver", slug="silver", monthly_price=500, yearly_price=5000
    )
    Offer.objects.create(
        name="Half off",
        code="half",
        tier=gold,
        interval="year",
        discount_kind="percent",
        discount_value=50,
        duration="once",
        trial_days=14,
    )
    world = make_section("World", intro="Our foreign desk.")
    asia = make_section("Asia", parent=world, intro="From Seoul to Jakarta.")
    ada = make_author("Ada Quill", email="ada@example.org")
    bo = make_author("Bo Lindqvist")
    hero = make_image(alt="The ferry at the quay", credit="Port photo")
    # A stored embed: the network is closed in tests.
    Embed.objects.create(
        url=EMBED_URL,
        hash=get_embed_hash(EMBED_URL),
        html=(
            '<iframe src="https://player.vimeo.com/video/5678" title="Video"></iframe>'
        ),
        type="video",
        width=640,
        height=360,
    )
    public = make_article(
        world,
        "Ferry service returns to the islands",
        dek="Timetables published for the summer crossing.",
        body=_rich_body(make_image(), make_image()),
        authors=[ada, bo],
        tags=["shipping", "islands"],
        hero_image=hero,
        hero_caption="The first ferry of the season.",
        corrections=["An earlier version misnamed the harbourmaster."],
        display_updated_at=timezone.now(),
        editors_note="<p>This story was <i>updated</i>.</p>",
        is_breaking=True,
    )
    gated = make_article(
        asia,
        "Typhoon closes schools",
        dek="Classes move online for a week.",
        paragraphs=["Open lead.", "Gated detail.", "More gated detail."],
        paywall_after=1,
        authors=[bo],
        tags=["weather"],
        access_level=AccessLevel.PAID,
        hero_image=make_image(),
    )
    for n in range(3):
        make_article(asia, f"Shipping note {n}", tags=["shipping"], authors=[ada])
    return {
        "world": world,
        "asia": asia,
        "public": public,
        "gated": gated,
        "gold": gold,
    }


def _paid_member(pages: Pages) -> Client:
    """A member who subscribed through the (dummy) checkout, pages on the way."""
    paying = Client()
    paying.force_login(User.objects.create_user("paid@example.org", first_name="Pat"))
    to_checkout = pages.visit(
        "checkout start",
        paying,
        "/account/checkout/",
        status=302,
        method="post",
        tier="gold",
        interval="month",
    )
    checkout_url = to_checkout["Location"]
    pages.visit("dummy checkout", paying, checkout_url)
    pages.visit("dummy checkout pay", paying, checkout_url, status=302, method="post")
    pages.visit("checkout done", paying, "/account/checkout/done/")
    return paying


def test_every_reader_and_account_page_has_no_html_errors(site, settings, tmp_path):
    # given: the checker, and readers of every kind
    checker = _checker()
    pages = Pages()
    anonymous = Client()
    free = Client()
    free_member = User.objects.create_user("free@example.org", first_name="Fran")
    free.force_login(free_member)
    comped = Client()
    comped_member = User.objects.create_user("comp@example.org")
    member_actions.grant_comp(
        comped_member, tier=site["gold"], ends_at=timezone.now() + timedelta(days=30)
    )
    comped.force_login(comped_member)
    paying = _paid_member(pages)

    # when: every page type is rendered
    public, gated = site["public"], site["gated"]
    pages.visit("home", anonymous, "/")
    pages.visit("home, signed in", free, "/")
    pages.visit("section", anonymous, site["world"].url)
    pages.visit("nested section", anonymous, site["asia"].url)
    pages.visit("section, page 2", anonymous, site["asia"].url, page="2")
    pages.visit("article, public", anonymous, public.url)
    pages.visit("article, gated, anonymous", anonymous, gated.url)
    pages.visit("article, gated, free member", free, gated.url)
    pages.visit("article, gated, entitled member", paying, gated.url)
    pages.visit("article, gated, comped member", comped, gated.url)
    pages.visit("author", anonymous, "/author/ada-quill/")
    pages.visit("tag", anonymous, "/tag/shipping/")
    pages.visit("search, empty", anonymous, "/search/")
    pages.visit("search, results", anonymous, "/search/", q="ferry")
    pages.visit("search, newest", anonymous, "/search/", q="shipping", order="newest")
    pages.visit("search, no results", anonymous, "/search/", q="zeppelin")
    pages.visit("not found", anonymous, "/no-such-page/", status=404)
    pages.visit("unknown author", anonymous, "/author/nobody/", status=404)
    pages.visit("plans", anonymous, "/account/plans/")
    pages.visit("plans, signed in", free, "/account/plans/")
    pages.visit("offer", anonymous, "/account/offer/half/")
    pages.visit("offer, signed in", free, "/account/offer/half/")
    pages.visit("offer, gone", anonymous, "/account/offer/nope/", status=404)
    pages["server error"] = server_error(RequestFactory().get("/")).content.decode()

    reader = Client()
    pages.visit("sign in", reader, "/account/signin/")
    pages.visit(
        "sign in, bad email",
        reader,
        "/account/signin/",
        status=400,
        method="post",
        email="not-an-email",
    )
    pages.visit("sign up", reader, "/account/signup/")
    pages.visit(
        "sign up, bad email",
        reader,
        "/account/signup/",
        status=400,
        method="post",
        email="nope",
    )
    pages.visit(
        "sign up sent",
        reader,
        "/account/signup/",
        status=302,
        method="post",
        email="new@example.org",
        name="Nia",
    )
    pages.visit("code entry, sign-up", reader, "/account/code/")
    pages.visit("sign-up link", reader, _link_from_outbox("new@example.org"))
    pages.visit(
        "sign in sent",
        reader,
        "/account/signin/",
        status=302,
        method="post",
        email=free_member.email,
    )
    pages.visit("code entry", reader, "/account/code/")
    right = _code_from_outbox(free_member.email)
    wrong = "000000" if right != "000000" else "111111"
    pages.visit(
        "code entry, wrong code",
        reader,
        "/account/code/",
        status=400,
        method="post",
        code=wrong,
    )
    pages.visit("sign-in link", reader, _link_from_outbox(free_member.email))
    pages.visit("sign-in link, unknown", reader, "/account/signin/link/x/", status=404)

    pages.visit("account, free member", free, "/account/")
    pages.visit("account, comped member", comped, "/account/")
    pages.visit("account, paying member", paying, "/account/")
    pages.visit(
        "name change, too long",
        free,
        "/account/name/",
        status=400,
        method="post",
        name="x" * 200,
    )
    pages.visit(
        "checkout, unknown plan",
        free,
        "/account/checkout/",
        status=400,
        method="post",
        tier="nope",
        interval="month",
    )
    pages.visit("delete account, inbox not proven", free, "/account/delete/")
    pages.visit(
        "email change, inbox not proven",
        free,
        "/account/email/",
        status=302,
        method="post",
        email="fran@example.org",
    )
    pages.visit("inbox proof", free, "/account/confirm/", next="/account/delete/")
    pages.visit(
        "inbox proof sent",
        free,
        "/account/confirm/",
        status=302,
        method="post",
        next="/account/delete/",
    )
    pages.visit("inbox proof code", free, "/account/confirm/code/")
    right = _code_from_outbox(free_member.email)
    pages.visit(
        "inbox proof, wrong code",
        free,
        "/account/confirm/code/",
        status=400,
        method="post",
        code="000000" if right != "000000" else "111111",
    )
    pages.visit("inbox proof link", free, _link_from_outbox(free_member.email))
    pages.visit(
        "inbox proven",
        free,
        "/account/confirm/code/",
        status=302,
        method="post",
        code=right,
    )
    pages.visit("delete account", free, "/account/delete/")
    pages.visit(
        "delete account, unconfirmed",
        free,
        "/account/delete/",
        status=400,
        method="post",
    )
    pages.visit(
        "email change",
        free,
        "/account/email/",
        status=302,
        method="post",
        email="fran@example.org",
    )
    pages.visit("account, email change sent", free, "/account/")
    pages.visit("email change link", anonymous, _link_from_outbox("fran@example.org"))

    # newsletters: the page and its form, double opt-in, preferences, one-click,
    # the archive, the account section and the member sign-up choices
    from herald.newsletters import queries as newsletter_queries
    from herald.newsletters.models import Newsletter, Subscription

    Newsletter.objects.create(
        name="Tide Tables",
        slug="tide-tables",
        description="Five stories before breakfast.",
        default_for_new_members=True,
    )
    Newsletter.objects.create(name="Ledger", slug="ledger", visibility="paid")
    pages.visit("newsletters", anonymous, "/newsletters/")
    pages.visit(
        "newsletters, filled in",
        anonymous,
        "/newsletters/",
        email="x@example.org",
        newsletter="tide-tables",
    )
    pages.visit(
        "newsletters, form errors",
        anonymous,
        "/newsletters/",
        status=400,
        method="post",
        email="not an address",
    )
    pages.visit(
        "newsletters, check inbox",
        anonymous,
        "/newsletters/",
        method="post",
        email="nl@example.org",
        newsletters="tide-tables",
    )
    confirm = re.search(
        r"https?://[^/]+(/newsletters/confirm/\S+/)",
        [m for m in mail.outbox if "nl@example.org" in m.to][-1].body,
    ).group(1)
    pages.visit("newsletters, confirm", anonymous, confirm)
    pages.visit("newsletters, confirmed", anonymous, confirm, method="post")
    pages.visit("newsletters, link used", anonymous, confirm, method="post")
    row = Subscription.objects.get(email="nl@example.org")
    local = re.compile(r"https?://[^/]+")
    preferences = local.sub("", newsletter_queries.preferences_url(row))
    one_click = local.sub("", newsletter_queries.one_click_unsubscribe_url(row))
    pages.visit("newsletter preferences", anonymous, preferences)
    pages.visit("newsletter one-click, asks", anonymous, one_click)
    pages.visit("newsletter one-click, done", anonymous, one_click, method="post")
    pages.visit(
        "newsletter link, forged",
        anonymous,
        "/newsletters/preferences/x:y/",
        status=404,
    )
    pages.visit("newsletter archive", anonymous, "/newsletters/tide-tables/")
    pages.visit("newsletter archive, paid", anonymous, "/newsletters/ledger/")
    pages.visit("account, with newsletters", paying, "/account/")
    pages.visit("sign up, with newsletters", Client(), "/account/signup/")

    settings.HERALD_SEARCH_RATE = "1/m"
    pages.visit("search, first", anonymous, "/search/", q="ferry")
    pages.visit("search, rate limited", anonymous, "/search/", q="ferry", status=429)
    settings.HERALD_MEMBERS_RATES = {"ip": "0/m"}
    pages.visit(
        "sign in, rate limited",
        Client(),
        "/account/signin/",
        status=429,
        method="post",
        email="someone@example.org",
    )

    # then
    errors = nu_errors(checker, pages, tmp_path)
    assert not errors, "\n".join(errors)
