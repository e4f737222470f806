"""The benchmark corpus loader (manage.py load_corpus)."""

from __future__ import annotations

import importlib.util
import json
from datetime import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page

from herald.newsroom import queries
from herald.newsroom.models import ArticlePage, Author, SectionPage
from herald.newsroom.rendering import text_of
from herald.newsroom.testing import make_article, make_section

CONTENT_SCRIPT = Path(__file__).resolve().parents[3].parent / "shared/bench/content.py"


def generate_corpus(count: int) -> dict:
    """The shared generator's corpus (or the same format built here without it)."""
    if CONTENT_SCRIPT.exists():
        spec = importlib.util.spec_from_file_location("bench_content", CONTENT_SCRIPT)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.generate(count, 20261125)
    sections = [{"slug": s, "name": s.title()} for s in ("world", "science", "sport")]
    authors = [
        {"slug": f"writer-{i}", "name": f"Writer {i}", "email": "", "bio": "Writes."}
        for i in range(4)
    ]
    articles = [
        {
            "id": i + 1,
            "slug": f"story-number-{i + 1:04d}",
            "headline": f"Story number {i + 1} about the harbour",
            "excerpt": f"The opening of story {i + 1}.",
            "section": sections[i % 3]["slug"],
            "author": authors[i % 4]["slug"],
            "published_at": f"2026-0{1 + i % 9}-1{i % 10}T08:30:00Z",
            "paragraphs": [f"Paragraph {n} of story {i + 1}." for n in range(9)],
            "word_count": 45,
        }
        for i in range(count)
    ]
    return {"sections": sections, "authors": authors, "articles": articles}


@pytest.fixture
def corpus(tmp_path):
    data = generate_corpus(30)
    path = tmp_path / "content.json"
    path.write_text(json.dumps(data))
    return data, path


def parsed(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.mark.django_db
def test_load_corpus_keeps_slugs_sections_authors_dates_and_text(corpus):
    data, path = corpus

    call_command("load_corpus", str(path))

    assert ArticlePage.objects.count() == 30
    assert set(Author.objects.values_list("slug", flat=True)) == {
        a["slug"] for a in data["authors"]
    }
    sections = {s.slug: s for s in SectionPage.objects.all()}
    assert set(sections) == {s["slug"] for s in data["sections"]}
    for record in data["articles"]:
        article = ArticlePage.objects.get(slug=record["slug"])
        assert article.live
        assert article.title == record["headline"]
        assert article.dek == record["excerpt"]
        assert article.get_parent().slug == record["section"]
        assert [aa.author.slug for aa in article.article_authors.all()] == [
            record["author"]
        ]
        assert article.first_published_at == parsed(record["published_at"])
        assert article.last_published_at == parsed(record["published_at"])
        blocks = list(article.body)
        assert [b.block_type for b in blocks] == ["paragraph"] * len(
            record["paragraphs"]
        )
        assert text_of(blocks) == " ".join(record["paragraphs"])


@pytest.mark.django_db
def test_loaded_page_tree_is_consistent_for_wagtail(corpus):
    _data, path = corpus

    call_command("load_corpus", str(path))

    assert all(not problems for problems in Page.find_problems())
    for section in SectionPage.objects.all():
        assert section.numchild == section.get_children().count()
    # An editor can still add and publish a story next to the loaded ones.
    world = SectionPage.objects.first()
    added = make_article(world, "Added in the admin afterwards")
    assert added.get_parent().pk == world.pk
    assert all(not problems for problems in Page.find_problems())


@pytest.mark.django_db
def test_each_loaded_article_renders_at_its_section_and_slug(client, corpus):
    data, path = corpus
    call_command("load_corpus", str(path))

    for record in data["articles"]:
        response = client.get(f"/{record['section']}/{record['slug']}/")
        assert response.status_code == 200, record["slug"]
        html = response.content.decode()
        assert record["headline"] in html
        assert record["paragraphs"][0] in html


@pytest.mark.django_db
def test_loaded_articles_are_newest_first_in_listings_and_searchable(corpus):
    data, path = corpus
    call_command("load_corpus", str(path))

    newest = max(data["articles"], key=lambda a: a["published_at"])
    assert queries.live_articles().first().slug == newest["slug"]
    headline_word = newest["headline"].split()[1]
    results = [a.slug for a in queries.search_articles(headline_word)]
    assert newest["slug"] in results


@pytest.mark.django_db
def test_loading_again_skips_existing_slugs(corpus):
    _data, path = corpus
    call_command("load_corpus", str(path))
    ids = set(ArticlePage.objects.values_list("id", flat=True))

    call_command("load_corpus", str(path))

    assert set(ArticlePage.objects.values_list("id", flat=True)) == ids
    assert SectionPage.objects.count() == len(_data["sections"])
    assert Author.objects.count() == len(_data["authors"])


@pytest.mark.django_db
def test_load_goes_into_existing_sections_next_to_existing_articles(corpus):
    data, path = corpus
    section_slug = data["sections"][0]["slug"]
    world = make_section("Existing", slug=section_slug)
    existing = make_article(world, "Already published here")

    call_command("load_corpus", str(path))

    assert SectionPage.objects.filter(slug=section_slug).count() == 1
    in_section = [a for a in data["articles"] if a["section"] == section_slug]
    world.refresh_from_db()
    assert world.numchild == len(in_section) + 1
    assert ArticlePage.objects.get(pk=existing.pk).get_parent().pk == world.pk
    assert all(not problems for problems in Page.find_problems())


@pytest.mark.django_db
def test_a_corpus_with_a_bad_record_loads_nothing(tmp_path, corpus):
    data, _path = corpus
    data["articles"][7]["section"] = "no-such-section"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))

    with pytest.raises(CommandError, match=r"articles\[7\].*no-such-section"):
        call_command("load_corpus", str(path))

    assert ArticlePage.objects.count() == 0
    assert Author.objects.count() == 0


@pytest.mark.django_db
def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")

    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load_corpus", str(path))
    assert ArticlePage.objects.count() == 0
