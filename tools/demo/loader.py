"""Load the demo publication into an empty Herald (``manage.py load_demo``).

It builds everything through Wagtail's page API (the builders in
``herald.newsroom.testing``), so the result is what editors would have made in the
admin: live revisions, scheduled revisions, drafts.

Idempotent: when the demo publication already exists, nothing is written except
the admin password when HERALD_ADMIN_PASSWORD asks for a new one; the login is
printed again. The whole load is one transaction, so a run that fails half-way
leaves nothing behind and the next run starts over.
"""

from __future__ import annotations

import io
import random
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import ReferenceIndex, Site
from wagtail.search import index as search_index
from wagtail.search import signal_handlers as search_signals
from wagtail.signal_handlers import disable_reference_index_auto_update

from herald.members.models import AccessLevel, Tier
from herald.newsroom import hooks
from herald.newsroom.models import (
    TOP_STORY_SLOTS,
    ArticlePage,
    AuthorLink,
    Correction,
    HomePage,
    HomeTopStory,
    PublicationSettings,
)
from herald.newsroom.testing import (
    home_page,
    make_article,
    make_author,
    make_section,
    make_standard_page,
)

from . import members as demo_members
from . import newsletters, pages, pictures, publication, stories

ADMIN_EMAIL = "admin@herald.localhost"
ADMIN_LOGIN = "admin"
PASSWORD_FILE_NAME = "demo-admin-password.txt"
SPREAD_DAYS = 25
CREDITS = (
    "Nora Vik / The Avenell Courier",
    "Courier graphics desk",
    "Tomasz Elling / The Avenell Courier",
    "Courier graphics desk",
    "Saga Lindberg / The Avenell Courier",
)
GALLERY_SIZE = 4

Echo = Callable[[str], None]


@dataclass
class DemoResult:
    """What a run did and how to sign in."""

    created: bool
    url: str
    admin_login: str = ADMIN_LOGIN
    admin_email: str = ADMIN_EMAIL
    password: str | None = None
    password_note: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def login_lines(self) -> list[str]:
        """The lines an operator needs to sign in (printed by both commands)."""
        if self.password:
            password = f"{self.password}  {self.password_note}".rstrip()
        else:
            password = self.password_note
        others = ", ".join(
            f"{user.email} ({user.group})" for user in publication.NEWSROOM_USERS
        )
        return [
            f"Site:     {self.url}/",
            f"Admin:    {self.url}/admin/",
            f"User:     {self.admin_login}  (or {self.admin_email})",
            f"Password: {password}",
            f"Newsroom: {others}; same password as the admin's first one",
        ]


def default_password_file() -> Path:
    """Keep the generated password next to the embedded database (or in var/)."""
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict.get("NAME") or "")
        if name and ":memory:" not in name and not name.startswith("file:"):
            return Path(name).resolve().parent / PASSWORD_FILE_NAME
    return Path(settings.BASE_DIR) / "var" / PASSWORD_FILE_NAME


def demo_exists() -> bool:
    """True once the demo publication has been loaded into this database."""
    return PublicationSettings.objects.filter(name=publication.NAME).exists()


def site_url(port: int) -> str:
    return f"http://127.0.0.1:{port}" if port != 80 else "http://127.0.0.1"


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def local_base_url(configured: str, port: int) -> str:
    """``configured`` moved to ``port`` when it names this machine, else unchanged.

    The default HERALD_BASE_URL says port 8000; a demo served on another port
    must not send readers (feeds, canonical links, emails) to a dead address.
    A public base URL the operator chose is kept as it is.
    """
    parts = urlsplit(configured)
    host = parts.hostname or ""
    if host not in LOOPBACK_HOSTS:
        return configured
    netloc = f"[{host}]" if ":" in host else host
    if port != {"https": 443, "http": 80}.get(parts.scheme):
        netloc = f"{netloc}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")).rstrip("/")


def point_site_at(port: int) -> Site | None:
    """Give the default site the demo's address (on every run, not only the first).

    Wagtail builds absolute page URLs from the site's hostname and port, so a
    demo database loaded on one port and served on another keeps pointing back
    at the first unless this runs each time.
    """
    site = Site.objects.filter(is_default_site=True).first()
    if site is not None and (site.hostname, site.port) != ("127.0.0.1", port):
        site.hostname = "127.0.0.1"
        site.port = port
        site.save(update_fields=["hostname", "port"])
    return site


def load_demo(
    *,
    articles: int | None = None,
    admin_password: str = "",
    password_file: Path | None = None,
    port: int = 8000,
    echo: Echo = print,
) -> DemoResult:
    """Load the demo publication unless it is already there, and return the login."""
    password_file = password_file or default_password_file()
    url = site_url(port)
    if demo_exists():
        result = DemoResult(created=False, url=url)
        _ensure_admin(
            result, admin_password=admin_password, password_file=password_file
        )
        point_site_at(port)
        echo(f"The demo publication is already loaded; its address is {url}/.")
        return result

    chosen = stories.STORIES[: articles if articles is not None else None]
    result = DemoResult(created=True, url=url)
    started = timezone.now()
    with _hooks_muted(), transaction.atomic(), _indexing_deferred() as created:
        site = _set_up_site(port)
        created.append(_set_up_publication(site))
        echo(f"Publication: {publication.NAME}")
        sections = _make_sections()
        echo(f"Sections: {len(sections)}")
        standing = _make_standing_pages()
        authors = _make_authors()
        echo(f"Authors: {len(authors)}")
        created.extend(authors.values())
        tiers = _make_tiers()
        _ensure_admin(
            result, admin_password=admin_password, password_file=password_file
        )
        users = _make_newsroom_users(authors)
        readers = _make_readers(site)
        echo(f"Members: {len(readers)}")
        made = _make_articles(chosen, sections, authors, tiers, echo=echo)
        created.extend(made)
        curated = _curate_front_page(chosen, made)
        echo(f"Front page: {len(curated)} top stories chosen by the editors")
        letters = newsletters.load()
        echo(f"Newsletters: {len(letters)} with {sum(letters.values())} subscribers")
        if curated or made:
            issue = newsletters.send_issue((curated or made)[0])
            echo(f"Newsletter issue sent: {issue.subject} ({issue.state})")
    seconds = (timezone.now() - started).total_seconds()
    echo(f"Loaded {len(made)} articles in {seconds:.0f} s.")
    result.counts = {
        "sections": len(sections),
        "standing_pages": len(standing),
        "authors": len(authors),
        "articles": len(made),
        "tiers": len(tiers),
        "newsroom_users": len(users),
        "newsletters": len(letters),
        "members": len(readers),
    }
    return result


@contextmanager
def _hooks_muted() -> Iterator[None]:
    """Publish the back catalogue without announcing it.

    The demo's articles are dated days and weeks ago: like an import, loading
    them must not send newsletters, push alerts or WebSub pings. Receivers run
    on commit, so they stay unregistered until the load has committed.
    """
    muted = {event: hooks.receivers(event) for event in hooks.EVENTS}
    for event, receivers in muted.items():
        for receiver in receivers:
            hooks.unregister(event, receiver)
    try:
        yield
    finally:
        for event, receivers in muted.items():
            for receiver in receivers:
                hooks.register(event, receiver)


@contextmanager
def _indexing_deferred() -> Iterator[list[Any]]:
    """Index articles and images once at the end, not on each of their saves.

    Wagtail updates the search index and the reference index (image usage) on
    every save, and building a published article saves it several times. The
    objects put in the yielded list get both indexes written once on exit.
    """
    deferred = (ArticlePage, get_image_model())
    handler = search_signals.post_save_signal_handler
    created: list[Any] = []
    for model in deferred:
        post_save.disconnect(handler, sender=model)
    try:
        with disable_reference_index_auto_update():
            yield created
    finally:
        for model in deferred:
            post_save.connect(handler, sender=model)
    for image in get_image_model().objects.all():
        search_index.insert_or_update_object(image)
    for obj in created:
        ReferenceIndex.create_or_update_for_object(obj)
        if isinstance(obj, ArticlePage):
            search_index.insert_or_update_object(obj)


# --- Site and publication -------------------------------------------------------


def _set_up_site(port: int) -> Site:
    home = home_page()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site(is_default_site=True, root_page=home)
    site.hostname = "127.0.0.1"
    site.port = port
    site.site_name = publication.NAME
    site.root_page = home
    site.save()
    home.intro = publication.TAGLINE
    home.save_revision().publish()
    return site


def _image(picture: pictures.Picture, *, title: str, credit: str, name: str) -> Any:
    image_model = get_image_model()
    return image_model.objects.create(
        # Known sizes spare Wagtail from decoding each picture to measure it.
        width=picture.width,
        height=picture.height,
        title=title[:255],
        description=picture.alt[:255],
        credit=credit,
        file=ImageFile(io.BytesIO(picture.data), name=f"{name}.{picture.extension}"),
    )


def _set_up_publication(site: Site) -> PublicationSettings:
    logo = _image(
        pictures.logo(publication.NAME, colour=publication.COLOUR),
        title=f"{publication.NAME} logo",
        credit=publication.NAME,
        name="avenell-courier-logo",
    )
    logo_dark = _image(
        pictures.logo(
            publication.NAME, colour=publication.COLOUR, text=(236, 233, 227)
        ),
        title=f"{publication.NAME} logo for dark mode",
        credit=publication.NAME,
        name="avenell-courier-logo-dark",
    )
    icon = _image(
        pictures.favicon("A", colour=publication.COLOUR),
        title=f"{publication.NAME} icon",
        credit=publication.NAME,
        name="avenell-courier-icon",
    )
    settings_row = PublicationSettings.for_site(site)
    for name, value in publication.SETTINGS.items():
        setattr(settings_row, name, value)
    settings_row.logo = logo
    settings_row.logo_dark = logo_dark
    settings_row.favicon = icon
    settings_row.save()
    if django_apps.is_installed("herald.distribution"):
        # The demo's feeds live on 127.0.0.1: nothing a public WebSub hub could
        # fetch, so the demo does not ping one when a scheduled story goes live.
        distribution = django_apps.get_model("distribution", "DistributionSettings")
        feeds = distribution.for_site(site)
        feeds.websub_hubs = ""
        feeds.save()
    return settings_row


def _make_sections() -> dict[str, Any]:
    made: dict[str, Any] = {}
    for section in publication.SECTIONS:
        parent = made[section.parent] if section.parent else None
        made[section.key] = make_section(
            section.title, parent=parent, intro=section.intro, slug=section.key
        )
    return made


def _make_standing_pages() -> list[Any]:
    """About, Ethics, Corrections policy, Privacy and Contact, under the home page."""
    return [
        make_standard_page(
            page.title, kind=page.kind, slug=page.slug, intro=page.intro, body=page.body
        )
        for page in pages.PAGES
    ]


def _make_authors() -> dict[str, Any]:
    made = {}
    for n, person in enumerate(publication.AUTHORS):
        photo = _image(
            pictures.portrait(person.name, seed=100 + n),
            title=f"{person.name}, portrait",
            credit="Courier graphics desk",
            name=f"author-{person.key}",
        )
        author = make_author(
            person.name,
            role=person.role,
            short_bio=person.short_bio,
            bio=person.bio,
            photo=photo,
            email=f"{person.key}@{publication.DOMAIN}",
        )
        for i, (label, url) in enumerate(person.links):
            AuthorLink.objects.create(author=author, label=label, url=url, sort_order=i)
        made[person.key] = author
    return made


def _make_tiers() -> dict[str, Tier]:
    fields = {f.name for f in Tier._meta.get_fields()}
    prices = {"supporter": (500, 5000), "patron": (1500, 15000)}
    made = {}
    for spec in publication.TIERS:
        defaults = {k: v for k, v in spec.items() if k != "slug" and k in fields}
        monthly, yearly = prices[spec["slug"]]
        if "monthly_price" in fields:
            defaults.update(monthly_price=monthly, yearly_price=yearly)
        tier, _ = Tier.objects.get_or_create(slug=spec["slug"], defaults=defaults)
        made[spec["slug"]] = tier
    return made


# --- People -----------------------------------------------------------------------


def _ensure_admin(
    result: DemoResult, *, admin_password: str, password_file: Path
) -> None:
    """Create the admin on the first run; afterwards only HERALD_ADMIN_PASSWORD
    changes its password."""
    user_model = get_user_model()
    admin = user_model.objects.filter(email__iexact=ADMIN_EMAIL).first()
    if admin is None:
        password = admin_password or secrets.token_urlsafe(12)
        user_model.objects.create_superuser(
            ADMIN_EMAIL, password, first_name="Demo", last_name="Administrator"
        )
        result.password = password
        if admin_password:
            result.password_note = "(from HERALD_ADMIN_PASSWORD)"
            password_file.unlink(missing_ok=True)
        else:
            result.password_note = f"(generated; kept in {password_file})"
            _write_secret(password_file, password)
        return
    if admin_password:
        if not admin.check_password(admin_password):
            admin.set_password(admin_password)
            admin.save(update_fields=["password"])
            password_file.unlink(missing_ok=True)
        result.password = admin_password
        result.password_note = "(from HERALD_ADMIN_PASSWORD)"
        return
    _describe_stored_password(result, password_file)


def _describe_stored_password(result: DemoResult, password_file: Path) -> None:
    if password_file.is_file():
        result.password = password_file.read_text().strip()
        result.password_note = f"(generated on the first run; kept in {password_file})"
    else:
        result.password_note = (
            "the one printed on the first run (set HERALD_ADMIN_PASSWORD to "
            "choose a new one)"
        )


def login_info(
    *, admin_password: str = "", password_file: Path | None = None, port: int = 8000
) -> DemoResult:
    """Describe how to sign in, without writing anything (for serve_demo)."""
    result = DemoResult(created=False, url=site_url(port))
    if admin_password:
        result.password = admin_password
        result.password_note = "(from HERALD_ADMIN_PASSWORD)"
    else:
        _describe_stored_password(result, password_file or default_password_file())
    return result


def _write_secret(path: Path, secret: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(secret + "\n")


def _make_newsroom_users(authors: dict[str, Any]) -> list:
    """Make an editor and a contributor who share the admin's first password."""
    user_model = get_user_model()
    admin = user_model.objects.get(email__iexact=ADMIN_EMAIL)
    made = []
    for spec in publication.NEWSROOM_USERS:
        user = user_model.objects.filter(email__iexact=spec.email).first()
        if user is None:
            user = user_model(
                email=spec.email,
                first_name=spec.first_name,
                last_name=spec.last_name,
                is_staff=True,
                # The same hash: hashing a password again costs a second of CPU.
                password=admin.password,
            )
            user.save()
        group = Group.objects.filter(name=spec.group).first()
        if group is not None:
            user.groups.add(group)
        if spec.author:
            author = authors[spec.author]
            author.user = user
            author.save(update_fields=["user"])
        made.append(user)
    return made


def _make_readers(site: Site) -> list:
    """Demo members (free, paying on both tiers, complimentary, lapsed)."""
    from herald.members.models import MembershipSettings

    editor = (
        get_user_model()
        .objects.filter(email__iexact=publication.NEWSROOM_USERS[0].email)
        .first()
    )
    currency = MembershipSettings.for_site(site).currency or "USD"
    return demo_members.make_members(currency=currency, editor=editor)


# --- Articles -----------------------------------------------------------------------


def _publication_times(
    chosen: tuple[stories.Story, ...], *, now: datetime, rng: random.Random
) -> dict[int, datetime]:
    """Spread live stories over the last weeks, at newsroom hours; breaking first."""
    zone = ZoneInfo(publication.TIME_ZONE)
    live = [i for i, s in enumerate(chosen) if s.status == "live"]
    ages = sorted(
        0.3 + SPREAD_DAYS * k / max(1, len(live) - 1) for k in range(len(live))
    )
    rng.shuffle(live)
    times: dict[int, datetime] = {}
    for index, age in zip(live, ages, strict=True):
        local = (now - timedelta(days=age)).astimezone(zone)
        local = local.replace(
            hour=rng.randint(7, 20), minute=rng.randrange(0, 60, 5), second=0
        )
        while local > now - timedelta(minutes=90):
            local -= timedelta(days=1)
        times[index] = local
    for i, s in enumerate(chosen):
        if s.status == "breaking":
            times[i] = now - timedelta(minutes=40)
    return times


def _scene(
    story: stories.Story, n: int, *, seed: int, size: tuple[int, int]
) -> pictures.Picture:
    """The n-th illustration of a story: its own kind first, then its section's."""
    kinds = next(s.pictures for s in publication.SECTIONS if s.key == story.section)
    if story.picture:
        kinds = (story.picture, *kinds)
    return pictures.scene(
        kinds[n % len(kinds)], seed=seed, width=size[0], height=size[1]
    )


def _story_images(
    story: stories.Story, n: int
) -> tuple[Any, str, list[dict[str, Any]], list[dict[str, Any]]]:
    """The story's hero picture and its caption, figures and gallery items.

    The pictures are drawings, so every caption says what its own drawing
    shows (``Picture.caption``), never what a photograph of the story would.
    """
    credit = CREDITS[n % len(CREDITS)]
    hero_picture = _scene(story, 0, seed=1000 + n, size=(1600, 900))
    hero = _image(
        hero_picture,
        title=story.headline,
        credit=credit,
        name=f"story-{n:03d}-hero",
    )
    figures = []
    if story.figure:
        picture = _scene(story, 1, seed=2000 + n, size=(1800, 1200))
        image = _image(
            picture,
            title=f"{story.headline} (2)",
            credit=credit,
            name=f"story-{n:03d}-a",
        )
        figures.append(
            {
                "image": image.pk,
                "caption": picture.caption,
                "credit": "",
                "alt_text": "",
            }
        )
    gallery = []
    if story.gallery:
        seen = {hero_picture.caption}
        for k in range(GALLERY_SIZE):
            # Each picture has its own caption: redraw one that would repeat another.
            for attempt in range(30):
                seed = 3000 + n * 10 + k + attempt * 100_000
                picture = _scene(story, k, seed=seed, size=(1600, 1067))
                if picture.caption not in seen:
                    break
            seen.add(picture.caption)
            image = _image(
                picture,
                title=f"{story.headline} ({k + 3})",
                credit=CREDITS[(n + k) % len(CREDITS)],
                name=f"story-{n:03d}-g{k}",
            )
            gallery.append(
                {
                    "image": image.pk,
                    "caption": picture.caption,
                    "credit": "",
                    "alt_text": "",
                }
            )
    return hero, hero_picture.caption, figures, gallery


def _make_articles(
    chosen: tuple[stories.Story, ...],
    sections: dict[str, Any],
    authors: dict[str, Any],
    tiers: dict[str, Tier],
    *,
    echo: Echo,
) -> list[ArticlePage]:
    rng = random.Random(20240611)
    now = timezone.now()
    times = _publication_times(chosen, now=now, rng=rng)
    made = []
    for n, story in enumerate(chosen):
        hero, caption, figures, gallery = _story_images(story, n)
        body = stories.build_body(story, rng=rng, figures=figures, gallery=gallery)
        fields: dict[str, Any] = {
            "article_type": story.article_type,
            "hero_caption": caption,
            "search_description": story.dek,
            "editors_note": story.editors_note,
        }
        if story.status == "draft":
            # A draft is not live (Wagtail's admin does the same on "Save draft").
            fields["live"] = False
            fields["has_unpublished_changes"] = True
        if story.status == "scheduled":
            fields["go_live_at"] = now + timedelta(
                minutes=story.extra.get("go_live_minutes", 10)
            )
        published_at = times.get(n)
        article = make_article(
            sections[story.section],
            story.headline,
            dek=story.dek,
            body=body,
            authors=[authors[key] for key in story.authors],
            tags=list(story.tags),
            access_level=AccessLevel(story.access),
            tiers=[tiers["patron"]] if story.access == "tiers" else None,
            hero_image=hero,
            published_at=published_at,
            publish=story.status != "draft",
            is_breaking=story.status == "breaking",
            corrections=[story.correction] if story.correction else None,
            slug=_slug(story.headline),
            **fields,
        )
        if story.correction and published_at is not None:
            corrected_at = min(published_at + timedelta(hours=5), now)
            Correction.objects.filter(article=article).update(date=corrected_at)
            ArticlePage.objects.filter(pk=article.pk).update(
                display_updated_at=corrected_at
            )
        made.append(article)
        if (n + 1) % 10 == 0 or n + 1 == len(chosen):
            echo(f"Articles: {n + 1}/{len(chosen)}")
    return made


def _curate_front_page(
    chosen: tuple[stories.Story, ...], made: list[ArticlePage]
) -> list[ArticlePage]:
    """Fill the front page's top-story slots as an editor would.

    One live story from each section in turn, in the order of ``STORIES``, so
    the top of the front page mixes the desks. No pin: the breaking story
    leads (until an editor unflags it or pins another), and "Latest" shows
    the newest stories.
    """
    picked: list[ArticlePage] = []
    desks: set[str] = set()
    for story, article in zip(chosen, made, strict=True):
        if story.status != "live" or story.section in desks:
            continue
        desks.add(story.section)
        picked.append(article)
        if len(picked) == TOP_STORY_SLOTS:
            break
    home = HomePage.objects.get(pk=home_page().pk)
    home.top_story_slots = [
        HomeTopStory(article=article, sort_order=i) for i, article in enumerate(picked)
    ]
    home.save_revision().publish()
    return picked


def _slug(headline: str) -> str:
    from django.utils.text import slugify

    words = slugify(headline).split("-")
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 60:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug
