"""The paywall canary suite: gated text never reaches a reader who may not read it.

Surfaces come from ``canary.py`` and from every app's
``tests/canary_surfaces.py`` (see ``canary.load_surfaces``).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings

from herald.members.models import MembershipSettings

from .canary import CanarySite, build_canary_site, load_surfaces

pytestmark = pytest.mark.django_db

SURFACES = load_surfaces()


@pytest.fixture
def canary_site() -> CanarySite:
    return build_canary_site()


@pytest.mark.parametrize("surface_name", sorted(SURFACES))
@pytest.mark.parametrize("reader", ["anonymous", "free", "wrong_tier"])
def test_no_reader_receives_gated_text_they_may_not_read(
    canary_site, surface_name, reader
):
    surface = SURFACES[surface_name]

    text = surface.fetch(canary_site.readers[reader], canary_site)

    leaked = [c for c in canary_site.denied(reader) if c in text]
    assert not leaked, f"{surface_name} leaked {leaked} to {reader}"


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
