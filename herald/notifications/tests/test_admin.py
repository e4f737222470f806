"""The newsroom's push screens: reach, editing the words, one push per topic."""

from __future__ import annotations

import pytest
from django.test import Client

from herald.newsroom.testing import (
    CONTRIBUTORS,
    EDITORS,
    make_article,
    make_section,
    make_staff,
)
from herald.notifications import actions, queries, vapid
from herald.notifications.forms import clean_subscription
from herald.notifications.models import BREAKING, Notification, NotificationState

# Tasks run in-process: the PostgreSQL stage has a Redis broker and no worker.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(make_staff(EDITORS))
    return client


def _subscribers(service, topic, n):
    for _ in range(n):
        raw = service.subscribe(server_key=vapid.public_key())
        actions.subscribe(
            clean_subscription(
                {**raw, "topics": [topic]}, allowed_topics=queries.topic_keys()
            )
        )


def test_an_editor_sees_the_reach_edits_the_words_and_sends(
    editor_client, push_service, django_capture_on_commit_callbacks
):
    section = make_section("Transport")
    topic = queries.section_topic(section.pk)
    _subscribers(push_service, topic, 2)
    article = make_article(section, "Night buses return", dek="From Monday.")
    url = f"/admin/notifications/article/{article.pk}/"

    page = editor_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Transport (2 subscribers)" in html
    assert 'value="Night buses return"' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            url, {"topic": topic, "title": "Night buses are back", "body": "Monday."}
        )
    assert response.status_code == 302
    titles = {m["payload"]["title"] for m in push_service.messages()}
    assert titles == {"Night buses are back"}

    # a second push to the same topic needs the resend box
    again = editor_client.post(url, {"topic": topic, "title": "Again", "body": ""})
    assert again.status_code == 400
    assert "pushed to that topic already" in again.content.decode()
    assert len(push_service.messages()) == 2


def test_the_report_lists_every_push_with_its_counts(
    editor_client,
    push_service,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    section = make_section("Weather")
    _subscribers(push_service, BREAKING, 3)
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            actions.push_article(
                make_article(section, f"Storm update {n}"), topic=BREAKING
            )
    with django_assert_max_num_queries(30):
        page = editor_client.get("/admin/notifications/")
    html = page.content.decode()
    assert html.count("Storm update") == 3
    assert "<td>3</td><td>3</td><td>0</td>" in html


def test_an_offered_breaking_push_can_be_checked_sent_or_dropped(
    editor_client, push_service, django_capture_on_commit_callbacks
):
    section = make_section("Breaking desk")
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(section, "Explosion at plant", is_breaking=True)
    offered = Notification.objects.get(article=article)
    assert offered.state == NotificationState.OFFERED
    assert (
        "Check and send" in editor_client.get("/admin/notifications/").content.decode()
    )
    editor_client.post(f"/admin/notifications/{offered.pk}/cancel/")
    offered.refresh_from_db()
    assert offered.state == NotificationState.CANCELLED


def test_a_contributor_cannot_push(push_service):
    section = make_section("Opinion")
    article = make_article(section, "A view")
    client = Client()
    client.force_login(make_staff(CONTRIBUTORS))
    url = f"/admin/notifications/article/{article.pk}/"
    assert client.get(url).status_code in (302, 403)
    response = client.post(url, {"topic": BREAKING, "title": "x", "body": ""})
    assert response.status_code in (302, 403)
    assert not Notification.objects.exists()


def test_the_article_header_offers_the_push_button(editor_client):
    section = make_section("Health")
    article = make_article(section, "Clinic opens")
    html = editor_client.get(f"/admin/pages/{article.pk}/edit/").content.decode()
    assert f"/admin/notifications/article/{article.pk}/" in html
