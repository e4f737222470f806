"""Builders for tests, benchmarks and demo data: sections, authors, articles, images.

They go through Wagtail's real page tree API (``add_child`` and revisions), so
what they build is what an editor would have built in the admin.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.core.files.images import ImageFile
from django.utils import timezone
from django.utils.text import slugify
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from herald.members.models import AccessLevel

from .models import (
    ArticleAuthor,
    ArticlePage,
    Author,
    Correction,
    HomePage,
    PublicationSettings,
    SectionPage,
    StandardPage,
)

_counter = itertools.count(1)


def ensure_tree_roots() -> None:
    """The root page and root collection migrations make, on a database built
    without migrations (tests that run with ``--no-migrations``)."""
    from wagtail.models import Collection, Locale

    if Page.get_first_root_node() is None:
        Locale.objects.get_or_create(language_code="en")
        Page.add_root(instance=Page(title="Root", slug="root"))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def home_page() -> HomePage:
    """The site's home page (created by migrations)."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title="Home", slug="home"))
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={
                "hostname": "localhost",
                "root_page": home,
                "site_name": "Herald",
            },
        )
    return home


def set_publication(**fields: Any) -> PublicationSettings:
    """The default site's publication settings, with ``fields`` set and saved."""
    publication = PublicationSettings.for_site(Site.objects.get(is_default_site=True))
    for name, value in fields.items():
        setattr(publication, name, value)
    publication.save()
    return publication


def make_image(
    *,
    width: int = 1600,
    height: int = 900,
    title: str | None = None,
    alt: str = "A test picture",
    credit: str = "Herald staff",
    color: tuple[int, int, int] = (40, 90, 140),
) -> Any:
    """Create an image record with a real PNG file drawn with Pillow."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    n = next(_counter)
    picture = PILImage.new("RGB", (width, height), color)
    draw = ImageDraw.Draw(picture)
    draw.rectangle(
        [width // 8, height // 8, width * 7 // 8, height * 7 // 8],
        outline=(240, 240, 240),
        width=max(2, width // 200),
    )
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    image_model = get_image_model()
    return image_model.objects.create(
        title=title or f"Test image {n}",
        description=alt,
        credit=credit,
        file=ImageFile(buffer, name=f"test-{n}.png"),
    )


def make_section(
    title: str, *, parent: Page | None = None, intro: str = "", slug: str | None = None
) -> SectionPage:
    parent = parent or home_page()
    section = SectionPage(title=title, slug=slug or slugify(title), intro=intro)
    parent.add_child(instance=section)
    section.save_revision().publish()
    return section


def make_standard_page(
    title: str,
    *,
    kind: str = "other",
    body: str = "",
    intro: str = "",
    slug: str | None = None,
    publish: bool = True,
) -> StandardPage:
    """An About/Ethics/Privacy-style page under the home page (published by default)."""
    page = StandardPage(
        title=title,
        slug=slug or slugify(title),
        kind=kind,
        body=body,
        intro=intro,
        live=False,
    )
    home_page().add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
        page.refresh_from_db()
    return page


def make_author(name: str | None = None, **fields: Any) -> Author:
    n = next(_counter)
    name = name or f"Reporter {n}"
    fields.setdefault("role", "Correspondent")
    fields.setdefault("short_bio", f"{name} covers the city for the desk.")
    return Author.objects.create(
        name=name, slug=fields.pop("slug", slugify(name)), **fields
    )


def paragraphs_body(paragraphs: list[str], *, paywall_after: int | None = None) -> str:
    """A StreamField JSON body of plain paragraphs, with an optional paywall break."""
    blocks: list[dict[str, Any]] = []
    for i, text in enumerate(paragraphs):
        if paywall_after is not None and i == paywall_after:
            blocks.append({"type": "paywall", "value": None})
        blocks.append({"type": "paragraph", "value": f"<p>{text}</p>"})
    return json.dumps(blocks)


def make_article(
    section: SectionPage,
    title: str | None = None,
    *,
    dek: str = "",
    paragraphs: list[str] | None = None,
    body: str | list[dict[str, Any]] | None = None,
    paywall_after: int | None = None,
    authors: list[Author] | None = None,
    tags: list[str] | None = None,
    access_level: str = AccessLevel.PUBLIC,
    tiers: list[Any] | None = None,
    hero_image: Any = None,
    published_at: datetime | None = None,
    publish: bool = True,
    is_breaking: bool = False,
    corrections: list[str] | None = None,
    slug: str | None = None,
    **fields: Any,
) -> ArticlePage:
    """Create an article under ``section`` and (by default) publish it."""
    n = next(_counter)
    title = title or f"Test story number {n}"
    if body is None:
        paragraphs = paragraphs or [
            f"Opening paragraph of story {n}.",
            "A second paragraph with more detail.",
            "A third paragraph that closes the story.",
        ]
        body = paragraphs_body(paragraphs, paywall_after=paywall_after)
    elif not isinstance(body, str):
        body = json.dumps(body)
    article = ArticlePage(
        title=title,
        slug=slug or f"{slugify(title)[:60]}-{n}",
        dek=dek,
        body=body,
        access_level=access_level,
        hero_image=hero_image,
        is_breaking=is_breaking,
        # Wagtail's default is live=True; a draft must not be served before publishing.
        live=fields.pop("live", False),
        **fields,
    )
    for i, author in enumerate(authors or [make_author()]):
        article.article_authors.add(ArticleAuthor(author=author, sort_order=i))
    for i, text in enumerate(corrections or []):
        article.corrections.add(Correction(text=text, sort_order=i))
    if tiers:
        article.tiers.set(tiers)
    section.add_child(instance=article)
    if tags:
        article.tags.add(*tags)
    revision = article.save_revision()
    if publish:
        revision.publish()
        article.refresh_from_db()
        if published_at is not None:
            ArticlePage.objects.filter(pk=article.pk).update(
                first_published_at=published_at, last_published_at=published_at
            )
            article.refresh_from_db()
    return article


def now() -> datetime:
    return timezone.now()


# --- Newsroom accounts, events and admin forms ---------------------------------

NEWSROOM_PASSWORD = "a-long-test-password-for-the-desk"
CONTRIBUTORS, EDITORS, MODERATORS, ADMINISTRATORS = (
    "Contributors",
    "Editors",
    "Moderators",
    "Administrators",
)


def make_staff(
    group: str, *, email: str | None = None, password: str = NEWSROOM_PASSWORD
) -> Any:
    """A newsroom account in one of the groups created by the newsroom migrations."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    n = next(_counter)
    user = get_user_model().objects.create_user(
        email=email or f"{group.lower()}-{n}@newsroom.test", password=password
    )
    user.groups.add(Group.objects.get(name=group))
    return user


class EventLog(list):  # type: ignore[type-arg]
    """The newsroom events received while ``capture_events`` is active."""

    def names(self) -> list[str]:
        return [event.name for event in self]


@contextmanager
def capture_events(*, isolated: bool = True) -> Iterator[EventLog]:
    """Register a receiver for every newsroom event; yield what it receives.

    ``isolated`` (the default) sets other apps' receivers aside meanwhile, so a
    newsroom test observes the extension point itself, not what apps to its
    right queue in response (they test their own receivers).
    """
    from . import hooks

    log = EventLog()
    saved = {name: hooks.receivers(name) for name in hooks.EVENTS}

    def receiver(event: Any) -> None:
        log.append(event)

    for name in hooks.EVENTS:
        if isolated:
            for other in saved[name]:
                hooks.unregister(name, other)
        hooks.register(name, receiver)
    try:
        yield log
    finally:
        for name in hooks.EVENTS:
            hooks.unregister(name, receiver)
            for other in saved[name]:
                hooks.register(name, other)


def admin_form_data(
    client: Any, url: str, form_id: str = "page-edit-form", **fields: Any
) -> Any:
    """The admin form at ``url`` as a browser would post it, with ``fields`` changed.

    StreamFields are drawn by JavaScript, so pass them in ``fields`` (see
    ``article_body_form_data``).
    """
    from wagtail.test.utils.form_data import querydict_from_html

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    data = querydict_from_html(response.content.decode(), form_id=form_id)
    for name, value in fields.items():
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    return data


def article_body_form_data(paragraphs: list[str]) -> dict[str, Any]:
    """Form fields for an article body of plain paragraphs, as the admin posts them."""
    from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

    return nested_form_data(
        {
            "body": streamfield(
                [("paragraph", rich_text(f"<p>{text}</p>")) for text in paragraphs]
            )
        }
    )
