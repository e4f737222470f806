"""The per-process cache: kept until the shared generation moves."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from wagtail.models import Site

from herald.core import keep
from herald.core.keep import changes as generation_module
from herald.newsroom.testing import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


def build_counter():
    calls = []

    def build():
        calls.append(1)
        return f"value {len(calls)}"

    return build, calls


def test_an_entry_is_built_once_and_kept():
    build, calls = build_counter()
    assert keep.get_or_build("k", build) == "value 1"
    assert keep.get_or_build("k", build) == "value 1"
    assert len(calls) == 1


def test_a_bump_drops_every_entry():
    build, calls = build_counter()
    keep.get_or_build("k", build)
    keep.bump()
    assert keep.get_or_build("k", build) == "value 2"


def test_saving_a_watched_model_moves_the_generation():
    before = keep.generation()
    site = Site.objects.get(is_default_site=True)
    site.site_name = "Renamed"
    site.save()
    assert keep.generation() != before
    before = keep.generation()
    make_author("Nora Penn")  # an app's model added with keep.watch()
    assert keep.generation() != before


def test_the_generation_moves_again_after_commit(django_capture_on_commit_callbacks):
    """An entry built from old rows between the save and the commit is dropped."""
    with django_capture_on_commit_callbacks(execute=True):
        keep.bump()
        keep.get_or_build("k", lambda: "built before the commit")
    assert keep.get_or_build("k", lambda: "after") == "after"


def test_a_flushed_shared_cache_never_revives_older_entries():
    keep.get_or_build("k", lambda: "old")
    old = keep.generation()
    cache.clear()  # Redis flushed or restarted
    assert keep.generation() != old
    assert keep.get_or_build("k", lambda: "new") == "new"


def test_unknown_answers_can_be_left_out():
    build_none = build_counter()[1]

    def build():
        build_none.append(1)

    keep.get_or_build("miss", build, keep_none=False)
    keep.get_or_build("miss", build, keep_none=False)
    assert len(build_none) == 2
    keep.get_or_build("known-miss", build)
    keep.get_or_build("known-miss", build)
    assert len(build_none) == 3


def test_long_keys_are_hashed():
    key = "route:/" + "x" * 5000
    assert keep.get_or_build(key, lambda: "long") == "long"
    assert keep.get_or_build(key, lambda: "other") == "long"


def test_a_bump_inside_a_request_is_seen_by_that_request():
    """A request reads the generation once, but its own bump clears that copy."""
    seen = []

    def view_like() -> None:
        seen.append(keep.generation())
        keep.bump()
        seen.append(keep.generation())

    token = generation_module._request_generation.set([None])
    try:
        view_like()
    finally:
        generation_module._request_generation.reset(token)
    assert seen[0] != seen[1]


def test_a_published_change_reaches_the_next_reader(client):
    section = make_section("World")
    article = make_article(section, "First headline")
    assert "First headline" in client.get(article.url).content.decode()
    article.title = "Second headline"
    article.save_revision().publish()
    assert "Second headline" in client.get(article.url).content.decode()


def test_a_renamed_author_reaches_a_cached_byline(client):
    section = make_section("World")
    author = make_author("Ada Quill")
    article = make_article(section, "A story", authors=[author])
    assert "Ada Quill" in client.get(article.url).content.decode()
    author.name = "Ada Quill-Moreno"
    author.save()
    assert "Ada Quill-Moreno" in client.get(article.url).content.decode()


def test_an_unpublished_article_is_gone_at_once(client):
    section = make_section("World")
    article = make_article(section, "Soon withdrawn")
    assert client.get(article.url).status_code == 200
    article.unpublish()
    assert client.get(article.url).status_code == 404


def in_request(fn):
    token = generation_module._request_generation.set([None])
    try:
        return fn()
    finally:
        generation_module._request_generation.reset(token)


def test_a_process_reuses_the_generation_for_a_moment(settings):
    settings.HERALD_LOCAL_GENERATION_TTL = 60
    first = in_request(keep.generation)
    cache.incr(keep.GENERATION_KEY)  # another process's change
    assert in_request(keep.generation) == first  # not asked again yet
    keep.bump()  # a change made here is seen at once
    assert in_request(keep.generation) not in (first, first + 1)


def test_without_reuse_every_request_reads_the_generation(settings):
    settings.HERALD_LOCAL_GENERATION_TTL = 0
    first = in_request(keep.generation)
    cache.incr(keep.GENERATION_KEY)
    assert in_request(keep.generation) == first + 1
