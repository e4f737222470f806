"""Querysets compiled once and run again with other values (``core.prepared``)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from herald.core.prepared import PreparedQuery
from herald.newsroom.models import ArticlePage
from herald.newsroom.routing import _article_at as article_at
from herald.newsroom.testing import make_article, make_image, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories():
    section = make_section(title="Harbour", slug="harbour")
    picture = make_image(title="Quay at dawn")
    first = make_article(section, title="Ferry timetable changes", hero_image=picture)
    second = make_article(section, title="Lock gates repaired")
    return first, second, picture


def test_it_finds_what_the_queryset_finds_with_each_calls_values(stories):
    first, second, picture = stories
    prepared = PreparedQuery(article_at, "slug", "url_path")
    for story in (first, second, first):
        expected = article_at(story.slug, story.url_path).first()
        found = prepared.first(slug=story.slug, url_path=story.url_path)
        assert type(found) is ArticlePage
        assert found.pk == expected.pk
        assert found.title == expected.title
        assert found.first_published_at == expected.first_published_at
        assert found.get_deferred_fields() == expected.get_deferred_fields() == {"body"}
        assert found._state.adding is False and found._state.db == "default"
    assert prepared.first(slug="nowhere", url_path="/nowhere/") is None


def test_select_related_objects_come_with_the_row(stories):
    first, second, picture = stories
    prepared = PreparedQuery(article_at, "slug", "url_path")
    with CaptureQueriesContext(connection) as ctx:
        found = prepared.first(slug=first.slug, url_path=first.url_path)
        assert found.hero_image.pk == picture.pk
        assert found.hero_image.title == "Quay at dawn"
        other = prepared.first(slug=second.slug, url_path=second.url_path)
        assert other.hero_image is None
    # One query per call, counted like any other: nothing hidden from budgets.
    assert len(ctx.captured_queries) == 2


def test_a_value_that_does_not_reach_the_sql_unchanged_is_refused(stories):
    first = stories[0]
    prepared = PreparedQuery(
        lambda title: ArticlePage.objects.filter(title__icontains=title), "title"
    )
    with pytest.raises(ValueError, match="cannot prepare"):
        prepared.first(title=first.title)


def test_a_value_missing_from_the_query_is_refused(stories):
    prepared = PreparedQuery(
        lambda slug, url_path: ArticlePage.objects.filter(slug=slug), "slug", "url_path"
    )
    with pytest.raises(ValueError, match="cannot prepare"):
        prepared.first(slug="x", url_path="/x/")


@pytest.mark.django_db(transaction=True)
def test_each_thread_runs_it_on_its_own_connection():
    section = make_section(title="Harbour", slug="harbour")
    story = make_article(section, title="Ferry timetable changes")
    prepared = PreparedQuery(article_at, "slug", "url_path")
    assert prepared.first(slug=story.slug, url_path=story.url_path).pk == story.pk
    found = []

    def read():
        from django.db import connections

        try:
            found.append(prepared.first(slug=story.slug, url_path=story.url_path).pk)
        finally:
            connections.close_all()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert found == [story.pk]
