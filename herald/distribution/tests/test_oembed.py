"""The oEmbed provider."""

from __future__ import annotations

import pytest

from .conftest import CANARY


def oembed(client, **params):
    return client.get("/oembed/", params)


def test_oembed_describes_a_story_as_a_rich_card(client, newsroom, distribution):
    free = newsroom["free"]

    response = oembed(client, url=f"http://testserver{free.url}", format="json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["version"] == "1.0"
    assert data["type"] in {"rich", "link"}
    assert data["provider_name"] == "The Harbour Herald"
    assert data["title"] == free.title
    assert data["author_name"] == "Ada Quill, Bo Ink"
    assert data["width"] and data["height"]
    assert free.title in data["html"]
    assert "<script" not in data["html"]
    assert data["thumbnail_url"].startswith("http://testserver/media/")
    assert data["thumbnail_width"] <= data["width"]
    assert data["thumbnail_height"] > 0


def test_oembed_escapes_the_title_in_its_html(client, newsroom, distribution):
    from herald.newsroom.testing import make_article

    article = make_article(
        newsroom["city"], 'Council says <script>alert("no")</script> & more'
    )

    data = oembed(client, url=f"http://testserver{article.url}").json()

    assert "<script>" not in data["html"]
    assert "&lt;script&gt;" in data["html"]
    assert "&amp; more" in data["html"]


@pytest.mark.parametrize("maxwidth", [300, 200, 100])
def test_oembed_honours_maxwidth_and_maxheight(
    client, newsroom, distribution, maxwidth
):
    data = oembed(
        client,
        url=f"http://testserver{newsroom['free'].url}",
        maxwidth=maxwidth,
        maxheight=120,
    ).json()

    assert data["width"] <= maxwidth
    assert data["height"] <= 120
    if "thumbnail_url" in data:
        assert data["thumbnail_width"] <= maxwidth
        assert data["thumbnail_height"] <= 120


def test_gated_story_embeds_as_its_public_card_only(client, newsroom, distribution):
    paid = newsroom["paid"]

    response = oembed(client, url=f"http://testserver{paid.url}")

    assert response.status_code == 200
    assert CANARY not in response.content.decode()
    assert paid.dek in response.json()["html"]


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example.org/world/harbour/",
        "http://testserver/world/no-such-story/",
        "http://testserver/world/",
        "http://testserver/",
        "javascript:alert(1)",
        "not a url",
    ],
)
def test_oembed_for_unknown_or_foreign_urls_is_404(client, newsroom, distribution, url):
    response = oembed(client, url=url)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_oembed_for_a_draft_is_404(client, newsroom, distribution):
    from herald.newsroom.testing import make_article

    draft = make_article(newsroom["city"], "Not out yet", publish=False)

    response = oembed(client, url=f"http://testserver/city/{draft.slug}/")

    assert response.status_code == 404


def test_oembed_in_xml_is_not_implemented(client, newsroom, distribution):
    response = oembed(
        client, url=f"http://testserver{newsroom['free'].url}", format="xml"
    )

    assert response.status_code == 501


@pytest.mark.parametrize("params", [{}, {"maxwidth": "wide"}, {"maxwidth": "-3"}])
def test_oembed_bad_parameters_are_400(client, newsroom, distribution, params):
    if params:
        params = {**params, "url": f"http://testserver{newsroom['free'].url}"}

    assert oembed(client, **params).status_code == 400
