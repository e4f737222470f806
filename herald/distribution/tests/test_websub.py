"""WebSub: a publish or update pings the hubs for every feed the story is in."""

from __future__ import annotations

import socket

import pytest

from herald.distribution.models import HubPing, HubPingState
from herald.distribution.tasks import MAX_RETRIES

from .conftest import Hub


def expected_topics(*scopes: str) -> set[str]:
    topics = set()
    for scope in scopes:
        base = scope if scope == "/feed/" else f"{scope}feed/"
        topics |= {
            f"http://testserver{base}",
            f"http://testserver{base}atom/",
            f"http://testserver{base}json/",
        }
    return topics


@pytest.fixture
def with_hub(distribution, hub, eager_celery):
    distribution.websub_hubs = hub.url
    distribution.save()
    return hub


def test_publishing_pings_the_hub_once_for_each_affected_feed(
    newsroom, with_hub, django_capture_on_commit_callbacks
):
    from herald.newsroom.testing import make_article

    with django_capture_on_commit_callbacks(execute=True):
        make_article(
            newsroom["asia"],
            "Monsoon arrives",
            authors=[newsroom["ada"], newsroom["bo"]],
            tags=["weather"],
        )

    topics = with_hub.topics()
    assert sorted(topics) == sorted(set(topics)), "one POST per feed"
    assert set(topics) == expected_topics(
        "/feed/",
        "/section/world/",
        "/section/world/asia/",
        "/author/ada-quill/",
        "/author/bo-ink/",
        "/tag/weather/",
    )
    assert all(p["hub.mode"] == ["publish"] for p in with_hub.pings)
    assert HubPing.objects.filter(state=HubPingState.DELIVERED).count() == len(topics)


def test_updating_a_live_story_pings_again(
    newsroom, with_hub, django_capture_on_commit_callbacks
):
    article = newsroom["nested"]

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Typhoon season starts very early"
        article.save_revision().publish()

    assert "http://testserver/section/world/asia/feed/" in with_hub.topics()
    assert "http://testserver/tag/storms/feed/json/" in with_hub.topics()


def test_pings_wait_for_the_publishing_transaction_to_commit(
    newsroom, with_hub, django_capture_on_commit_callbacks
):
    from herald.newsroom.testing import make_article

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_article(newsroom["city"], "Not yet committed")

    assert with_hub.pings == []
    assert callbacks


def test_unreachable_hub_is_retried_and_publishing_still_succeeds(
    newsroom, distribution, eager_celery, django_capture_on_commit_callbacks
):
    from herald.newsroom.models import ArticlePage
    from herald.newsroom.testing import make_article

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens on this port any more
    distribution.websub_hubs = f"http://127.0.0.1:{port}/hub"
    distribution.save()

    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(newsroom["city"], "Published while the hub is down")

    assert ArticlePage.objects.get(pk=article.pk).live
    pings = HubPing.objects.filter(article_id=article.pk)
    assert pings.exists()
    for ping in pings:
        assert ping.state == HubPingState.FAILED
        assert ping.attempts == MAX_RETRIES + 1
        assert ping.last_error


def test_hub_answering_an_error_is_retried_until_it_accepts(
    newsroom, distribution, eager_celery, django_capture_on_commit_callbacks
):
    from herald.newsroom.testing import make_article

    flaky = Hub(failures=2)
    try:
        distribution.websub_hubs = flaky.url
        distribution.save()

        with django_capture_on_commit_callbacks(execute=True):
            article = make_article(newsroom["city"], "Hub recovers")

        pings = list(HubPing.objects.filter(article_id=article.pk))
        assert pings
        assert all(p.state == HubPingState.DELIVERED for p in pings)
        assert sum(p.attempts for p in pings) == len(pings) + 2
        assert sorted(flaky.topics()) == sorted(p.topic_url for p in pings)
    finally:
        flaky.close()


def test_delivering_a_ping_twice_posts_once(newsroom, with_hub):
    from herald.distribution.tasks import deliver_hub_ping

    ping = HubPing.objects.create(
        hub_url=with_hub.url, topic_url="http://testserver/feed/"
    )

    deliver_hub_ping.apply(args=[ping.pk])
    deliver_hub_ping.apply(args=[ping.pk])

    assert with_hub.topics() == ["http://testserver/feed/"]
    ping.refresh_from_db()
    assert ping.state == HubPingState.DELIVERED


def test_no_hub_configured_sends_nothing(
    newsroom, distribution, hub, eager_celery, django_capture_on_commit_callbacks
):
    from herald.newsroom.testing import make_article

    with django_capture_on_commit_callbacks(execute=True):
        make_article(newsroom["city"], "Quiet story")

    assert hub.pings == []
    assert not HubPing.objects.exists()


@pytest.mark.django_db
def test_a_new_site_pings_the_hubs_the_settings_name(settings):
    from wagtail.models import Site

    from herald.distribution.models import DistributionSettings

    site = Site.objects.get(is_default_site=True)
    DistributionSettings.objects.filter(site=site).delete()
    settings.HERALD_WEBSUB_DEFAULT_HUBS = "https://hub.example.org/"
    assert DistributionSettings.for_site(site).hub_urls() == [
        "https://hub.example.org/"
    ]


@pytest.mark.django_db
def test_tests_and_laptops_ping_no_public_hub_by_default():
    from wagtail.models import Site

    from herald.distribution.models import DistributionSettings

    site = Site.objects.get(is_default_site=True)
    DistributionSettings.objects.filter(site=site).delete()
    assert DistributionSettings.for_site(site).hub_urls() == []
