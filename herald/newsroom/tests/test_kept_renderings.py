"""What is kept for readers (``core.keep``) never carries a preview, a draft or a
stale version: a privileged render first, then an anonymous read.

Each kind of change a reader page shows (image alt, credit, focal point and
renditions, a linked page's slug, an author, a tag, a correction, a tier, a view
restriction, a redirect, a page move or delete) has a test that reads the page
warm, makes the change, and reads it again as an anonymous reader.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageViewRestriction

from herald.members.models import AccessLevel, Tier
from herald.newsroom.models import ArticlePage, Correction
from herald.newsroom.testing import (
    EDITORS,
    admin_form_data,
    article_body_form_data,
    home_page,
    make_article,
    make_author,
    make_image,
    make_section,
    make_staff,
    now,
    paragraphs_body,
    set_publication,
)

pytestmark = pytest.mark.django_db


def canary() -> str:
    return f"KEPTCANARY{uuid.uuid4().hex}"


def read(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def editor_client() -> Client:
    client = Client()
    client.force_login(make_staff(EDITORS))
    return client


def _draft(page: Page, **fields: object) -> None:
    """Save a draft revision of ``page`` with ``fields`` changed (not published)."""
    draft = page.get_latest_revision_as_object()
    for name, value in fields.items():
        setattr(draft, name, value)
    draft.save_revision()


# --- Fault 1: a preview of a live article -------------------------------------


@pytest.mark.parametrize("warm_first", [True, False])
@pytest.mark.parametrize("how", ["view_draft", "edit_preview"])
def test_a_preview_that_drops_the_paywall_never_reaches_anonymous_readers(
    editor_client, warm_first, how
):
    # given a live paid story whose second and third paragraphs are gated
    secret = canary()
    article = make_article(
        make_section("World"),
        "Harbour tolls double",
        paragraphs=["Public opening.", f"Gated {secret}.", f"More gated {secret}."],
        paywall_after=1,
        access_level=AccessLevel.PAID,
    )
    anonymous = Client()
    if warm_first:
        assert secret not in read(anonymous, article.url)
    # when an editor drops the break and looks at it: as a saved draft, or as
    # unsaved changes in the editor's preview panel
    if how == "view_draft":
        _draft(
            article, body=paragraphs_body(["Public opening.", f"Now open {secret}."])
        )
        preview = editor_client.get(f"/admin/pages/{article.pk}/view_draft/")
    else:
        edit_url = f"/admin/pages/{article.pk}/edit/"
        data = admin_form_data(
            editor_client,
            edit_url,
            **article_body_form_data(["Public opening.", f"Now open {secret}."]),
        )
        posted = editor_client.post(edit_url + "preview/", data)
        assert posted.json()["is_valid"], posted.content
        preview = editor_client.get(edit_url + "preview/")
    assert preview.status_code == 200
    assert secret in preview.content.decode()  # the editor saw the draft
    # then an anonymous reader still gets the live version, gated
    response = anonymous.get(article.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert secret not in html
    assert "Public opening." in html
    assert "paywall-offer" in html


def test_a_preview_never_replaces_what_a_paying_reader_gets(editor_client):
    secret = canary()
    article = make_article(
        make_section("World"),
        paragraphs=["Opening.", "The live gated paragraph."],
        paywall_after=1,
        access_level=AccessLevel.MEMBERS,
    )
    member = Client()
    member.force_login(get_user_model().objects.create_user("reader@example.org"))
    assert "The live gated paragraph." in read(member, article.url)
    _draft(article, body=paragraphs_body(["Opening.", f"Draft only {secret}."]))
    assert secret in read(editor_client, f"/admin/pages/{article.pk}/view_draft/")
    html = read(member, article.url)
    assert secret not in html and "The live gated paragraph." in html


# --- Fault 2: previews of listings --------------------------------------------


def test_a_section_draft_preview_never_shows_its_intro_to_readers(editor_client):
    section = make_section("Science", intro="The live introduction.")
    make_article(section, "A science story")
    secret = canary()
    anonymous = Client()
    assert "The live introduction." in read(anonymous, section.url)
    _draft(section, intro=f"Unpublished introduction {secret}")
    assert secret in read(editor_client, f"/admin/pages/{section.pk}/view_draft/")
    for reader_url in (section.url, section.url + "?page=1"):
        html = read(anonymous, reader_url)
        assert secret not in html and "The live introduction." in html


def test_a_section_draft_preview_first_then_anonymous_reader(editor_client):
    section = make_section("Culture", intro="Culture as published.")
    secret = canary()
    _draft(section, intro=f"Culture draft {secret}")
    assert secret in read(editor_client, f"/admin/pages/{section.pk}/view_draft/")
    html = read(Client(), section.url)
    assert secret not in html and "Culture as published." in html


def _lead_title(html: str) -> str:
    match = re.search(r'class="card card-lead.*?<h3[^>]*>(.*?)</h3>', html, re.S)
    assert match, "no lead card"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_a_home_page_draft_preview_never_changes_the_readers_lead(editor_client):
    world = make_section("World")
    older = make_article(
        world, "An older story the draft leads with", published_at=now()
    )
    newest = make_article(world, "The newest story")
    home = home_page()
    anonymous = Client()
    assert _lead_title(read(anonymous, "/")) == newest.title
    _draft(home, lead_article=older)
    preview = read(editor_client, f"/admin/pages/{home.pk}/view_draft/")
    assert _lead_title(preview) == older.title
    assert _lead_title(read(anonymous, "/")) == newest.title
    member = Client()
    member.force_login(get_user_model().objects.create_user("lead@example.org"))
    assert _lead_title(read(member, "/")) == newest.title


# --- Fault 3 and every kind of change: readers see it -------------------------


def _figure_body(image, *, link_to: Page | None = None) -> str:
    blocks = [
        {"type": "paragraph", "value": "<p>Opening paragraph.</p>"},
        {"type": "image", "value": {"image": image.pk, "caption": "At the quay"}},
    ]
    if link_to is not None:
        blocks.append(
            {
                "type": "paragraph",
                "value": f'<p>See <a linktype="page" id="{link_to.pk}">this</a>.</p>',
            }
        )
    return json.dumps(blocks)


@pytest.fixture
def world():
    return make_section("World")


@pytest.mark.parametrize(
    ("field", "made_with", "shown_as"),
    [("description", "alt", 'alt="{}"'), ("credit", "credit", "{}")],
    ids=["alt text", "credit"],
)
def test_an_image_edit_reaches_article_bodies(world, field, made_with, shown_as):
    image = make_image(**{made_with: "The old words"})
    article = make_article(world, body=_figure_body(image))
    client = Client()
    assert shown_as.format("The old words") in read(client, article.url)
    setattr(image, field, "The new words")
    image.save()
    html = read(client, article.url)
    assert shown_as.format("The new words") in html and "The old words" not in html


def _srcs(html: str) -> set[str]:
    return set(re.findall(r'src="([^"]+)"', html))


def test_a_focal_point_edit_reaches_cropped_cards(world):
    image = make_image(width=1200, height=1200)
    make_article(world, hero_image=image)
    client = Client()
    before = _srcs(read(client, world.url))
    image.focal_point_x, image.focal_point_y = 100, 100
    image.focal_point_width = image.focal_point_height = 50
    image.save()
    after = _srcs(read(client, world.url))
    assert after != before


def test_deleted_renditions_are_not_served_from_kept_pages(world):
    image = make_image()
    article = make_article(world, body=_figure_body(image))
    client = Client()
    before = _srcs(read(client, article.url))
    for rendition in image.renditions.all():
        rendition.delete()
    after = _srcs(read(client, article.url))
    assert after, "the picture is still shown"
    assert image.renditions.exists(), "renditions were made again for the page"
    kept = {r.url for r in image.renditions.all()}
    assert {s for s in after if "/images/" in s} <= kept
    assert before  # what was shown first


def test_a_linked_pages_new_slug_reaches_article_bodies(world):
    target = make_article(world, "The story linked to", slug="old-target-slug")
    article = make_article(world, body=_figure_body(make_image(), link_to=target))
    client = Client()
    assert "/world/old-target-slug/" in read(client, article.url)
    target.slug = "new-target-slug"
    target.save_revision().publish()
    html = read(client, article.url)
    assert "/world/new-target-slug/" in html and "old-target-slug" not in html


def test_an_author_rename_reaches_bylines_listings_and_feeds(world):
    author = make_author("Ines Varga")
    article = make_article(world, authors=[author])
    client = Client()
    for url in (article.url, world.url, "/", "/feed/"):
        assert "Ines Varga" in read(client, url)
    author.name = "Ines Varga-Holm"
    author.save()
    for url in (article.url, world.url, "/feed/"):
        assert "Ines Varga-Holm" in read(client, url), url


def test_a_tag_rename_reaches_article_pages(world):
    article = make_article(world, tags=["harbour works"])
    client = Client()
    assert "harbour works" in read(client, article.url)
    tag = Tag.objects.get(name="harbour works")
    tag.name = "harbour renewal"
    tag.save()
    html = read(client, article.url)
    assert "harbour renewal" in html and "harbour works" not in html


def test_a_correction_reaches_the_article_page(world):
    article = make_article(world)
    client = Client()
    read(client, article.url)
    Correction.objects.create(
        article=article, text="An earlier version misnamed the ferry."
    )
    assert "An earlier version misnamed the ferry." in read(client, article.url)


def test_a_tier_rename_reaches_the_paywall_offer(world):
    tier = Tier.objects.create(
        name="Harbour Club", slug="harbour-club", monthly_price=500, yearly_price=5000
    )
    article = make_article(
        world,
        paragraphs=["Open.", "Gated."],
        paywall_after=1,
        access_level=AccessLevel.TIERS,
        tiers=[tier],
    )
    client = Client()
    assert "Harbour Club" in read(client, article.url)
    tier.name = "Quayside Circle"
    tier.save()
    html = read(client, article.url)
    assert "Quayside Circle" in html and "Harbour Club" not in html


def test_a_view_restriction_reaches_a_kept_page(world):
    article = make_article(world, paragraphs=["Once open to all readers."])
    client = Client()
    assert "Once open to all readers." in read(client, article.url)
    PageViewRestriction.objects.create(
        page=article, restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get(article.url)
    assert response.status_code in (302, 401, 403)
    assert "Once open to all readers." not in response.content.decode()


def test_a_new_redirect_reaches_readers(world):
    article = make_article(world, "Moved story")
    client = Client()
    read(client, "/old-address/", status=404)
    Redirect.objects.create(old_path="/old-address", redirect_page=article)
    response = client.get("/old-address/")
    assert response.status_code in (301, 302)
    assert response["Location"].endswith(article.url)


def test_a_moved_story_reaches_listings_and_its_old_address(world):
    science = make_section("Science")
    article = make_article(world, "A story that moves desks", slug="moving-story")
    client = Client()
    assert "/world/moving-story/" in read(client, "/")
    read(client, "/world/moving-story/")
    Page.objects.get(pk=article.pk).specific.move(science, pos="last-child")
    home = read(client, "/")
    assert "/science/moving-story/" in home and "/world/moving-story/" not in home
    assert "/science/moving-story/" in read(client, science.url)
    assert "A story that moves desks" not in read(client, world.url)
    # Wagtail answers the old address with a redirect to the new one.
    moved = client.get("/world/moving-story/")
    assert moved.status_code == 301
    assert moved["Location"].endswith("/science/moving-story/")
    assert "A story that moves desks" in read(client, "/science/moving-story/")


def test_a_deleted_story_leaves_every_kept_page(world):
    article = make_article(world, "A story about to be withdrawn")
    client = Client()
    url = article.url
    for page_url in (url, "/", world.url, "/feed/"):
        assert "A story about to be withdrawn" in read(client, page_url)
    ArticlePage.objects.get(pk=article.pk).delete()
    read(client, url, status=404)
    for page_url in ("/", world.url, "/feed/"):
        assert "A story about to be withdrawn" not in read(client, page_url), page_url


def test_a_changed_preview_length_reaches_kept_article_pages(world):
    set_publication(preview_paragraphs=3)
    secret = canary()
    article = make_article(
        world,
        paragraphs=["First.", f"Second {secret}.", "Third.", "Fourth."],
        access_level=AccessLevel.MEMBERS,
    )
    client = Client()
    assert secret in read(client, article.url)  # inside the 3-paragraph preview
    set_publication(preview_paragraphs=1)
    html = read(client, article.url)
    assert secret not in html and "First." in html


def test_a_changed_time_zone_reaches_kept_article_pages(world):
    set_publication(time_zone="UTC")
    article = make_article(world)
    client = Client()
    assert "+00:00" in read(client, article.url)
    set_publication(time_zone="Asia/Kathmandu")
    html = read(client, article.url)
    times = [t for t in re.findall(r'datetime="([^"]+)"', html) if "T" in t]
    assert times and all(t.endswith("+05:45") for t in times), times
