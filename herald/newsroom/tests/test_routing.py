"""Routing reader URLs to pages (the one-query lookup in newsroom.routing)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from herald.newsroom.models import ArticlePage, HomePage, PublicationSettings
from herald.newsroom.routing import find_page
from herald.newsroom.testing import home_page, make_article, make_section


@pytest.fixture
def asia():
    world = make_section("World")
    return make_section("Asia", parent=world)


@pytest.mark.django_db
def test_article_in_a_nested_section_is_served_at_its_full_path(client, asia):
    article = make_article(asia, "Monsoon arrives early", slug="monsoon-arrives")

    response = client.get("/world/asia/monsoon-arrives/")

    assert response.status_code == 200
    assert response.context["page"].pk == article.pk
    assert "Monsoon arrives early" in response.content.decode()


@pytest.mark.django_db
def test_sections_and_the_home_page_are_served(client, asia):
    make_article(asia, "A story so the section has one")

    assert client.get("/world/asia/").context["page"].pk == asia.pk
    assert client.get("/world/").status_code == 200
    home = client.get("/")
    assert home.status_code == 200
    assert isinstance(home.context["page"], HomePage)


@pytest.mark.django_db
def test_an_article_is_found_with_one_query(django_assert_num_queries, asia):
    article = make_article(asia, "Found fast", slug="found-fast")
    home = home_page()

    with django_assert_num_queries(1):
        page = find_page(home, ["world", "asia", "found-fast"])

    assert isinstance(page, ArticlePage)
    assert page.pk == article.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/world/asia/no-such-story/",
        "/world/no-such-section/monsoon-arrives/",
        "/world/monsoon-arrives/",  # right slug, wrong section
        "/asia/monsoon-arrives/",  # skips a level
        "/world/asia/monsoon-arrives/extra/",
    ],
)
def test_unknown_paths_answer_404(client, asia, path):
    make_article(asia, "Monsoon arrives early", slug="monsoon-arrives")

    response = client.get(path)

    assert response.status_code == 404
    assert b"Monsoon arrives early" not in response.content


@pytest.mark.django_db
def test_draft_article_is_not_served(client, asia):
    make_article(asia, "Secret draft headline", slug="draft-story", publish=False)

    response = client.get("/world/asia/draft-story/")

    assert response.status_code == 404
    assert b"Secret draft headline" not in response.content


@pytest.mark.django_db
def test_unpublished_article_is_no_longer_served(client, asia):
    article = make_article(asia, "Pulled story headline", slug="pulled")
    assert client.get("/world/asia/pulled/").status_code == 200

    article.unpublish()

    response = client.get("/world/asia/pulled/")
    assert response.status_code == 404
    assert b"Pulled story headline" not in response.content


@pytest.mark.django_db
def test_article_below_a_private_section_needs_a_login(client, asia):
    make_article(asia, "Members-only briefing", slug="briefing")
    assert client.get("/world/asia/briefing/").status_code == 200

    restriction = PageViewRestriction.objects.create(
        page=asia, restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get("/world/asia/briefing/")

    assert response.status_code == 302
    assert "login" in response["Location"]
    assert b"Members-only briefing" not in response.content

    restriction.delete()
    assert client.get("/world/asia/briefing/").status_code == 200


@pytest.mark.django_db
def test_group_restricted_article_is_refused_to_anonymous_readers(client, asia):
    article = make_article(asia, "Desk-only memo", slug="memo")
    restriction = PageViewRestriction.objects.create(
        page=article, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="Desk"))

    response = client.get("/world/asia/memo/")

    assert response.status_code == 302
    assert b"Desk-only memo" not in response.content


@pytest.mark.django_db
def test_moved_article_is_served_at_its_new_path_only(client, asia):
    article = make_article(asia, "Moving story", slug="moving")
    europe = make_section("Europe")

    article.move(europe, pos="last-child")

    assert client.get("/europe/moving/").status_code == 200
    old = client.get("/world/asia/moving/")
    # Not served at the old path: Wagtail's automatic redirect points to the new one.
    assert old.status_code in (301, 404)
    if old.status_code == 301:
        assert old["Location"] == "/europe/moving/"


@pytest.mark.django_db
def test_changed_slug_takes_effect_at_once(client, asia):
    article = make_article(asia, "Renamed story", slug="old-slug")

    article.slug = "new-slug"
    article.save_revision().publish()

    assert client.get("/world/asia/new-slug/").status_code == 200
    old = client.get("/world/asia/old-slug/")
    assert old.status_code in (301, 404)
    if old.status_code == 301:
        assert old["Location"] == "/world/asia/new-slug/"


@pytest.mark.django_db
def test_publication_settings_change_shows_on_the_next_request(client, asia):
    make_article(asia, "Any story")
    settings = PublicationSettings.for_site(home_page().get_site())
    settings.name = "The First Name"
    settings.save()
    assert "The First Name" in client.get("/world/asia/").content.decode()

    settings.name = "The Second Name"
    settings.save()

    html = client.get("/world/asia/").content.decode()
    assert "The Second Name" in html
    assert "The First Name" not in html


@pytest.mark.django_db
def test_home_page_edits_show_on_the_next_request(client):
    home = home_page()
    assert client.get("/").context["page"].title == home.title

    home.title = "Front page, edited"
    home.save_revision().publish()

    assert client.get("/").context["page"].title == "Front page, edited"
