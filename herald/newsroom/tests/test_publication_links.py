"""Publication settings links: only web addresses and site paths reach an href."""

from __future__ import annotations

import pytest
from django.test import Client
from lxml import html as lxml_html
from wagtail.models import Site

from herald.newsroom.models import PublicationSettings
from herald.newsroom.testing import make_article, make_section, set_publication

pytestmark = pytest.mark.django_db

LINK_FIELDS = [
    "about_url",
    "ethics_url",
    "corrections_url",
    "privacy_url",
    "support_url",
    "newsletter_url",
]
HOSTILE = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/phish",
    "/\\evil.example",
]


def settings_admin_url() -> str:
    site = Site.objects.get(is_default_site=True)
    return f"/admin/settings/newsroom/publicationsettings/{site.pk}/"


def admin_form_data(client) -> dict[str, str]:
    """The settings form as the admin renders it, ready to post back."""
    page = lxml_html.fromstring(client.get(settings_admin_url()).content)
    form = next(f for f in page.forms if f.get("method", "").lower() == "post")
    return {k: v for k, v in form.form_values() if k != "csrfmiddlewaretoken"}


@pytest.fixture
def editor_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(
        "editor@example.org", "a-long-password-1"
    )
    client.force_login(admin)
    return client


@pytest.mark.parametrize("field", LINK_FIELDS)
@pytest.mark.parametrize("link", HOSTILE)
def test_model_validation_refuses_unsafe_links(field, link):
    publication = set_publication()
    setattr(publication, field, link)

    with pytest.raises(Exception) as raised:
        publication.full_clean()

    assert field in raised.value.message_dict  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "link", ["https://news.example.org/about/", "http://example.org", "/about/"]
)
def test_model_validation_accepts_web_addresses_and_site_paths(link):
    publication = set_publication()
    for field in LINK_FIELDS:
        setattr(publication, field, link)

    publication.full_clean()


def test_admin_settings_form_shows_a_field_error_for_a_javascript_link(editor_client):
    # given: the publication settings form as the editor sees it
    data = admin_form_data(editor_client)
    data["support_url"] = "javascript:alert(document.cookie)"

    # when: it is saved
    response = editor_client.post(settings_admin_url(), data)

    # then: the form comes back with the error on that field, nothing saved
    assert response.status_code == 200
    assert b"starting with https://" in response.content
    saved = PublicationSettings.objects.get()
    assert saved.support_url == ""


def test_admin_settings_form_saves_a_site_path(editor_client):
    data = admin_form_data(editor_client)
    data["about_url"] = "/about-us/"

    response = editor_client.post(settings_admin_url(), data)

    assert response.status_code == 302
    assert PublicationSettings.objects.get().about_url == "/about-us/"


def hrefs(content: bytes) -> list[str]:
    return [a.get("href", "") for a in lxml_html.fromstring(content).iter("a")]


def test_an_old_row_with_unsafe_links_renders_them_inert():
    # given: links saved before validation existed (no model validation on update)
    set_publication()
    PublicationSettings.objects.update(
        about_url="javascript:alert(1)",
        ethics_url=" java\tscript:alert(2)",
        corrections_url="data:text/html,<script>alert(3)</script>",
        privacy_url="//evil.example/privacy",
        support_url="JAVASCRIPT:alert(4)",
        newsletter_url="vbscript:msgbox(5)",
        google_news_url="javascript:alert(6)",
        x_url="data:text/html,<script>alert(7)</script>",
        mastodon_url="https://social.example/@herald",
    )
    article = make_article(make_section("World"), "A harbour reopens")

    # when: readers load the front page and an article
    for url in ("/", article.url):
        response = Client().get(url)

        # then: no unsafe scheme reaches any link
        assert response.status_code == 200
        links = hrefs(response.content)
        assert links
        for href in links:
            squashed = "".join(href.split()).lower()
            assert not squashed.startswith(("javascript:", "data:", "vbscript:"))
            assert not squashed.startswith("//evil")
        assert b"alert(" not in response.content
        assert b"msgbox" not in response.content
    # the safe follow link on the same row still shows
    assert "https://social.example/@herald" in links


def test_safe_settings_links_still_render():
    set_publication(
        about_url="/about-us/",
        support_url="https://donate.example.org/herald",
        newsletter_url="/newsletters/",
    )

    response = Client().get("/")

    links = hrefs(response.content)
    assert "/about-us/" in links
    assert "https://donate.example.org/herald" in links
    assert "/newsletters/" in links
