"""The paywall canary: a unique string in the gated part of every gated article.

``canary_site`` builds members-only, paid and tier-only articles whose text after
the paywall break carries a fresh canary, the same three without a break (the
site's preview length decides the cut; every paragraph has its own canary), a
draft, and readers of every kind. A *surface* is anything that shows article
text: a callable that fetches it as one reader (a Django test ``Client``) through
``fetch`` and returns the text received. ``test_canary.py`` asserts that no reader
ever receives a canary they are not entitled to, on every registered surface,
and that every fetch answered as the surface declared (a login page or an error
page scanned for canaries proves nothing).

Other apps add their surfaces (feeds, JSON-LD endpoints, oEmbed, newsletters,
push payloads, APIs) without touching this app: put them in
``herald/<app>/tests/canary_surfaces.py``, which the canary test imports::

    from herald.members.tests.canary import fetch, register_surface

    @register_surface("rss feed")
    def rss_feed(client, site):
        return fetch(client, "/feed/")

A surface that needs more than GETs can use ``site`` (the articles, tiers and
readers below) to build what it needs.
"""

from __future__ import annotations

import contextvars
import importlib
import importlib.util
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.test import Client

from herald.members.models import AccessLevel, Tier, User

KINDS = ("members", "paid", "tier")
# Paragraphs of each article without a paywall break: more than the longest
# preview the suite sets (5), so some text is always beyond the cut.
UNBROKEN_PARAGRAPHS = 7
DEFAULT_PREVIEW = 3


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
    # Articles without a paywall break: kind -> page, and kind -> one canary
    # per paragraph (index 0 is the opening paragraph).
    unbroken: dict[str, Any] = field(default_factory=dict)
    paragraph_canaries: dict[str, list[str]] = field(default_factory=dict)
    # Text that only ever was in an unpublished revision: no reader may see it.
    preview_canaries: list[str] = field(default_factory=list)
    # The publication's preview length, as the suite last set it.
    preview_paragraphs: int = DEFAULT_PREVIEW

    # What each reader must never receive (article kinds).
    DENIED = {
        "anonymous": ("members", "paid", "tier"),
        "free": ("paid", "tier"),
        "wrong_tier": ("tier",),
    }

    def denied(self, reader: str) -> list[str]:
        kinds = self.DENIED.get(reader, ())
        names = [self.canaries[kind] for kind in kinds]
        for kind in kinds:
            names.extend(
                self.paragraph_canaries.get(kind, [])[self.preview_paragraphs :]
            )
        if reader != "staff":
            names.append(self.draft_canary)
            names.extend(self.preview_canaries)
        return names

    def urls(self) -> list[str]:
        pages = [*self.articles.values(), *self.unbroken.values()]
        return [a.url for a in pages]

    def titles_by_canary(self) -> dict[str, str]:
        """The title of the article that holds each canary."""
        titles = {c: self.articles[k].title for k, c in self.canaries.items()}
        for kind, canaries in self.paragraph_canaries.items():
            titles.update(dict.fromkeys(canaries, self.unbroken[kind].title))
        titles[self.draft_canary] = self.draft.title
        return titles

    def reader_of(self, client: Client) -> str | None:
        return next((n for n, c in self.readers.items() if c is client), None)


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


# --- Fetching, with the answer checked ----------------------------------------

SCANNED = frozenset({200})
REFUSED = "refused"
"""The reader must be refused: 403, 404, or a redirect to a sign-in page. Only
where a surface declares this does a login redirect pass, and it counts as the
reader being kept out, never as a scan of the page's text."""

Expected = Collection[int] | str


@dataclass(frozen=True)
class Answer:
    method: str
    url: str
    status: int
    location: str
    expected: Expected

    @property
    def to_login(self) -> bool:
        path = self.location.split("?", 1)[0]
        return 300 <= self.status < 400 and any(
            word in path for word in ("/login", "/signin", "/admin/", "/confirm/")
        )

    @property
    def problem(self) -> str | None:
        if self.expected == REFUSED:
            if self.status in (403, 404) or self.to_login:
                return None
        elif self.status in self.expected and not self.to_login:
            return None
        where = f" -> {self.location}" if self.location else ""
        want = self.expected if self.expected == REFUSED else sorted(self.expected)
        return (
            f"{self.method} {self.url} answered {self.status}{where}, expected {want}"
        )


_ANSWERS: contextvars.ContextVar[list[Answer] | None] = contextvars.ContextVar(
    "canary_answers", default=None
)


class CarelessCache:
    """A shared cache in front of the site that keys on the URL alone (a CDN
    told to ignore cookies and Vary): it stores any GET answer that
    ``Cache-Control`` lets a shared cache store, and hands it to the next
    reader of that URL, whoever they are."""

    def __init__(self) -> None:
        self.store: dict[str, tuple[int, str, str]] = {}

    @staticmethod
    def shareable(response: Any) -> bool:
        control = response.get("Cache-Control", "")
        return response.status_code == 200 and not any(
            word in control for word in ("private", "no-store", "no-cache")
        )


_CARELESS: contextvars.ContextVar[CarelessCache | None] = contextvars.ContextVar(
    "canary_careless_cache", default=None
)


@contextmanager
def behind(shared: CarelessCache) -> Iterator[CarelessCache]:
    """Make every ``fetch`` inside go through ``shared``."""
    token = _CARELESS.set(shared)
    try:
        yield shared
    finally:
        _CARELESS.reset(token)


def _answer(client: Client, method: str, url: str, data: Any, **extra: Any):
    shared = _CARELESS.get()
    key = f"{url} {sorted((data or {}).items())} {extra.get('HTTP_USER_AGENT', '')}"
    if shared is not None and method == "get" and key in shared.store:
        return shared.store[key]
    response = getattr(client, method)(url, data, **extra)
    answer = (
        response.status_code,
        response.get("Location", ""),
        response.content.decode(errors="replace") + str(response.headers),
    )
    if shared is not None and method == "get" and shared.shareable(response):
        shared.store[key] = answer
    return answer


def fetch(
    client: Client,
    url: str,
    data: Any = None,
    *,
    method: str = "get",
    expect: Expected = SCANNED,
    **extra: Any,
) -> str:
    """The text (body and headers) ``client`` receives for ``url``; the status is
    recorded for the scan and checked against ``expect``."""
    status, location, text = _answer(client, method, url, data, **extra)
    answers = _ANSWERS.get()
    if answers is not None:
        shown = f"{url} {data}" if data else url
        answers.append(Answer(method.upper(), shown, status, location, expect))
    return text


@contextmanager
def recording() -> Iterator[list[Answer]]:
    """Collect the answers of every ``fetch`` made inside."""
    answers: list[Answer] = []
    token = _ANSWERS.set(answers)
    try:
        yield answers
    finally:
        _ANSWERS.reset(token)


def scan(surface: Surface, client: Client, site: CanarySite) -> tuple[str, list[str]]:
    """The text ``surface`` shows ``client``, and what was wrong with its answers."""
    with recording() as answers:
        text = surface.fetch(client, site)
    problems = [a.problem for a in answers if a.problem]
    if not answers:
        problems.append("fetched nothing (use canary.fetch)")
    return text, problems


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
    canaries = {kind: new_canary(kind) for kind in KINDS}
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
    unbroken = {}
    paragraph_canaries = {}
    for kind, level in levels.items():
        paragraph_canaries[kind] = [
            new_canary(f"{kind}p{i}") for i in range(UNBROKEN_PARAGRAPHS)
        ]
        unbroken[kind] = make_article(
            section,
            f"Ferry timetable for the {kind} route",
            dek="The ferry company published its winter plan.",
            paragraphs=[
                f"Paragraph {i + 1} of the {kind} route: {canary}."
                for i, canary in enumerate(paragraph_canaries[kind])
            ],
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
        unbroken=unbroken,
        paragraph_canaries=paragraph_canaries,
    )


# --- Surfaces of the members and newsroom apps --------------------------------


@register_surface("article page (HTML, JSON-LD, meta tags)")
def article_pages(client: Client, site: CanarySite) -> str:
    return "".join(fetch(client, url) for url in site.urls())


# Variants readers or scrapers try; those the site does not have may answer 404,
# which is no scan but no leak either.
ARTICLE_VARIANTS: dict[str, Expected] = {
    "?print=1": SCANNED,
    "?format=txt": {200, 404},
    "?amp=1": SCANNED,
    "index.md": {200, 404},
    "?format=json": {200, 404},
}


@register_surface("article print and plain variants")
def article_variants(client: Client, site: CanarySite) -> str:
    return "".join(
        fetch(client, url + suffix, expect=expect)
        for url in site.urls()
        for suffix, expect in ARTICLE_VARIANTS.items()
    )


@register_surface("article as Googlebot (user agent only)")
def article_as_googlebot(client: Client, site: CanarySite) -> str:
    agent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    return "".join(fetch(client, url, HTTP_USER_AGENT=agent) for url in site.urls())


@register_surface("draft previews")
def draft_previews(client: Client, site: CanarySite) -> str:
    """The admin's preview URLs refuse readers; a draft has no public address."""
    page_id = site.draft.pk
    urls = [
        f"/admin/pages/{page_id}/edit/preview/",
        f"/admin/pages/{page_id}/view_draft/",
        f"{site.draft.get_parent().url}{site.draft.slug}/",
        f"/{site.draft.slug}/",
    ]
    pages = [*site.articles.values(), *site.unbroken.values()]
    urls += [f"/admin/pages/{a.pk}/edit/preview/" for a in pages]
    urls += [f"/admin/pages/{a.pk}/view_draft/" for a in pages]
    return "".join(fetch(client, url, expect=REFUSED) for url in urls)


@register_surface("site search")
def site_search(client: Client, site: CanarySite) -> str:
    """Search results and snippets; searching for gated text must find nothing.

    The page echoes the query, so a canary used as the query is removed from
    the page; if the article that holds it still shows up, the canary was
    indexed: report it (it is a leak only where the reader may not read it).
    """
    out = [fetch(client, "/search/", {"q": q}) for q in ("harbour", "gated", "secret")]
    for canary, title in site.titles_by_canary().items():
        page = fetch(client, "/search/", {"q": canary}).replace(canary, "")
        if title in page:
            page += canary
        out.append(page)
    return "".join(out)


@register_surface("account data export")
def account_export(client: Client, site: CanarySite) -> str:
    expect = REFUSED if site.reader_of(client) == "anonymous" else SCANNED
    return fetch(client, "/account/export/", method="post", expect=expect)
