"""The reader side: the subscription API, the topics page, /sw.js, the manifest."""

from __future__ import annotations

import base64
import json
import re

import pytest
from django.core.cache import cache
from django.test import Client

from herald.members.models import User
from herald.newsroom.testing import make_article, make_section
from herald.notifications import actions, queries
from herald.notifications.models import BREAKING, PushSubscription, SubscriptionState
from tests.fakes.push_service import PushService

# Tasks run in-process: the PostgreSQL stage has a Redis broker and no worker.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

API = "/notifications/subscriptions"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture
def service():
    # Not started: only its key material and endpoint shapes are used here.
    service = PushService(port=9)
    return service


def _post(client, data, **extra):
    return client.post(
        API, data=json.dumps(data), content_type="application/json", **extra
    )


def test_a_valid_subscription_is_stored_with_breaking_news_by_default(service):
    client = Client()
    response = _post(client, service.subscribe())
    assert response.status_code == 201
    body = response.json()
    assert body["topics"] == [BREAKING]
    sub = PushSubscription.objects.get()
    assert str(sub.pk) == body["id"]
    assert response.cookies[queries.COOKIE]["httponly"]
    assert response["Cache-Control"] == "private, no-store"


def test_subscribing_again_with_the_same_endpoint_updates_it(service):
    raw = service.subscribe()
    client = Client()
    _post(client, raw)
    raw2 = {**raw, "keys": service.subscribe()["keys"]}
    response = _post(client, {**raw2, "topics": []})
    assert response.status_code == 200
    assert PushSubscription.objects.count() == 1
    assert PushSubscription.objects.get().p256dh == raw2["keys"]["p256dh"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "not a url"}, "endpoint"),
        ({"endpoint": "https://evil.example/push/1"}, "endpoint"),
        ({"endpoint": "http://fcm.googleapis.com/fcm/send/x"}, "endpoint"),
        ({"endpoint": "https://10.0.0.1/push"}, "endpoint"),
        ({"keys": {"p256dh": "AAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys.p256dh"),
        (
            {
                "keys": {
                    "p256dh": base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).decode(),
                    "auth": "AAAAAAAAAAAAAAAAAAAAAA",
                }
            },  # noqa: E501
            "keys.p256dh",
        ),
        ({"keys": "nope"}, "keys"),
        ({"topics": ["no-such-topic"]}, "topics"),
    ],
)
def test_a_malformed_subscription_is_refused_and_nothing_is_stored(
    service, change, field
):
    raw = {**service.subscribe(), **change}
    response = _post(Client(), raw)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_subscription"
    assert field in error["fields"]
    assert not PushSubscription.objects.exists()


def test_a_wrong_auth_secret_length_is_refused(service):
    raw = service.subscribe()
    raw["keys"]["auth"] = base64.urlsafe_b64encode(b"x" * 15).decode().rstrip("=")
    response = _post(Client(), raw)
    assert response.status_code == 400
    assert "keys.auth" in response.json()["error"]["fields"]
    assert not PushSubscription.objects.exists()


def test_non_json_and_non_objects_get_a_clear_400():
    assert _post(Client(), [1, 2]).json()["error"]["code"] == "invalid"
    response = Client().post(API, data=b"{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_authors_with_a_live_byline_are_topics_others_are_refused(service):
    from herald.newsroom.testing import make_author

    section = make_section("Harbour")
    writer, silent = make_author("Ada Quill"), make_author("Nobody Yet")
    make_article(section, "Tides", authors=[writer])
    make_article(section, "Draft", authors=[silent], publish=False)

    page = Client().get("/notifications/").content.decode()
    assert "Stories by Ada Quill" in page
    assert "Nobody Yet" not in page
    chosen = queries.author_topic(writer.pk)
    response = _post(Client(), {**service.subscribe(), "topics": [chosen]})
    assert response.status_code == 201
    assert response.json()["topics"] == [chosen]
    refused = {**service.subscribe(), "topics": [queries.author_topic(silent.pk)]}
    assert _post(Client(), refused).status_code == 400
    assert PushSubscription.objects.count() == 1


def test_an_authors_page_offers_their_topic_ticked_on_the_topics_page(service):
    from herald.newsroom.testing import make_author

    writer = make_author("Ada Quill")
    make_article(make_section("Harbour"), "Tides", authors=[writer])
    topic = queries.author_topic(writer.pk)

    author_page = Client().get(writer.get_absolute_url()).content.decode()
    link = f"/notifications/?topic={topic}"
    assert f'href="{link}"' in author_page
    page = Client().get(link).content.decode()
    assert re.search(rf'value="{topic}"[^>]* checked', page)
    assert not re.search(rf'value="{BREAKING}"[^>]* checked', page)
    # a junk topic ticks breaking news, as a plain visit does
    page = Client().get("/notifications/?topic=author-999999").content.decode()
    assert re.search(rf'value="{BREAKING}"[^>]* checked', page)
    # a subscriber sees it ticked beside what they have, to save
    client = Client()
    _post(client, service.subscribe())
    form = client.get(link).content.decode()
    assert re.search(rf'value="{topic}"[^>]*checked', form)
    assert re.search(rf'value="{BREAKING}"[^>]*checked', form)


def test_a_plain_http_endpoint_is_refused_outside_the_test_hosts(service, settings):
    settings.HERALD_PUSH_INSECURE_HOSTS = []
    response = _post(Client(), service.subscribe())  # http://127.0.0.1:9/...
    assert response.status_code == 400
    assert "https" in response.json()["error"]["fields"]["endpoint"]


def test_a_flood_of_subscriptions_from_one_address_gets_429(service, settings):
    settings.HERALD_PUSH_RATE = "5/h"
    client = Client()
    statuses = [_post(client, service.subscribe()).status_code for _ in range(7)]
    assert statuses[:5] == [201] * 5
    assert statuses[5:] == [429, 429]
    assert PushSubscription.objects.count() == 5
    refused = _post(client, service.subscribe())
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0


def test_the_api_needs_a_csrf_token(service):
    client = Client(enforce_csrf_checks=True)
    assert _post(client, service.subscribe()).status_code == 403
    key = client.get("/notifications/key").json()
    assert key["publicKey"]
    response = _post(client, service.subscribe(), HTTP_X_CSRFTOKEN=key["csrfToken"])
    assert response.status_code == 201


def test_the_holder_changes_topics_and_stops_others_cannot(service):
    section = make_section("Sport")
    client = Client()
    sub_id = _post(client, service.subscribe()).json()["id"]
    url = f"{API}/{sub_id}"
    topic = queries.section_topic(section.pk)

    # someone without the signed id cannot read, change or remove it
    stranger = Client()
    assert stranger.get(url).status_code == 404
    assert stranger.delete(url).status_code == 404

    response = client.put(url, json.dumps({"topics": [topic]}), "application/json")
    assert response.status_code == 200
    assert response.json()["topics"] == [topic]
    bad = client.put(url, json.dumps({"topics": ["x"]}), "application/json")
    assert bad.status_code == 400
    assert client.delete(url).status_code == 204
    assert PushSubscription.objects.get().state == SubscriptionState.REMOVED


def test_a_members_topics_follow_them_to_a_new_browser(service):
    section = make_section("Arts")
    member = User.objects.create_user(email="reader@example.org", password=None)
    phone, laptop = Client(), Client()
    phone.force_login(member)
    laptop.force_login(member)
    topic = queries.section_topic(section.pk)
    first = _post(phone, {**service.subscribe(), "topics": [topic]}).json()
    second = _post(laptop, service.subscribe()).json()
    assert second["topics"] == [topic]
    # a change on one browser is a change on all of the member's browsers
    phone.put(
        f"{API}/{first['id']}",
        json.dumps({"topics": [BREAKING, topic]}),
        "application/json",
    )
    assert sorted(laptop.get(f"{API}/{second['id']}").json()["topics"]) == sorted(
        [BREAKING, topic]
    )


def test_the_topics_page_works_without_javascript(
    service, django_assert_max_num_queries
):
    section = make_section("Science")
    client = Client()
    anonymous_page = client.get("/notifications/")
    assert anonymous_page.status_code == 200
    assert b"data-push-button" in anonymous_page.content
    _post(client, service.subscribe())
    with django_assert_max_num_queries(25):
        page = client.get("/notifications/")
    html = page.content.decode()
    assert "Stop all notifications" in html
    assert page["Cache-Control"] == "private, no-store"
    response = client.post(
        "/notifications/", {"topics": [queries.section_topic(section.pk)], "save": "1"}
    )
    assert response.status_code == 302
    sub = PushSubscription.objects.get()
    assert queries.topics_of(sub) == {queries.section_topic(section.pk)}
    client.post("/notifications/", {"stop": "1"})
    sub.refresh_from_db()
    assert sub.state == SubscriptionState.REMOVED


def test_a_forged_cookie_shows_no_subscription(service):
    client = Client()
    _post(client, service.subscribe())
    sub = PushSubscription.objects.get()
    forged = Client()
    forged.cookies[queries.COOKIE] = str(sub.pk)  # the id without the signature
    assert b"Stop all notifications" not in forged.get("/notifications/").content
    forged.post("/notifications/", {"stop": "1"})
    sub.refresh_from_db()
    assert sub.state == SubscriptionState.ACTIVE


def test_the_service_worker_is_served_at_the_root_with_its_scope():
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    js = response.content.decode()
    assert re.search(
        r"addEventListener\(\"push\".*?event\.waitUntil\(self\.registration\.showNotification\(",
        js,
        re.S,
    )
    assert re.search(r"notificationclick.*?openWindow\(url", js, re.S)
    # never a permission prompt in the worker, never a subscribe outside a handler
    assert "requestPermission" not in js


def test_no_template_asks_for_permission_outside_a_click():
    from pathlib import Path

    from django.conf import settings

    js = (Path(settings.BASE_DIR) / "herald/static/js/push.js").read_text()
    # requestPermission is called only in subscribe(), which only a click calls
    assert js.count("Notification.requestPermission(") == 1
    assert js.count("pushManager.subscribe(") == 1
    body = js.split("function subscribe(button)")[1].split("\n  function ")[0]
    assert "Notification.requestPermission(" in body
    assert "pushManager.subscribe(" in body
    calls = re.findall(r".*[^n] subscribe\(button\);.*", js)
    assert calls and all('addEventListener("click"' in line for line in calls)
    for template in (Path(settings.BASE_DIR) / "herald").rglob("*.html"):
        text = template.read_text()
        assert "requestPermission" not in text and "pushManager" not in text, template


def test_the_manifest_names_the_publication_and_its_icons(
    django_assert_max_num_queries,
):
    from herald.newsroom.testing import set_publication

    set_publication(name="The Harbour Herald")
    with django_assert_max_num_queries(6):
        response = Client().get("/manifest.json")
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "The Harbour Herald"
    assert data["display"] == "standalone"
    assert data["start_url"].startswith("/")
    assert {icon["sizes"] for icon in data["icons"]} >= {"192x192", "512x512"}
    assert Client().get("/manifest.webmanifest").status_code == 200


def test_the_manifest_icons_come_from_the_logo():
    from herald.newsroom.testing import make_image, set_publication

    set_publication(logo=make_image(width=600, height=600))
    data = json.loads(Client().get("/manifest.json").content)
    assert all("/media/" in icon["src"] for icon in data["icons"])


def test_pages_link_the_manifest_and_load_the_push_script_with_a_nonce():
    section = make_section("Home news")
    article = make_article(section, "Tram line opens")
    html = Client().get(article.url).content.decode()
    assert '<link rel="manifest" href="/manifest.json">' in html
    script = re.search(r'<script src="[^"]*push\.js" nonce="([^"]+)"', html)
    assert script
    assert "Get notifications" in html


def test_the_offline_list_has_free_stories_only(django_assert_max_num_queries):
    from herald.members.models import AccessLevel

    section = make_section("Local")
    free = make_article(section, "Free story")
    make_article(section, "Paid story", access_level=AccessLevel.PAID)
    with django_assert_max_num_queries(10):
        data = Client().get("/notifications/offline.json").json()
    assert [s["title"] for s in data["stories"]] == ["Free story"]
    assert data["stories"][0]["url"] == free.url
    assert "public" in Client().get("/notifications/offline/")["Cache-Control"]


def test_a_click_is_counted_and_junk_is_refused():
    section = make_section("Clicks")
    notification = actions.prepare_push(make_article(section, "A"), topic=BREAKING)
    client = Client(enforce_csrf_checks=True)
    ok = client.post(
        "/notifications/clicks",
        json.dumps({"id": str(notification.pk)}),
        "application/json",
    )
    assert ok.status_code == 204
    notification.refresh_from_db()
    assert notification.clicks == 1
    junk = client.post(
        "/notifications/clicks", json.dumps({"id": "x"}), "application/json"
    )
    assert junk.status_code == 404
