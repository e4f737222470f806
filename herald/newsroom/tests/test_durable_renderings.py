"""Renderings kept in the database with the live revision (``core.keep.durable``).

A first view after a restart or a cache flush reads an article's head, foot,
body parts and ``<head>`` tags from one query instead of rendering them. These
tests check what is written, that it is read, that nothing privileged is ever
written (a preview, a draft, a gated part under a public key), and that a change
drops exactly the pages that show what changed.
"""

from __future__ import annotations

import io
import re
import uuid

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from herald.core import keep
from herald.core.models import KeptRendering, RenderingUse
from herald.members.models import AccessLevel
from herald.newsroom import actions
from herald.newsroom.models import Correction
from herald.newsroom.testing import (
    EDITORS,
    admin_form_data,
    article_body_form_data,
    make_article,
    make_author,
    make_image,
    make_section,
    make_staff,
    set_publication,
)

pytestmark = pytest.mark.django_db


def canary() -> str:
    return f"DURABLECANARY{uuid.uuid4().hex}"


def forget_caches() -> None:
    """What a restart and a flushed Redis leave: nothing but the database."""
    caches["local"].clear()
    cache.clear()


def read(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def kinds_kept(article) -> set[str]:
    keys = KeptRendering.objects.filter(page_id=article.pk).values_list(
        "key", flat=True
    )
    return {key.split(":", 1)[0] for key in keys}


def without_nonce(html: str) -> str:
    return re.sub(r'nonce="[^"]*"', "", re.sub(r"csrfmiddlewaretoken[^>]*", "", html))


@pytest.fixture
def world():
    return make_section("World")


def test_a_first_view_keeps_the_articles_parts_and_what_they_show(world):
    author = make_author("Marta Lind")
    picture = make_image()
    article = make_article(world, authors=[author], hero_image=picture, tags=["ports"])
    read(Client(), article.url)
    assert {"article-head", "article-foot", "body", "dist-head"} <= kinds_kept(article)
    uses = set(
        RenderingUse.objects.filter(page_id=article.pk).values_list(
            "label", "object_id"
        )
    )
    assert ("newsroom.author", str(author.pk)) in uses
    assert ("core.heraldimage", str(picture.pk)) in uses
    assert ("wagtailcore.page", str(world.pk)) in uses


def test_after_the_caches_are_emptied_the_kept_rendering_is_what_readers_get(world):
    article = make_article(world, "Ferry timetable changes")
    client = Client()
    first = read(client, article.url)
    # Mark the kept head, so that serving it (rather than rendering again) shows.
    row = KeptRendering.objects.get(page_id=article.pk, key__startswith="article-head")
    row.value = row.value.replace("Ferry timetable changes", "Ferry timetable (kept)")
    row.save()
    forget_caches()
    with CaptureQueriesContext(connection) as queries:
        again = read(client, article.url)
    assert "Ferry timetable (kept)" in again and "(kept)" not in first
    # Bylines, tags, corrections and related stories were not read again.
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    for table in ("newsroom_articleauthor", "newsroom_correction", "taggit_"):
        assert table not in sql


def test_a_kept_first_view_is_the_same_page_as_a_rendered_one(world):
    article = make_article(world, tags=["harbour"], corrections=["A date was wrong."])
    make_article(world, tags=["harbour"])  # a related story
    client = Client()
    rendered = read(client, article.url)
    forget_caches()
    kept = read(client, article.url)
    assert without_nonce(kept) == without_nonce(rendered)


@pytest.mark.parametrize("how", ["view_draft", "edit_preview"])
def test_a_preview_writes_nothing_and_anonymous_readers_get_the_live_text(world, how):
    secret = canary()
    article = make_article(
        world,
        paragraphs=["Public opening.", "Gated part.", "More gated."],
        paywall_after=1,
        access_level=AccessLevel.PAID,
    )
    editor = Client()
    editor.force_login(make_staff(EDITORS))
    if how == "view_draft":
        draft = article.get_latest_revision_as_object()
        draft.title = f"Draft headline {secret}"
        draft.save_revision()
        preview = editor.get(f"/admin/pages/{article.pk}/view_draft/")
    else:
        edit_url = f"/admin/pages/{article.pk}/edit/"
        data = admin_form_data(
            editor, edit_url, **article_body_form_data(["Public opening.", secret])
        )
        assert editor.post(edit_url + "preview/", data).json()["is_valid"]
        preview = editor.get(edit_url + "preview/")
    assert secret in preview.content.decode()
    assert not KeptRendering.objects.filter(value__contains=secret).exists()
    forget_caches()
    html = read(Client(), article.url)
    assert secret not in html and "Public opening." in html
    assert not KeptRendering.objects.filter(value__contains=secret).exists()


def test_a_paid_readers_first_view_never_gives_anonymous_readers_the_gated_part(world):
    secret = canary()
    article = make_article(
        world,
        paragraphs=["Public opening.", f"Gated {secret}."],
        paywall_after=1,
        access_level=AccessLevel.PAID,
    )
    staff = Client()
    staff.force_login(make_staff(EDITORS))
    assert secret in read(staff, article.url)
    # The gated part is kept under its own key, read only past the gate.
    assert KeptRendering.objects.filter(value__contains=secret).count() == 1
    forget_caches()
    html = read(Client(), article.url)
    assert secret not in html and "paywall-offer" in html


def test_an_author_edit_drops_only_the_pages_that_show_the_author(world):
    marta, jonas = make_author("Marta Lind"), make_author("Jonas Berg")
    hers = make_article(world, authors=[marta])
    his = make_article(make_section("Sport"), authors=[jonas])
    client = Client()
    read(client, hers.url), read(client, his.url)
    marta.name = "Marta Lind-Ek"
    marta.save()
    assert kinds_kept(hers) == set()
    assert "article-head" in kinds_kept(his)
    forget_caches()
    assert "Marta Lind-Ek" in read(client, hers.url)


def test_a_correction_drops_its_article_only(world):
    article, other = make_article(world), make_article(world)
    client = Client()
    read(client, article.url), read(client, other.url)
    Correction.objects.create(article=article, text="The bridge opened in May.")
    assert kinds_kept(article) == set()
    assert kinds_kept(other)
    forget_caches()
    assert "The bridge opened in May." in read(client, article.url)


def test_unpublishing_a_related_story_drops_the_pages_that_list_it(world):
    article = make_article(world, tags=["tides"])
    related = make_article(world, "Tide tables for the winter", tags=["tides"])
    client = Client()
    assert "Tide tables for the winter" in read(client, article.url)
    related.unpublish()
    assert kinds_kept(article) == set()
    forget_caches()
    assert "Tide tables for the winter" not in read(client, article.url)


def test_a_picture_edit_drops_the_pages_that_show_it(world):
    picture = make_image(alt="Cranes at dusk")
    article = make_article(world, hero_image=picture)
    # In another section: the World story is not among its related stories.
    plain = make_article(make_section("Sport"))
    client = Client()
    read(client, article.url), read(client, plain.url)
    picture.description = "Cranes at dawn"
    picture.save()
    assert kinds_kept(article) == set() and kinds_kept(plain)


def test_a_site_setting_change_drops_every_page(world):
    article = make_article(world)
    read(Client(), article.url)
    set_publication(preview_paragraphs=2)
    assert not KeptRendering.objects.exists()


def test_a_rendering_made_across_a_drop_is_not_kept(world):
    article = make_article(world)
    since = keep.durable.begin(article)  # a view starts reading ...
    keep.durable.drop({article.pk})  # ... an editor's change drops the page ...
    keep.durable.store(article, {"article-head:x": "old"}, since=since)
    assert not KeptRendering.objects.filter(page_id=article.pk).exists()


def test_another_releases_renderings_are_not_read(world):
    article = make_article(world, "Bridge repairs begin")
    client = Client()
    read(client, article.url)
    KeptRendering.objects.filter(page_id=article.pk).update(
        renderer="0" * 16, value="STALE RELEASE"
    )
    forget_caches()
    assert "STALE RELEASE" not in read(client, article.url)
    assert keep.durable.prune() > 0


def test_render_articles_makes_them_ahead_of_the_first_reader(world, settings):
    settings.BASE_URL = "http://news.example.org:8123"
    settings.ALLOWED_HOSTS = ["news.example.org", "testserver"]
    first, second = make_article(world), make_article(world)
    assert actions.render_articles([first.pk, second.pk]) == 2
    for article in (first, second):
        assert {"article-head", "article-foot", "body", "dist-head"} <= kinds_kept(
            article
        )
    # The head tags were made for the address readers use.
    head = KeptRendering.objects.get(page_id=first.pk, key__startswith="dist-head")
    assert head.key.endswith(":news.example.org:8123")
    out = io.StringIO()
    call_command("render_articles", "--ids", str(first.pk), stdout=out)
    assert "Rendered 1 of 1 articles." in out.getvalue()
