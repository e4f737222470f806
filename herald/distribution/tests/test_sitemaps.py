"""Sitemaps, the Google News sitemap and robots.txt."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import xmlschema
from django.utils import timezone
from lxml import etree

from herald.distribution import sitemaps

SCHEMAS = Path(__file__).parent / "schemas"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
}


@pytest.fixture(scope="module")
def urlset_schema():
    return xmlschema.XMLSchema(
        str(SCHEMAS / "sitemap.xsd"),
        locations=[
            (NS["news"], str(SCHEMAS / "sitemap-news.xsd")),
            (NS["image"], str(SCHEMAS / "sitemap-image.xsd")),
        ],
    )


@pytest.fixture(scope="module")
def index_schema():
    return xmlschema.XMLSchema(str(SCHEMAS / "siteindex.xsd"))


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return etree.fromstring(response.content)


def relative(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_sitemap_index_lists_valid_pages_of_every_kind(
    client, newsroom, distribution, urlset_schema, index_schema
):
    from herald.newsroom.testing import make_standard_page

    make_standard_page("About us", kind="about", slug="about")
    response = client.get("/sitemap.xml")
    index_schema.validate(response.content.decode())
    locs = [e.text for e in parse(response).findall("sm:sitemap/sm:loc", NS)]

    kinds = {re.search(r"sitemap-(\w+)\.xml", loc).group(1) for loc in locs}
    assert kinds == {"articles", "sections", "pages", "authors", "tags", "news"}
    found = set()
    for loc in locs:
        page = client.get(relative(loc))
        urlset_schema.validate(page.content.decode())
        found |= {e.text for e in parse(page).findall("sm:url/sm:loc", NS)}
    assert f"http://testserver{newsroom['free'].url}" in found
    assert f"http://testserver{newsroom['paid'].url}" in found
    assert "http://testserver/world/asia/" in found
    assert "http://testserver/about/" in found
    assert "http://testserver/author/ada-quill/" in found
    assert "http://testserver/tag/storms/" in found


def test_article_sitemap_has_lastmod_and_image_entries(client, newsroom, distribution):
    tree = parse(client.get("/sitemap-articles.xml?page=1"))

    entry = next(
        u
        for u in tree.findall("sm:url", NS)
        if u.findtext("sm:loc", namespaces=NS).endswith(newsroom["free"].url)
    )
    lastmod = datetime.fromisoformat(entry.findtext("sm:lastmod", namespaces=NS))
    assert lastmod.utcoffset() is not None
    image = entry.findtext("image:image/image:loc", namespaces=NS)
    assert image.startswith("http://testserver/media/")


def test_stories_with_a_foreign_canonical_url_stay_out_of_the_sitemaps(
    client, newsroom, distribution
):
    from herald.newsroom.testing import make_article

    make_article(
        newsroom["city"],
        "Syndicated from a partner",
        canonical_url="https://partner.example.org/story/",
    )

    assert b"Syndicated" not in client.get("/sitemap-news.xml").content
    assert b"syndicated-from" not in client.get("/sitemap-articles.xml").content


@pytest.mark.parametrize(
    "url",
    [
        "/sitemap-articles.xml?page=2",
        "/sitemap-tags.xml?page=9",
        "/sitemap-articles.xml?page=0",
        "/sitemap-articles.xml?page=abc",
        "/sitemap-news.xml?page=2",
        "/sitemap-news.xml?page=x",
        "/sitemap-unknown.xml",
    ],
)
def test_sitemap_page_past_the_end_or_unknown_is_404(
    client, newsroom, distribution, url
):
    assert client.get(url).status_code == 404


def test_news_sitemap_lists_only_stories_of_the_last_48_hours(
    client, publication, distribution, urlset_schema
):
    from herald.newsroom.testing import make_article, make_section

    section = make_section("Local")
    now = timezone.now()
    fresh = make_article(section, "One hour old", published_at=now - timedelta(hours=1))
    older = make_article(
        section, "Almost two days", published_at=now - timedelta(hours=47)
    )
    make_article(section, "Too old", published_at=now - timedelta(hours=49))
    make_article(section, "A draft", publish=False)
    scheduled = make_article(section, "Scheduled", publish=False)
    scheduled.go_live_at = now + timedelta(hours=2)
    scheduled.save_revision().publish()  # Wagtail keeps it waiting, not live
    gone = make_article(section, "Taken down", published_at=now - timedelta(hours=2))
    gone.unpublish()

    response = client.get("/sitemap-news.xml")
    urlset_schema.validate(response.content.decode())
    tree = parse(response)

    assert tree.tag == f"{{{NS['sm']}}}urlset"
    assert tree.nsmap.get("news") == NS["news"]
    titles = [e.text for e in tree.findall("sm:url/news:news/news:title", NS)]
    assert sorted(titles) == sorted([fresh.title, older.title])
    for url in tree.findall("sm:url", NS):
        loc = url.findtext("sm:loc", namespaces=NS)
        assert loc.startswith("http://testserver/local/")
        news = url.find("news:news", NS)
        assert news.findtext("news:publication/news:name", namespaces=NS) == (
            "The Harbour Herald"
        )
        language = news.findtext("news:publication/news:language", namespaces=NS)
        assert re.fullmatch(r"[a-z]{2,3}(-[a-z]{2})?", language)
        published = datetime.fromisoformat(
            news.findtext("news:publication_date", namespaces=NS)
        )
        assert published.utcoffset() is not None
    pub_dates = {
        u.findtext("news:news/news:title", namespaces=NS): datetime.fromisoformat(
            u.findtext("news:news/news:publication_date", namespaces=NS)
        )
        for u in tree.findall("sm:url", NS)
    }
    assert abs(pub_dates[fresh.title] - fresh.first_published_at) < timedelta(seconds=1)


def fresh_stories(section, count: int) -> None:
    """Publish ``count`` stories quickly (live pages without revisions)."""
    from herald.newsroom.models import ArticlePage

    now = timezone.now()
    for i in range(count):
        section.add_child(
            instance=ArticlePage(
                title=f"Fresh story {i}",
                slug=f"fresh-story-{i}",
                live=True,
                first_published_at=now - timedelta(minutes=i),
                last_published_at=now - timedelta(minutes=i),
            )
        )


def test_news_sitemap_holds_at_most_1000_stories_per_file():
    assert sitemaps.NEWS_PAGE_SIZE == 1_000


def test_news_sitemap_splits_into_an_index_beyond_a_file_of_stories(
    client, publication, distribution, urlset_schema, index_schema, monkeypatch
):
    # given: the per-file limit lowered from 1,000 to 5 so that the split of
    # 1,001 stories is exercised with 6 (publishing 1,001 pages takes minutes)
    from herald.newsroom.testing import make_section

    monkeypatch.setattr(sitemaps, "NEWS_PAGE_SIZE", 5)
    fresh_stories(make_section("Wire"), 6)

    # when
    response = client.get("/sitemap-news.xml")

    # then
    index_schema.validate(response.content.decode())
    locs = [e.text for e in parse(response).findall("sm:sitemap/sm:loc", NS)]
    assert len(locs) == 2
    counts = []
    for loc in locs:
        page = client.get(relative(loc))
        urlset_schema.validate(page.content.decode())
        counts.append(len(parse(page).findall("sm:url/news:news", NS)))
    assert counts == [5, 1]
    main_index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-news.xml?page=2" in main_index


def test_robots_txt_names_the_sitemaps_and_blocks_private_paths(
    client, publication, distribution
):
    response = client.get("/robots.txt")
    lines = response.content.decode().splitlines()

    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/sitemap-news.xml" in lines
    for path in ("/admin/", "/account/", "/feed/private/"):
        assert f"Disallow: {path}" in lines
    assert any(line.startswith("Disallow:") and "preview" in line for line in lines)


def test_sitemap_pages_take_a_fixed_number_of_queries_whatever_the_item_count(
    client, newsroom, distribution, django_assert_max_num_queries
):
    from herald.newsroom.testing import make_section

    client.get("/robots.txt")  # warms the site details
    urls = [
        "/sitemap.xml",
        "/sitemap-news.xml",
        "/sitemap-articles.xml?page=1",
        "/sitemap-sections.xml?page=1",
        "/sitemap-pages.xml?page=1",
        "/sitemap-authors.xml?page=1",
        "/sitemap-tags.xml?page=1",
    ]
    # The index reads one summary per kind of sitemap (six kinds) and the site.
    budgets = {"/sitemap.xml": 7}
    for extra in (0, 40):
        if extra:
            fresh_stories(make_section("More"), extra)
            # Publishing starts a new generation (core.keep): the site's
            # details are read again once, by whichever request comes first.
            client.get("/robots.txt")
        for url in urls:
            with django_assert_max_num_queries(budgets.get(url, 6), info=url):
                assert client.get(url).status_code == 200


def test_article_sitemap_pages_are_key_ranges_that_keep_their_stories(
    client, publication, distribution, monkeypatch
):
    from herald.newsroom.models import ArticlePage
    from herald.newsroom.testing import make_section

    # given stories spread over pages of at most three keys each
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 3)
    fresh_stories(make_section("Harbour"), 7)

    def article_pages() -> dict[str, set[str]]:
        index = parse(client.get("/sitemap.xml"))
        pages = {}
        for loc in index.findall("sm:sitemap/sm:loc", NS):
            if "sitemap-articles" in loc.text:
                tree = parse(client.get(relative(loc.text)))
                pages[loc.text] = {e.text for e in tree.findall("sm:url/sm:loc", NS)}
        return pages

    before = article_pages()
    listed = [url for urls in before.values() for url in urls]
    assert all(len(urls) <= 3 for urls in before.values())
    assert len(listed) == len(set(listed)) == 7
    keys = sorted(ArticlePage.objects.values_list("pk", flat=True))
    assert len(before) == len({(pk - 1) // 3 for pk in keys})

    # when the oldest-keyed story is unpublished
    gone = ArticlePage.objects.get(pk=keys[0])
    gone.unpublish()
    after = article_pages()

    # then it is gone and every other story stays on the page it was on
    assert not any(gone.slug in url for urls in after.values() for url in urls)
    for page, urls in before.items():
        kept = {url for url in urls if gone.slug not in url}
        assert after.get(page, set()) == kept


@pytest.mark.parametrize(
    "url",
    [
        "/sitemap-articles.xml?page=99999999999999999999",
        "/sitemap-articles.xml?page=9223372036854775808",
        "/sitemap-articles.xml?page=922337203685477580",
        "/sitemap-sections.xml?page=99999999999999999999",
        "/sitemap-authors.xml?page=99999999999999999999",
        "/sitemap-tags.xml?page=9223372036854775807",
        "/sitemap-news.xml?page=99999999999999999999",
        "/sitemap-news.xml?page=-99999999999999999999",
        "/sitemap-news.xml?page=0",
        "/sitemap-articles.xml?page=1e400",
        "/sitemap-articles.xml?page=%00",
    ],
)
def test_sitemap_page_with_a_huge_or_odd_number_is_404(
    client, newsroom, distribution, url
):
    assert client.get(url).status_code == 404
