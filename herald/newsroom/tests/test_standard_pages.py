"""Pages every outlet has (About, Ethics, Corrections policy, Privacy, Contact)."""

import pytest
from django.urls import reverse

from herald.newsroom.testing import (
    EDITORS,
    admin_form_data,
    make_article,
    make_section,
    make_staff,
    make_standard_page,
    set_publication,
)

pytestmark = pytest.mark.django_db

ABOUT_TEXT = "The Courier is owned by its readers."


def draftail_paragraph(text: str) -> str:
    """A rich-text field's value as the admin's editor posts it."""
    import json

    block = {
        "key": "a",
        "type": "unstyled",
        "text": text,
        "depth": 0,
        "inlineStyleRanges": [],
        "entityRanges": [],
    }
    return json.dumps({"blocks": [block], "entityMap": {}})


def footer_of(html: str) -> str:
    return html[html.index('<footer class="site-footer"') :]


def test_editor_can_add_a_standard_page_under_the_home_page(client):
    from herald.newsroom.models import HomePage, StandardPage

    home = HomePage.objects.first() or make_section("World").get_parent().specific
    client.force_login(make_staff(EDITORS))
    url = reverse("wagtailadmin_pages:add", args=("newsroom", "standardpage", home.pk))
    data = admin_form_data(
        client,
        url,
        title="About us",
        slug="about",
        body=draftail_paragraph(ABOUT_TEXT),
        kind="about",
    )
    data["action-publish"] = "Publish"

    response = client.post(url, data)

    assert response.status_code == 302, response.content[:3000]
    page = StandardPage.objects.get(slug="about")
    assert page.live and page.kind == "about"
    choose = client.get(reverse("wagtailadmin_pages:add_subpage", args=(home.pk,)))
    assert b"standard page" in choose.content.lower()


def test_standard_page_renders_and_footer_links_it_by_default(client):
    set_publication(name="The Courier")
    make_standard_page(
        "About us", kind="about", slug="about", body=f"<p>{ABOUT_TEXT}</p>"
    )
    make_standard_page("Our ethics", kind="ethics", slug="ethics")
    make_standard_page("Contact", kind="contact", slug="contact")
    make_standard_page("Privacy", kind="privacy", slug="privacy", publish=False)

    page = client.get("/about/")
    home = client.get("/")

    assert page.status_code == 200
    assert ABOUT_TEXT in page.content.decode()
    footer = footer_of(home.content.decode())
    assert '<a href="/about/">About</a>' in footer
    assert '<a href="/ethics/">Ethics and standards</a>' in footer
    assert '<a href="/contact/">Contact</a>' in footer
    # A draft is neither served nor linked.
    assert client.get("/privacy/").status_code == 404
    assert "/privacy/" not in footer


def test_a_link_in_the_settings_wins_over_the_page(client):
    set_publication(about_url="https://example.org/who-we-are")
    make_standard_page("About us", kind="about", slug="about")

    footer = footer_of(client.get("/").content.decode())

    assert 'href="https://example.org/who-we-are"' in footer
    assert 'href="/about/"' not in footer


def test_footer_follows_a_new_page_at_once(client):
    client.get("/")  # the footer is kept
    make_standard_page("Corrections", kind="corrections", slug="corrections")

    footer = footer_of(client.get("/").content.decode())

    assert '<a href="/corrections/">Corrections policy</a>' in footer


def test_standard_page_is_kept_for_anonymous_readers_and_not_after_a_draft(
    client, django_assert_max_num_queries
):
    page = make_standard_page("About us", kind="about", slug="about")
    make_article(make_section("World"), "Harbour reopens")
    client.get("/about/")  # the first request creates the settings rows
    client.get("/about/")

    with django_assert_max_num_queries(2):
        again = client.get("/about/")
    assert again.status_code == 200

    # an editor previews a draft: readers still get the live text
    draft = page.get_latest_revision_as_object()
    draft.intro = "A draft intro nobody has approved."
    draft.save_revision()
    staff = make_staff(EDITORS)
    client.force_login(staff)
    preview = client.get(reverse("wagtailadmin_pages:view_draft", args=(page.pk,)))
    assert "A draft intro nobody has approved." in preview.content.decode()
    client.logout()
    assert (
        "A draft intro nobody has approved."
        not in client.get("/about/").content.decode()
    )


def test_standard_pages_only_go_under_the_home_page():
    from herald.newsroom.models import SectionPage, StandardPage

    assert StandardPage.can_create_at(make_section("World").get_parent())
    assert not StandardPage.can_create_at(SectionPage.objects.get(slug="world"))
