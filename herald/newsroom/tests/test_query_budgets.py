"""Query budgets of the reader pages, whatever the number of items on them.

Budgets (issue 3): article ≤ 12 queries, home ≤ 15, section/author/tag ≤ 10.

Each page is measured twice: cold, with none of its own cached parts (rendered
body, reading time, rendition lookups) after the cache was emptied, and warm.
Site-wide lookups that every page shares and caches (site, settings, navigation,
breaking news, view restrictions) are refilled by visiting another page first:
their one-off cost after a restart is the same whatever page comes first.
Renditions are made once beforehand, as the first visitor after an upload does;
they are rows that stay.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from herald.newsroom.testing import (
    make_article,
    make_author,
    make_image,
    make_section,
)

pytestmark = pytest.mark.django_db

ARTICLE_BUDGET = 12
HOME_BUDGET = 15
LISTING_BUDGET = 10


@pytest.fixture
def newsroom():
    """Six sections (one nested), five authors with photos, 30 articles."""
    world = make_section("World")
    sections = [
        world,
        make_section("Asia", parent=world),
        make_section("Politics"),
        make_section("Business"),
        make_section("Science"),
        make_section("Sport"),
    ]
    authors = [
        make_author(f"Writer {i}", photo=make_image(width=200, height=200))
        for i in range(5)
    ]
    images = [make_image(width=800, height=450) for _ in range(6)]
    now = timezone.now()
    articles = []
    for i in range(30):
        body = [
            {"type": "paragraph", "value": f"<p>Paragraph one of {i}.</p>"},
            {"type": "paragraph", "value": "<p>Paragraph two.</p>"},
            {
                "type": "image",
                "value": {
                    "image": images[(i + 1) % 6].pk,
                    "caption": "Inline",
                    "credit": "",
                    "alt_text": "",
                },
            },
            {"type": "paragraph", "value": "<p>Paragraph three.</p>"},
            {"type": "paragraph", "value": "<p>Paragraph four.</p>"},
        ]
        articles.append(
            make_article(
                sections[i % len(sections)],
                f"Story {i}",
                dek="A dek.",
                body=json.dumps(body),
                authors=[authors[i % 5], authors[(i + 2) % 5]],
                tags=["coast", f"topic-{i % 4}"],
                hero_image=images[i % 6],
                access_level="paid" if i % 7 == 3 else "public",
                published_at=now - timedelta(hours=i),
                corrections=["Fixed a name."] if i % 9 == 0 else None,
                is_breaking=i == 0,
            )
        )
    return {"sections": sections, "authors": authors, "articles": articles}


def assert_budget(client, url, budget, warm_up, django_assert_max_num_queries):
    # First visit makes any missing renditions (stored for good).
    assert client.get(url).status_code == 200
    cache.clear()
    assert client.get(warm_up).status_code == 200  # refills the site-wide caches
    with django_assert_max_num_queries(budget, info=f"{url} (cold)"):
        cold = client.get(url)
    assert cold.status_code == 200
    with django_assert_max_num_queries(budget, info=f"{url} (warm)"):
        warm = client.get(url)
    assert warm.status_code == 200
    return cold


def test_reader_pages_stay_within_their_query_budgets(
    client,
    newsroom,
    settings,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    # Built once for all pages: building 30 articles is the slow part.
    settings.HERALD_PAGE_SIZE = 4
    articles, authors = newsroom["articles"], newsroom["authors"]
    free, gated, corrected = articles[1], articles[3], articles[0]
    for article in (free, gated, corrected):
        response = assert_budget(
            client,
            article.url,
            ARTICLE_BUDGET,
            articles[5].url,
            django_assert_max_num_queries,
        )
        assert article.title.encode() in response.content
    # Once seen, an article is served from this process's copies of its
    # reader-neutral parts (core.keep): no query at all, gated or not.
    for article in (free, gated, corrected):
        assert client.get(article.url).status_code == 200
        with django_assert_num_queries(0, info=f"{article.url} (warm again)"):
            again = client.get(article.url)
        assert again.status_code == 200 and article.title.encode() in again.content
    response = assert_budget(
        client, "/", HOME_BUDGET, "/politics/", django_assert_max_num_queries
    )
    assert articles[0].title.encode() in response.content
    listings = [
        ("/world/", "/politics/"),
        ("/world/asia/", "/politics/"),
        ("/sport/?page=2", "/politics/"),
        (authors[0].get_absolute_url(), authors[1].get_absolute_url()),
        ("/tag/coast/", "/tag/topic-1/"),
        ("/tag/coast/?page=3", "/tag/topic-1/"),
    ]
    for url, warm_up in listings:
        assert_budget(
            client, url, LISTING_BUDGET, warm_up, django_assert_max_num_queries
        )
