"""The paywall canary suite: gated text never reaches a reader who may not read it.

Surfaces come from ``canary.py`` and from every app's
``tests/canary_surfaces.py`` (see ``canary.load_surfaces``).

Every surface is scanned as every reader kind after each *sequence* (``SEQUENCES``):
on a fresh site; after an editor previews drafts that drop the paywall break;
after staff and a paying reader have read everything first; and after the
preview length changed from the default to 1 or 5 paragraphs, with the site read
at the old length first. The privileged-first sequence runs again behind
Django's cache middleware and behind a shared cache that keys on the URL only.
A scan counts only if each answer is the status the surface declared.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client, override_settings

from herald.members.models import MembershipSettings

from .canary import (
    DEFAULT_PREVIEW,
    REFUSED,
    CanarySite,
    CarelessCache,
    Surface,
    behind,
    build_canary_site,
    fetch,
    load_surfaces,
    new_canary,
    scan,
)

pytestmark = pytest.mark.django_db

SURFACES = load_surfaces()


@pytest.fixture
def canary_site() -> CanarySite:
    return build_canary_site()


@pytest.fixture
def editor():
    from herald.newsroom.testing import EDITORS, make_staff

    return make_staff(EDITORS)


@pytest.fixture
def staff(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


def scan_everything(site: CanarySite) -> list[str]:
    """Every surface as every reader: each leak and each unexpected answer."""
    problems = []
    # Every reader kind the site defines, least privileged first; the sequences
    # warm as the most privileged.
    for reader, client in site.readers.items():
        denied = site.denied(reader)
        for name in sorted(SURFACES):
            text, wrong = scan(SURFACES[name], client, site)
            problems += [f"{name} as {reader}: {w}" for w in wrong]
            leaked = [c for c in denied if c in text]
            if leaked:
                problems.append(f"{name} leaked {leaked} to {reader}")
    return problems


def read_everything(site: CanarySite, *clients: Client) -> None:
    """Fetch every surface as each of ``clients`` in turn, to fill every store."""
    for client in clients:
        for name in sorted(SURFACES):
            SURFACES[name].fetch(client, site)


def preview_drafts_without_the_break(site: CanarySite, staff: Client, editor) -> None:
    """An editor drafts each gated article with no paywall break and the gated
    canary up front, and looks at it through *View draft* and the edit preview."""
    from herald.newsroom.testing import (
        admin_form_data,
        article_body_form_data,
        paragraphs_body,
    )

    drafts, unpublished_of = {}, {}
    for kind, article in site.articles.items():
        unpublished = unpublished_of[kind] = new_canary(f"preview{kind}")
        site.preview_canaries.append(unpublished)
        drafts[kind] = [
            f"Now open to all: {site.canaries[kind]} and {unpublished}.",
            f"The public opening of the {kind} story.",
        ]
        draft = article.get_latest_revision_as_object()
        draft.body = paragraphs_body(drafts[kind])
        draft.save_revision(user=editor)

    # Saving a revision starts a new generation, which would drop what an
    # earlier preview left behind: all drafts are saved before any is viewed.
    for kind, article in site.articles.items():
        seen = [site.canaries[kind], unpublished_of[kind]]
        view_draft = staff.get(f"/admin/pages/{article.pk}/view_draft/")
        assert view_draft.status_code == 200, (kind, view_draft.status_code)
        # The editor saw the draft, so the scan that follows means something.
        assert all(c in view_draft.content.decode() for c in seen), kind

        edit_url = f"/admin/pages/{article.pk}/edit/"
        body = article_body_form_data(drafts[kind])
        posted = staff.post(
            edit_url + "preview/", admin_form_data(staff, edit_url, **body)
        )
        assert posted.json()["is_valid"], posted.content
        preview = staff.get(edit_url + "preview/")
        assert preview.status_code == 200, (kind, preview.status_code)
        assert all(c in preview.content.decode() for c in seen), kind


def set_preview_length(site: CanarySite, paragraphs: int, on_commit) -> None:
    """Change the publication's preview length as an editor's save does: with
    what it queues on commit (the search reindex) run."""
    from herald.newsroom.testing import set_publication

    with on_commit(execute=True):
        set_publication(preview_paragraphs=paragraphs)
    site.preview_paragraphs = paragraphs


def _fresh(site, staff, editor, on_commit) -> None:
    pass


def _after_preview(site, staff, editor, on_commit) -> None:
    read_everything(site, site.readers["anonymous"])
    preview_drafts_without_the_break(site, staff, editor)


def _after_privileged_reads(site, staff, editor, on_commit) -> None:
    read_everything(site, staff, site.readers["entitled"])


def _preview_length(paragraphs: int) -> Callable[..., None]:
    def setup(site, staff, editor, on_commit) -> None:
        # A first read at the default length: what was kept before the change
        # would show the old cut. Staff and the entitled member fill every
        # reader-neutral part (gated ones too), the anonymous reader the
        # reader-bound ones; other members' renderings are never kept.
        readers = site.readers
        read_everything(site, staff, readers["entitled"], readers["anonymous"])
        set_preview_length(site, paragraphs, on_commit)
        # The new cut is what readers get, so the scan tests this length.
        anonymous = site.readers["anonymous"]
        for kind, article in site.unbroken.items():
            html = anonymous.get(article.url).content.decode()
            assert site.paragraph_canaries[kind][paragraphs - 1] in html, kind

    return setup


SEQUENCES = {
    "fresh": _fresh,
    "after_preview": _after_preview,
    "after_privileged_reads": _after_privileged_reads,
    "preview_length_1": _preview_length(1),
    "preview_length_5": _preview_length(5),
}


@pytest.mark.parametrize("sequence", SEQUENCES)
def test_no_reader_receives_gated_text_they_may_not_read(
    canary_site, staff, editor, django_capture_on_commit_callbacks, sequence
):
    # given the site after the sequence (staff previews, privileged reads, or a
    # preview length other than the default)
    assert canary_site.preview_paragraphs == DEFAULT_PREVIEW
    SEQUENCES[sequence](canary_site, staff, editor, django_capture_on_commit_callbacks)

    # when every reader reads every surface
    problems = scan_everything(canary_site)

    # then none received text they may not read, and every surface answered
    assert not problems, "\n".join(problems)


def test_a_login_page_an_error_or_a_wrong_refusal_is_no_scan(canary_site):
    anonymous = canary_site.readers["anonymous"]
    article = canary_site.articles["paid"].url
    wrong = {
        "a sign-in redirect where text was due": lambda c, s: fetch(
            c, "/account/export/", method="post"
        ),
        "a sign-in redirect even when 302 is declared": lambda c, s: fetch(
            c, "/admin/", expect={200, 302}
        ),
        "a 404 where text was due": lambda c, s: fetch(c, article + "nope/"),
        "a page served where a refusal was due": lambda c, s: fetch(
            c, article, expect=REFUSED
        ),
        "nothing fetched at all": lambda c, s: "",
    }
    for name, fetch_it in wrong.items():
        _, problems = scan(Surface(name, fetch_it), anonymous, canary_site)
        assert problems, name

    refused = Surface("admin", lambda c, s: fetch(c, "/admin/", expect=REFUSED))
    assert scan(refused, anonymous, canary_site)[1] == []


def test_an_entitled_member_reads_every_gated_article_in_full(canary_site):
    reader = canary_site.readers["entitled"]

    for kind, article in canary_site.articles.items():
        response = reader.get(article.url)
        assert response.status_code == 200
        assert canary_site.canaries[kind] in response.content.decode(), kind
        assert "private" in response["Cache-Control"]
        assert "Cookie" in response["Vary"]


def test_a_free_member_reads_members_articles_but_not_paid_ones(canary_site):
    reader = canary_site.readers["free"]

    members = reader.get(canary_site.articles["members"].url).content.decode()
    paid = reader.get(canary_site.articles["paid"].url).content.decode()

    assert canary_site.canaries["members"] in members
    assert canary_site.canaries["paid"] not in paid
    assert "paywall-offer" in paid


def test_a_wrong_tier_member_is_offered_the_tier_that_unlocks_it(canary_site):
    page = canary_site.readers["wrong_tier"].get(canary_site.articles["tier"].url)

    html = page.content.decode()
    assert canary_site.canaries["tier"] not in html
    assert "paywall-offer" in html
    assert "Gold" in html


CACHE_MIDDLEWARE = [
    "django.middleware.cache.UpdateCacheMiddleware",
    *settings.MIDDLEWARE,
    "django.middleware.cache.FetchFromCacheMiddleware",
]


@override_settings(
    MIDDLEWARE=CACHE_MIDDLEWARE,
    CACHE_MIDDLEWARE_SECONDS=60,
    CACHE_MIDDLEWARE_KEY_PREFIX="canary",
)
def test_django_cache_never_hands_a_members_page_to_an_anonymous_reader(
    canary_site,
):
    for kind, article in canary_site.articles.items():
        entitled = canary_site.readers["entitled"].get(article.url)
        assert canary_site.canaries[kind] in entitled.content.decode()

        anonymous = Client().get(article.url)

        assert canary_site.canaries[kind] not in anonymous.content.decode()


@override_settings(
    MIDDLEWARE=CACHE_MIDDLEWARE,
    CACHE_MIDDLEWARE_SECONDS=60,
    CACHE_MIDDLEWARE_KEY_PREFIX="canary",
)
@pytest.mark.parametrize("sequence", ["after_privileged_reads", "after_preview"])
def test_behind_djangos_cache_middleware_no_reader_receives_gated_text(
    canary_site, staff, editor, django_capture_on_commit_callbacks, sequence
):
    # given Django's whole-page cache, filled by staff and paying readers first
    SEQUENCES[sequence](canary_site, staff, editor, django_capture_on_commit_callbacks)

    # when every reader reads every surface through it
    problems = scan_everything(canary_site)

    # then none received what it kept for a more privileged reader
    assert not problems, "\n".join(problems)


def test_behind_a_cache_keyed_on_the_url_only_no_reader_receives_gated_text(
    canary_site, staff, editor, django_capture_on_commit_callbacks
):
    # given a shared cache that ignores cookies and Vary, filled by staff and
    # paying readers first: only Cache-Control keeps their pages out of it
    with behind(CarelessCache()) as shared:
        _after_privileged_reads(
            canary_site, staff, editor, django_capture_on_commit_callbacks
        )
        assert shared.store  # public surfaces were stored, so it was in the way

        # when every reader reads every surface through it
        problems = scan_everything(canary_site)

    # then none received a page kept from a more privileged reader
    assert not problems, "\n".join(problems)


class SharedCache:
    """A careless shared cache (a CDN that ignores Vary): it keys on the URL only
    and stores whatever a shared cache may store by Cache-Control."""

    def __init__(self) -> None:
        self.store: dict[str, str] = {}

    def get(self, client: Client, url: str) -> str:
        if url in self.store:
            return self.store[url]
        response = client.get(url)
        control = response.get("Cache-Control", "")
        shareable = response.status_code == 200 and not any(
            word in control for word in ("private", "no-store", "no-cache")
        )
        body = response.content.decode()
        if shareable:
            self.store[url] = body
        return body


def test_a_shared_cache_keyed_on_the_url_only_stores_no_gated_text(canary_site):
    cache = SharedCache()
    for kind, article in canary_site.articles.items():
        cache.get(canary_site.readers["entitled"], article.url)

        text = cache.get(Client(), article.url)

        assert canary_site.canaries[kind] not in text


def _enable_metering(limit: int = 1) -> None:
    from wagtail.models import Site

    MembershipSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"metering_enabled": True, "metered_articles": limit},
    )


def test_metering_gives_n_articles_then_a_registration_wall_never_cached(
    canary_site,
):
    from herald.members.models import AccessLevel
    from herald.newsroom.testing import make_article

    _enable_metering(limit=1)
    members = canary_site.articles["members"]
    second_canary = "CANARYSECOND" + canary_site.canaries["members"][-12:]
    second = make_article(
        members.get_parent().specific,
        "Second members story",
        paragraphs=["Open.", f"Gated {second_canary}."],
        paywall_after=1,
        access_level=AccessLevel.MEMBERS,
    )
    cache = SharedCache()
    reader = Client()

    first = reader.get(members.url)
    assert canary_site.canaries["members"] in first.content.decode()
    assert "private" in first["Cache-Control"]
    assert "herald_meter" in first.cookies
    assert cache.get(reader, members.url)  # fetched through the cache …
    assert members.url not in cache.store  # … and not stored there

    again = reader.get(members.url).content.decode()
    assert canary_site.canaries["members"] in again  # the same article is free

    walled = reader.get(second.url)
    html = walled.content.decode()
    assert second_canary not in html
    assert "paywall-offer-registration" in html
    assert "private" in walled["Cache-Control"]

    # Paid articles are not metered unless configured.
    paid = Client().get(canary_site.articles["paid"].url).content.decode()
    assert canary_site.canaries["paid"] not in paid


def test_a_forged_meter_cookie_gets_no_free_articles(canary_site):
    _enable_metering(limit=1)
    reader = Client()
    reader.cookies["herald_meter"] = "forged-value"

    html = reader.get(canary_site.articles["members"].url).content.decode()

    # A bad signature counts as no cookie: a fresh meter, one article.
    assert canary_site.canaries["members"] in html
    assert reader.cookies["herald_meter"].value != "forged-value"
