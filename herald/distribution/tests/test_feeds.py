"""Public feeds: formats, validity, gating, headers, caching and bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from herald.distribution.feeds import JSON_FEED_VERSION

from .conftest import CANARY

FEED_SCOPES = [
    "/feed/",
    "/section/world/",
    "/section/world/asia/",
    "/section/city/",
    "/author/ada-quill/",
    "/tag/storms/",
    "/tag/council/",
]


def feed_urls(scope: str) -> dict[str, str]:
    base = scope if scope == "/feed/" else f"{scope}feed/"
    return {"rss": base, "atom": f"{base}atom/", "json": f"{base}json/"}


ALL_FEEDS = [url for scope in FEED_SCOPES for url in feed_urls(scope).values()]


@pytest.mark.parametrize("url", ALL_FEEDS)
def test_every_feed_answers_with_its_content_type_and_no_gated_text(
    client, newsroom, distribution, url
):
    response = client.get(url)

    assert response.status_code == 200
    expected = (
        "application/feed+json"
        if url.endswith("json/")
        else "application/atom+xml"
        if url.endswith("atom/")
        else "application/rss+xml"
    )
    assert response["Content-Type"].startswith(expected)
    assert CANARY not in response.content.decode()
    assert len(response.content) < 2 * 1024 * 1024


@pytest.mark.parametrize("url", [u for u in ALL_FEEDS if not u.endswith("json/")])
def test_xml_feeds_parse_without_errors(client, newsroom, distribution, url):
    parsed = feedparser.parse(client.get(url).content)

    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.entries


def test_rss_round_trips_titles_dates_enclosures_and_full_text(
    client, newsroom, distribution
):
    free = newsroom["free"]

    parsed = feedparser.parse(client.get("/feed/").content)

    assert parsed.version == "rss20"
    entry = next(e for e in parsed.entries if e.title == free.title)
    assert entry.link == f"http://testserver{free.url}"
    published = datetime(*entry.published_parsed[:6], tzinfo=UTC)
    assert abs(published - free.first_published_at) < timedelta(seconds=1)
    assert entry.enclosures[0]["type"] == "image/png"
    assert entry.enclosures[0]["href"].startswith("http://testserver/media/")
    assert "The harbour reopened today." in entry.content[0]["value"]
    assert entry.guidislink is False
    assert [a["name"] for a in entry.authors] == ["Ada Quill", "Bo Ink"]


def test_rss_carries_full_text_in_a_cdata_content_encoded(
    client, newsroom, distribution
):
    body = client.get("/feed/").content.decode()

    assert 'xmlns:content="http://purl.org/rss/1.0/modules/content/"' in body
    assert "<content:encoded><![CDATA[<p>The harbour reopened today.</p>" in body


def test_gated_stories_show_only_their_teaser_in_public_feeds(
    client, newsroom, distribution
):
    parsed = feedparser.parse(client.get("/section/city/feed/").content)

    titles = {e.title: e for e in parsed.entries}
    entry = titles[newsroom["paid"].title]
    assert entry.summary == newsroom["paid"].dek
    assert "content" not in entry


def test_excerpt_setting_leaves_out_full_text_of_free_stories(
    client, newsroom, distribution
):
    distribution.full_text_feeds = False
    distribution.save()

    body = client.get("/feed/").content.decode()

    assert "content:encoded" not in body
    assert "The harbour reopened today." not in body


def test_guid_stays_the_same_after_the_story_is_edited(client, newsroom, distribution):
    free = newsroom["free"]
    before = feedparser.parse(client.get("/feed/").content)
    guid = next(e.id for e in before.entries if e.link.endswith(free.url))

    free.title = "Harbour reopens after the great storm"
    free.slug = "harbour-reopens-renamed"
    free.save_revision().publish()

    after = feedparser.parse(client.get("/feed/").content)
    entry = next(e for e in after.entries if e.id == guid)
    assert entry.title == "Harbour reopens after the great storm"


def test_atom_feed_has_id_title_updated_and_self_link_equal_to_the_request(
    client, newsroom, distribution
):
    parsed = feedparser.parse(client.get("/tag/storms/feed/atom/").content)

    assert parsed.version == "atom10"
    assert parsed.feed.id
    assert parsed.feed.title
    assert parsed.feed.updated
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == ["http://testserver/tag/storms/feed/atom/"]
    for entry in parsed.entries:
        assert entry.id and entry.title and entry.updated


def test_json_feed_has_the_required_fields_of_version_1_1(
    client, newsroom, distribution
):
    response = client.get("/author/ada-quill/feed/json/")
    feed = json.loads(response.content)

    assert response["Content-Type"].startswith("application/feed+json")
    assert feed["version"] == JSON_FEED_VERSION
    assert isinstance(feed["title"], str) and feed["title"]
    assert feed["feed_url"] == "http://testserver/author/ada-quill/feed/json/"
    assert feed["home_page_url"] == "http://testserver/author/ada-quill/"
    assert isinstance(feed["items"], list) and feed["items"]
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert "content_html" in item or "content_text" in item
        assert isinstance(item["authors"], list)
        assert "author" not in item
    assert CANARY not in response.content.decode()


def test_section_feed_includes_stories_of_its_sub_sections(
    client, newsroom, distribution
):
    parsed = feedparser.parse(client.get("/section/world/feed/").content)

    titles = {e.title for e in parsed.entries}
    assert newsroom["nested"].title in titles
    assert newsroom["paid"].title not in titles


def test_nested_section_has_its_own_feed_by_its_path(client, newsroom, distribution):
    parsed = feedparser.parse(client.get("/section/world/asia/feed/").content)

    assert [e.title for e in parsed.entries] == [newsroom["nested"].title]


def test_feeds_list_at_most_the_configured_number_of_stories(
    client, newsroom, distribution
):
    distribution.feed_item_count = 2
    distribution.save()

    parsed = feedparser.parse(client.get("/feed/").content)

    assert len(parsed.entries) == 2


@pytest.mark.parametrize("fmt", ["", "atom/", "json/"])
def test_every_feed_response_links_its_hub_and_itself_once(
    client, newsroom, distribution, fmt
):
    distribution.websub_hubs = "https://hub.example.org/\nhttps://hub2.example.org/"
    distribution.save()

    response = client.get(f"/section/world/feed/{fmt}")

    link = response["Link"]
    assert '<https://hub.example.org/>; rel="hub"' in link
    assert '<https://hub2.example.org/>; rel="hub"' in link
    assert link.count('rel="self"') == 1
    assert f'<http://testserver/section/world/feed/{fmt}>; rel="self"' in link
    body = response.content.decode()
    if fmt == "json/":
        hubs = json.loads(body)["hubs"]
        assert {"type": "WebSub", "url": "https://hub.example.org/"} in hubs
    elif fmt == "atom/":
        assert '<link href="https://hub.example.org/" rel="hub"' in body
    else:
        assert '<atom:link href="https://hub.example.org/" rel="hub"' in body


def test_unchanged_feed_answers_304_to_a_conditional_get(
    client, newsroom, distribution
):
    first = client.get("/feed/")
    assert first["ETag"] and first["Last-Modified"]

    by_etag = client.get("/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get("/feed/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_date.status_code == 304


def test_publishing_a_story_refreshes_the_cached_feed(
    client, newsroom, distribution, django_capture_on_commit_callbacks
):
    from herald.newsroom.testing import make_article

    first = client.get("/feed/")

    with django_capture_on_commit_callbacks(execute=True):
        make_article(newsroom["city"], "Late council vote passes")

    second = client.get("/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert "Late council vote passes" in second.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/section/nowhere/feed/",
        "/section/world/nowhere/feed/atom/",
        "/author/nobody/feed/",
        "/tag/no-such-tag/feed/json/",
    ],
)
def test_unknown_section_author_or_tag_feed_is_404(client, newsroom, distribution, url):
    assert client.get(url).status_code == 404


def test_feeds_refuse_post(client, newsroom, distribution):
    assert client.post("/feed/").status_code == 405


BUDGET_URLS = [
    url
    for scope in ["/feed/", "/section/world/", "/author/ada-quill/", "/tag/bulk/"]
    for url in feed_urls(scope).values()
]


def test_a_feed_takes_at_most_six_queries_whatever_the_item_count(
    client, newsroom, distribution, django_assert_max_num_queries
):
    from herald.core import keep
    from herald.newsroom.testing import make_article

    make_article(
        newsroom["world"], "First bulk story", authors=[newsroom["ada"]], tags=["bulk"]
    )
    client.get("/feed/")  # warms the site details, as any earlier request does

    for batch in (1, 20):
        for i in range(batch):
            make_article(
                newsroom["world"],
                f"Bulk story {batch}-{i}",
                authors=[newsroom["ada"], newsroom["bo"]],
                tags=["bulk", f"t{i}"],
            )
        for url in BUDGET_URLS:
            keep.bump()  # what publishing does
            # The site's details are read once per change (core.keep), by
            # whichever request comes first; the budget is the feed's own.
            client.get("/robots.txt")
            with django_assert_max_num_queries(6):
                response = client.get(url)
            assert response.status_code == 200
            assert "Bulk story" in response.content.decode()


# --- Plain text is escaped where a format reads it as HTML --------------------------

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


@pytest.fixture
def hostile(newsroom, distribution, publication):
    """A dek, a tagline, a section intro and an author bio full of markup."""
    from herald.newsroom.testing import make_article, make_author, make_section

    publication.tagline = f"Tagline {HOSTILE}"
    publication.save()
    section = make_section("Wild", intro=f"Intro {HOSTILE}")
    author = make_author("Eve Hostile", short_bio=f"Bio {HOSTILE}")
    article = make_article(
        section,
        "A story with a hostile dek",
        dek=f"Dek {HOSTILE}",
        authors=[author],
        tags=["hostile"],
    )
    return {"section": section, "author": author, "article": article}


HOSTILE_FEEDS = [
    ("/feed/", "Tagline"),
    ("/section/wild/", "Intro"),
    ("/author/eve-hostile/", "Bio"),
    ("/tag/hostile/", None),
]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
@pytest.mark.parametrize(("scope", "channel_word"), HOSTILE_FEEDS)
def test_xml_feeds_escape_plain_text_that_readers_take_as_html(
    client, hostile, scope, channel_word, fmt
):
    from html import unescape

    url = feed_urls(scope)[fmt]
    raw = client.get(url).content.decode()

    parsed = feedparser.parse(raw)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    entry = next(e for e in parsed.entries if e.title == "A story with a hostile dek")
    # Read as HTML, the summary is the dek's text: the markup shows as text.
    assert unescape(entry.summary) == f"Dek {HOSTILE}"
    if channel_word and fmt == "rss":
        assert unescape(parsed.feed.description) == f"{channel_word} {HOSTILE}"
    # Never once-escaped markup, which any HTML reader turns back into tags.
    assert "&lt;script" not in raw
    assert "&lt;img" not in raw
    assert "<script" not in raw


@pytest.mark.parametrize(("scope", "channel_word"), HOSTILE_FEEDS)
def test_json_feed_keeps_plain_text_out_of_html_fields(
    client, hostile, scope, channel_word
):
    document = json.loads(client.get(feed_urls(scope)["json"]).content)

    item = next(
        i for i in document["items"] if i["title"] == "A story with a hostile dek"
    )
    # JSON Feed's summary and content_text are plain text by definition.
    assert item["summary"] == f"Dek {HOSTILE}"
    for other in document["items"]:
        assert HOSTILE not in other.get("content_html", "")
    if channel_word:
        assert document["description"] == f"{channel_word} {HOSTILE}"


# --- Pictures: renditions, never the uploaded original ----------------------------


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_feeds_link_hero_image_renditions_never_the_original(
    client, newsroom, distribution, fmt
):
    image = newsroom["free"].hero_image
    original = image.file.name  # e.g. original_images/test-....png

    raw = client.get(feed_urls("/feed/")[fmt]).content.decode()

    assert original not in raw
    assert "original_images/" not in raw
    rendition_urls = {r.url for r in image.renditions.all()}
    assert rendition_urls, "the feed asked for a rendition of the hero image"
    if fmt == "json":
        item = next(
            i for i in json.loads(raw)["items"] if i["title"] == newsroom["free"].title
        )
        link = item["image"]
    else:
        entry = next(
            e
            for e in feedparser.parse(raw).entries
            if e.title == newsroom["free"].title
        )
        link = next(lk["href"] for lk in entry.links if lk.get("rel") == "enclosure")
        assert int(next(lk for lk in entry.links if lk["href"] == link)["length"]) > 0
    assert link.startswith("http://testserver/media/images/")
    assert link.removeprefix("http://testserver") in rendition_urls


def test_a_feed_of_stories_with_pictures_takes_at_most_six_queries(
    client,
    newsroom,
    distribution,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    from herald.core.models import HeraldRendition
    from herald.newsroom.testing import make_article, make_image

    for i in range(12):
        make_article(
            newsroom["world"],
            f"Pictured story {i}",
            authors=[newsroom["ada"]],
            hero_image=make_image(width=400, height=300),
        )
    for url in feed_urls("/feed/").values():
        client.get(url)  # renditions are made once, on the first rebuild
    for url in feed_urls("/feed/").values():
        # Publishing a story is what makes a feed rebuild.
        with django_capture_on_commit_callbacks(execute=True):
            make_article(newsroom["world"], f"Bulletin for {url}")
        # The site's details are read again once per change, by whichever
        # request comes first (core.keep); the budget is the feed's own.
        client.get("/robots.txt")
        # Wagtail's rendition cache may be cold (a restart, another process).
        for rendition in HeraldRendition.objects.all():
            rendition.purge_from_cache()
        with django_assert_max_num_queries(6):
            response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert f"Bulletin for {url}" in body
        assert body.count("/media/images/") >= 12
