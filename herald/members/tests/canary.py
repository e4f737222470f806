"""The paywall canary: a unique string in the gated part of every gated article.

``canary_site`` builds members-only, paid and tier-only articles whose text after
the paywall break carries a fresh canary, plus readers of every kind. A *surface*
is anything that shows article text: a callable that fetches it as one reader
(a Django test ``Client``) and returns the text received. ``test_canary.py``
asserts that no reader ever receives a canary they are not entitled to, on every
registered surface.

Other apps add their surfaces (feeds, JSON-LD endpoints, oEmbed, newsletters,
push payloads, APIs) without touching this app: put them in
``herald/<app>/tests/canary_surfaces.py``, which the canary test imports::

    from herald.members.tests.canary import register_surface

    @register_surface("rss feed")
    def rss_feed(client, site):
        return client.get("/feed/").content.decode()

A surface that needs more than GETs can use ``site`` (the articles, tiers and
readers below) to build what it needs.
"""

from __future__ import annotations

import importlib
import importlib.util
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.test import Client

from herald.members.models import AccessLevel, Tier, User


@dataclass
class CanarySite:
    """Gated articles with canaries, and one reader of each kind."""

    canaries: dict[str, str]  # article kind -> canary string
    articles: dict[str, Any]  # "members", "paid", "tier" -> ArticlePage
    draft: Any
    draft_canary: str
    gold: Tier
    silver: Tier
    readers: dict[str, Client]  # anonymous, free, wrong_tier, entitled
    users: dict[str, User] = field(default_factory=dict)

    # What each reader must never receive (article kinds).
    DENIED = {
        "anonymous": ("members", "paid", "tier"),
        "free": ("paid", "tier"),
        "wrong_tier": ("tier",),
    }

    def denied(self, reader: str) -> list[str]:
        names = [self.canaries[kind] for kind in self.DENIED.get(reader, ())]
        if reader != "staff":
            names.append(self.draft_canary)
        return names

    def urls(self) -> list[str]:
        return [a.url for a in self.articles.values()]


Fetch = Callable[[Client, CanarySite], str]


@dataclass(frozen=True)
class Surface:
    name: str
    fetch: Fetch


SURFACES: dict[str, Surface] = {}


def register_surface(name: str) -> Callable[[Fetch], Fetch]:
    """Add a surface to the canary suite (decorator)."""

    def decorator(fetch: Fetch) -> Fetch:
        SURFACES[name] = Surface(name=name, fetch=fetch)
        return fetch

    return decorator


def load_surfaces() -> dict[str, Surface]:
    """Import every installed Herald app's ``tests/canary_surfaces.py``."""
    for config in apps.get_app_configs():
        if not config.name.startswith("herald."):
            continue
        module = f"{config.name}.tests.canary_surfaces"
        try:
            spec = importlib.util.find_spec(module)
        except ModuleNotFoundError:
            spec = None
        if spec is not None:
            importlib.import_module(module)
    return SURFACES


def new_canary(kind: str) -> str:
    return f"CANARY{kind.upper()}{uuid.uuid4().hex}"


def build_canary_site() -> CanarySite:
    """Create the gated articles, tiers and readers (needs the database)."""
    from datetime import timedelta

    from django.utils import timezone

    from herald.members import actions
    from herald.newsroom.testing import make_article, make_section

    gold = Tier.objects.create(
        name="Gold", slug="canary-gold", monthly_price=900, yearly_price=9000
    )
    silver = Tier.objects.create(
        name="Silver", slug="canary-silver", monthly_price=500, yearly_price=5000
    )
    section = make_section("Canary desk", slug=f"canary-{uuid.uuid4().hex[:8]}")
    canaries = {kind: new_canary(kind) for kind in ("members", "paid", "tier")}
    levels = {
        "members": AccessLevel.MEMBERS,
        "paid": AccessLevel.PAID,
        "tier": AccessLevel.TIERS,
    }
    articles = {}
    for kind, level in levels.items():
        articles[kind] = make_article(
            section,
            f"Harbour council votes on the {kind} plan",
            dek="The council met late into the night.",
            paragraphs=[
                f"The public opening of the {kind} story.",
                f"The gated part begins here. {canaries[kind]} is the secret.",
                f"More gated reporting ending with {canaries[kind]}.",
            ],
            paywall_after=1,
            access_level=level,
            tiers=[gold] if kind == "tier" else None,
            tags=["harbour"],
        )
    draft_canary = new_canary("draft")
    draft = make_article(
        section,
        "Unpublished harbour investigation",
        paragraphs=[f"Draft text {draft_canary}.", f"More {draft_canary}."],
        access_level=AccessLevel.PUBLIC,
        publish=False,
    )

    users = {
        "free": User.objects.create_user(f"free-{uuid.uuid4().hex[:6]}@example.org"),
        "wrong_tier": User.objects.create_user(
            f"silver-{uuid.uuid4().hex[:6]}@example.org"
        ),
        "entitled": User.objects.create_user(
            f"gold-{uuid.uuid4().hex[:6]}@example.org"
        ),
    }
    later = timezone.now() + timedelta(days=30)
    actions.grant_comp(users["wrong_tier"], tier=silver, ends_at=later)
    actions.grant_comp(users["entitled"], tier=gold, ends_at=later)
    readers = {"anonymous": Client()}
    for name, user in users.items():
        client = Client()
        client.force_login(user)
        readers[name] = client
    return CanarySite(
        canaries=canaries,
        articles=articles,
        draft=draft,
        draft_canary=draft_canary,
        gold=gold,
        silver=silver,
        readers=readers,
        users=users,
    )


# --- Surfaces of the members and newsroom apps --------------------------------


def _get(client: Client, url: str, **extra: Any) -> str:
    response = client.get(url, **extra)
    return response.content.decode(errors="replace") + str(response.headers)


@register_surface("article page (HTML, JSON-LD, meta tags)")
def article_pages(client: Client, site: CanarySite) -> str:
    return "".join(_get(client, url) for url in site.urls())


@register_surface("article print and plain variants")
def article_variants(client: Client, site: CanarySite) -> str:
    out = []
    for url in site.urls():
        for suffix in ("?print=1", "?format=txt", "?amp=1", "index.md", "?format=json"):
            out.append(_get(client, url + suffix))
    return "".join(out)


@register_surface("article as Googlebot (user agent only)")
def article_as_googlebot(client: Client, site: CanarySite) -> str:
    agent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    return "".join(_get(client, url, HTTP_USER_AGENT=agent) for url in site.urls())


@register_surface("draft previews")
def draft_previews(client: Client, site: CanarySite) -> str:
    page_id = site.draft.pk
    urls = [
        f"/admin/pages/{page_id}/edit/preview/",
        f"/admin/pages/{page_id}/view_draft/",
        site.draft.url or "",
        f"/{site.draft.slug}/",
    ]
    out = [_get(client, url) for url in urls if url]
    for article in site.articles.values():
        out.append(_get(client, f"/admin/pages/{article.pk}/edit/preview/"))
    return "".join(out)


@register_surface("site search")
def site_search(client: Client, site: CanarySite) -> str:
    """Search results and snippets; searching for gated text must find nothing.

    The page echoes the query, so a canary used as the query is removed from
    the page; if the article still shows up, the canary was indexed: report it.
    """
    out = [
        _get(client, "/search/", data={"q": q}) for q in ("harbour", "gated", "secret")
    ]
    titles = [a.title for a in site.articles.values()] + [site.draft.title]
    for canary in [*site.canaries.values(), site.draft_canary]:
        page = _get(client, "/search/", data={"q": canary}).replace(canary, "")
        if any(title in page for title in titles):
            page += canary
        out.append(page)
    return "".join(out)


@register_surface("account data export")
def account_export(client: Client, site: CanarySite) -> str:
    return client.post("/account/export/").content.decode(errors="replace")
