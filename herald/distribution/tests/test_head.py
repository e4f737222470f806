"""Canonical links, robots, feed discovery, Open Graph, X cards and JSON-LD."""

from __future__ import annotations

from datetime import datetime, timedelta

import extruct
import pytest
from lxml import html as lxml_html

from herald.newsroom.rendering import GATED_CLASS

from .conftest import CANARY


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    text = response.content.decode()
    return text, lxml_html.fromstring(text)


def jsonld(text: str) -> list[dict]:
    return extruct.extract(text, syntaxes=["json-ld"], uniform=True)["json-ld"]


def meta(tree, key: str) -> list[str]:
    return [
        m.get("content")
        for m in tree.xpath(f'//meta[@property="{key}" or @name="{key}"]')
    ]


def canonical(tree) -> list[str]:
    return tree.xpath('//link[@rel="canonical"]/@href')


def test_article_has_one_news_article_with_google_properties(
    client, newsroom, distribution
):
    free = newsroom["free"]

    text, tree = page(client, free.url)

    items = jsonld(text)
    articles = [i for i in items if i["@type"] == "NewsArticle"]
    assert len(articles) == 1
    data = articles[0]
    assert data["headline"] == free.title and len(data["headline"]) <= 110
    assert data["description"] == free.dek
    assert data["url"] == data["mainEntityOfPage"]["@id"] == canonical(tree)[0]
    assert len(data["image"]) == 3
    ratios = set()
    for url in data["image"]:
        assert url.startswith("http://testserver/media/")
        spec = url.rsplit("fill-", 1)[1].split(".")[0]
        w, h = (int(n) for n in spec.split("x"))
        ratios.add(round(w / h, 2))
    assert ratios == {1.0, 1.33, 1.78}
    published = datetime.fromisoformat(data["datePublished"])
    modified = datetime.fromisoformat(data["dateModified"])
    assert published.utcoffset() is not None and modified.utcoffset() is not None
    assert published <= modified
    assert [a["name"] for a in data["author"]] == ["Ada Quill", "Bo Ink"]
    for author in data["author"]:
        assert author["@type"] == "Person"
        assert not author["name"].lower().startswith("by ")
        path = author["url"].removeprefix("http://testserver")
        assert client.get(path).status_code == 200
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["name"] == "The Harbour Herald"
    assert data["isAccessibleForFree"] is True
    assert "hasPart" not in data
    crumbs = [i for i in items if i["@type"] == "BreadcrumbList"]
    assert [c["name"] for c in crumbs[0]["itemListElement"]] == [
        "The Harbour Herald",
        "World",
        free.title,
    ]


def test_publisher_logo_appears_when_the_publication_has_one(
    client, newsroom, publication, distribution
):
    from herald.newsroom.testing import make_image

    publication.logo = make_image(width=600, height=120)
    publication.save()

    text, _ = page(client, newsroom["free"].url)

    data = next(i for i in jsonld(text) if i["@type"] == "NewsArticle")
    logo = data["publisher"]["logo"]
    assert logo["url"].startswith("http://testserver/media/")
    assert logo["width"] > 0 and logo["height"] > 0


def test_visible_publish_time_equals_the_structured_data(
    client, newsroom, distribution
):
    text, tree = page(client, newsroom["free"].url)

    data = next(i for i in jsonld(text) if i["@type"] == "NewsArticle")
    times = tree.xpath("//time/@datetime")
    assert data["datePublished"] in times
    assert meta(tree, "article:published_time") == [data["datePublished"]]


def test_gated_article_declares_its_paywalled_part(client, newsroom, distribution):
    text, tree = page(client, newsroom["paid"].url)

    data = next(i for i in jsonld(text) if i["@type"] == "NewsArticle")
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"]["@type"] == "WebPageElement"
    assert data["hasPart"]["isAccessibleForFree"] is False
    selector = data["hasPart"]["cssSelector"]
    assert selector == f".{GATED_CLASS}"
    assert tree.xpath(f'//*[contains(concat(" ", @class, " "), " {GATED_CLASS} ")]')
    assert data["description"] == newsroom["paid"].dek
    assert CANARY not in text


def test_article_open_graph_and_x_card(client, newsroom, distribution):
    free = newsroom["free"]

    text, tree = page(client, free.url)

    og = {k: meta(tree, k) for k in ("og:title", "og:type", "og:image", "og:url")}
    assert all(len(v) == 1 for v in og.values()), og
    assert og["og:type"] == ["article"]
    assert og["og:url"] == canonical(tree)
    assert og["og:image"][0].startswith("http://testserver/media/")
    assert meta(tree, "og:image:width") == ["1200"]
    assert meta(tree, "og:image:height") == ["630"]
    assert meta(tree, "og:image:alt") == ["Boats in the harbour"]
    assert meta(tree, "og:site_name") == ["The Harbour Herald"]
    assert meta(tree, "og:locale") == ["en_US"]
    assert meta(tree, "article:section") == ["World"]
    assert sorted(meta(tree, "article:tag")) == ["ferries", "storms"]
    assert meta(tree, "article:author") == [
        "http://testserver/author/ada-quill/",
        "http://testserver/author/bo-ink/",
    ]
    assert meta(tree, "twitter:card") == ["summary_large_image"]
    assert len(meta(tree, "twitter:title")[0]) <= 70
    assert len(meta(tree, "twitter:description")[0]) <= 200
    assert meta(tree, "twitter:image:alt")[0]
    assert meta(tree, "twitter:site") == ["@harbourherald"]
    assert "max-image-preview:large" in " ".join(meta(tree, "robots"))
    extracted = extruct.extract(text, syntaxes=["opengraph"])["opengraph"][0]
    assert ("og:type", "article") in extracted["properties"]


def test_long_headlines_are_shortened_for_x_and_structured_data(
    client, newsroom, distribution
):
    from herald.newsroom.testing import make_article

    title = "A very long headline " * 6
    article = make_article(
        newsroom["city"], title.strip(), dek="Short teaser " * 20, slug="long-one"
    )

    text, tree = page(client, article.url)

    data = next(i for i in jsonld(text) if i["@type"] == "NewsArticle")
    assert len(data["headline"]) <= 110
    assert len(meta(tree, "twitter:title")[0]) <= 70
    assert len(meta(tree, "twitter:description")[0]) <= 200


def test_social_overrides_replace_title_description_and_image(
    client, newsroom, distribution
):
    from herald.newsroom.testing import make_article, make_image

    article = make_article(
        newsroom["city"],
        "Plain headline",
        dek="Plain dek.",
        social_title="Shareable headline",
        social_description="Shareable description.",
        social_image=make_image(width=1400, height=800, alt="A shareable picture"),
        hero_image=make_image(width=1600, height=900, alt="Hero picture"),
    )

    _, tree = page(client, article.url)

    assert meta(tree, "og:title") == ["Shareable headline"]
    assert meta(tree, "twitter:title") == ["Shareable headline"]
    assert meta(tree, "og:description") == ["Shareable description."]
    assert meta(tree, "og:image:alt") == ["A shareable picture"]


def test_canonical_drops_tracking_parameters(client, newsroom, distribution):
    free = newsroom["free"]

    _, tree = page(
        client, free.url, utm_source="x", utm_medium="social", fbclid="y", page="2"
    )

    assert canonical(tree) == [f"http://testserver{free.url}"]
    assert meta(tree, "og:url") == canonical(tree)


def test_canonical_override_is_respected_everywhere(client, newsroom, distribution):
    from herald.newsroom.testing import make_article

    article = make_article(
        newsroom["city"],
        "First told elsewhere",
        canonical_url="https://partner.example.org/original/",
    )

    text, tree = page(client, article.url)

    assert canonical(tree) == ["https://partner.example.org/original/"]
    assert meta(tree, "og:url") == canonical(tree)
    data = next(i for i in jsonld(text) if i["@type"] == "NewsArticle")
    assert data["url"] == "https://partner.example.org/original/"


def test_home_page_has_organization_website_search_and_feeds(
    client, newsroom, distribution
):
    text, tree = page(client, "/", utm_campaign="spring")

    types = {i["@type"]: i for i in jsonld(text)}
    assert types["Organization"]["name"] == "The Harbour Herald"
    action = types["WebSite"]["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == (
        "http://testserver/search/?q={search_term_string}"
    )
    assert canonical(tree) == ["http://testserver/"]
    assert meta(tree, "og:type") == ["website"]
    feeds = tree.xpath('//link[@rel="alternate"]')
    assert {(f.get("type"), f.get("href")) for f in feeds} >= {
        ("application/rss+xml", "http://testserver/feed/"),
        ("application/atom+xml", "http://testserver/feed/atom/"),
        ("application/feed+json", "http://testserver/feed/json/"),
    }


@pytest.mark.parametrize(
    ("url", "feed"),
    [
        ("/world/asia/", "http://testserver/section/world/asia/feed/"),
        ("/author/ada-quill/", "http://testserver/author/ada-quill/feed/"),
        ("/tag/storms/", "http://testserver/tag/storms/feed/"),
    ],
)
def test_section_author_and_tag_pages_are_websites_with_feeds(
    client, newsroom, distribution, url, feed
):
    text, tree = page(client, url, utm_source="mail")

    assert meta(tree, "og:type") == ["website"]
    assert canonical(tree) == [f"http://testserver{url}"]
    assert meta(tree, "og:url") == canonical(tree)
    rss = tree.xpath('//link[@rel="alternate"][@type="application/rss+xml"]/@href')
    assert rss == [feed]
    for kind in ("atom/", "json/"):
        assert feed + kind in text


def test_listing_page_canonical_keeps_its_page_number(client, newsroom, distribution):
    _, tree = page(client, "/world/", page="2", utm_source="x")

    assert canonical(tree) == ["http://testserver/world/?page=2"]


def test_search_page_is_not_indexed(client, newsroom, distribution):
    _, tree = page(client, "/search/", q="harbour")

    assert any("noindex" in c for c in meta(tree, "robots"))
    assert canonical(tree) == ["http://testserver/search/"]


def test_article_has_oembed_discovery(client, newsroom, distribution):
    _, tree = page(client, newsroom["free"].url)

    links = tree.xpath('//link[@type="application/json+oembed"]')
    assert len(links) == 1
    href = links[0].get("href")
    assert href.startswith("http://testserver/oembed/?url=")
    assert client.get(href.removeprefix("http://testserver")).status_code == 200


def test_article_head_costs_few_queries(
    client, newsroom, distribution, django_assert_max_num_queries
):
    from django.template import Context, Template
    from django.test import RequestFactory

    from herald.distribution.queries import site_info

    article = newsroom["free"]
    request = RequestFactory().get(article.url)
    site_info(request)
    Template("{% load distribution %}{% distribution_head %}").render(
        Context({"request": request, "article": article, "page": article})
    )  # creates the renditions once

    with django_assert_max_num_queries(4):
        Template("{% load distribution %}{% distribution_head %}").render(
            Context({"request": request, "article": article, "page": article})
        )


def test_updated_time_is_the_modified_date(client, newsroom, distribution):
    free = newsroom["free"]
    free.display_updated_at = free.first_published_at + timedelta(hours=2)
    free.save_revision().publish()

    text, tree = page(client, free.url)

    data = next(i for i in jsonld(text) if i["@type"] == "NewsArticle")
    shown = free.display_updated_at.replace(microsecond=0)  # to the second
    assert datetime.fromisoformat(data["dateModified"]) == shown
    assert meta(tree, "article:modified_time") == [data["dateModified"]]
