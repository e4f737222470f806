"""Push and offline reading in Chromium: the button, the service worker, the API.

Headless Chromium cannot get a real push subscription here: its push service
(Google's FCM) is not reachable from the test machine. The test feeds it a
generated subscription instead: ``PushManager.prototype.subscribe`` is replaced
(before any page script runs) by one that returns a subscription whose endpoint
and keys were made by the local push service (tests/fakes/push_service.py).
Everything else is Chromium's own: the click, the permission, the service
worker registration at "/", the POST to Herald, and then a real push from
Herald that the local push service decrypts with that subscription's key.
"""

from __future__ import annotations

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from herald.newsroom.testing import make_article, make_section
from herald.notifications.models import BREAKING, PushSubscription
from tests.fakes.push_service import PushService

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}

FAKE_SUBSCRIBE = """
(() => {
  const raw = %s;
  const fake = {
    endpoint: raw.endpoint,
    expirationTime: null,
    options: {userVisibleOnly: true},
    toJSON() { return raw; },
    unsubscribe() { return Promise.resolve(true); },
    getKey() { return null; },
  };
  window.__subscribeCalls = 0;
  PushManager.prototype.subscribe = function (options) {
    window.__subscribeCalls += 1;
    window.__applicationServerKey = options && options.applicationServerKey
      ? options.applicationServerKey.byteLength : 0;
    return Promise.resolve(fake);
  };
})();
"""


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


@pytest.fixture
def story(live_server, settings):
    settings.BASE_URL = live_server.url
    settings.HERALD_PUSH_CONTACT = "mailto:desk@herald.example"
    section = make_section("Coast")
    return make_article(section, "Ferries run again", dek="After the storm.")


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
    ]


def test_the_button_registers_the_worker_and_the_subscription_reaches_herald(
    page, story, push_service, django_capture_on_commit_callbacks
):
    # A generated subscription (see the module docstring): FCM is out of reach.
    raw = push_service.subscribe()
    page.context.add_init_script(FAKE_SUBSCRIBE % json.dumps(raw))
    page.context.grant_permissions(["notifications"])
    prompts = []
    page.on("dialog", lambda d: prompts.append(d.message))

    page.goto(story.url)
    # no prompt on page load, and nothing subscribed before the click
    assert page.evaluate("Notification.permission") in ("granted", "default")
    assert page.evaluate("window.__subscribeCalls") == 0
    button = page.get_by_role("button", name="Get notifications")
    button.wait_for()
    page.wait_for_function(
        "navigator.serviceWorker.getRegistration('/').then(r => !!r)"
    )
    scope = page.evaluate(
        "navigator.serviceWorker.getRegistration('/').then(r => r.scope)"
    )
    assert scope == page.url.split(story.url)[0] + "/"

    button.click()
    page.wait_for_url(re.compile(r"/notifications/\?subscribed=1$"))
    assert page.evaluate("window.__subscribeCalls") == 0  # a new page: reset
    sub = PushSubscription.objects.get()
    assert sub.endpoint == raw["endpoint"]
    assert {t.topic for t in sub.topics.all()} == {BREAKING}
    assert page.get_by_role("button", name="Stop all notifications").is_visible()
    assert prompts == []

    # the push this subscription now gets is one the push service can decrypt
    push_service.subscriber_for(raw["endpoint"]).server_key = None
    from herald.notifications import actions

    with django_capture_on_commit_callbacks(execute=True):
        actions.push_article(story, topic=BREAKING)
    (message,) = push_service.inbox(raw["endpoint"])
    assert message["payload"]["title"] == "Ferries run again"

    # the topics page passes axe
    assert axe_violations(page) == []


def test_the_service_worker_keeps_public_pages_for_offline_reading(page, story):
    page.goto("/")
    page.wait_for_function(
        "navigator.serviceWorker.getRegistration('/').then(r => r && r.active)"
    )
    page.reload()  # now controlled by the worker
    page.wait_for_function("!!navigator.serviceWorker.controller")
    page.goto(story.url)
    page.wait_for_function(
        "caches.open('herald-pages-v1').then(c => c.keys()).then(k => "
        f"k.some(r => r.url.endsWith({json.dumps(story.url)})))"
    )
    page.context.set_offline(True)
    page.goto(story.url)
    assert "Ferries run again" in page.content()
    page.goto("/no-such-page-stored/")
    assert page.get_by_role("heading", name="You are offline").is_visible()
    page.get_by_role("link", name=re.compile("Ferries run again")).wait_for()
    assert axe_violations(page) == []
    page.context.set_offline(False)


def test_the_topics_page_without_a_subscription_passes_axe(page, story):
    page.goto("/notifications/")
    assert page.get_by_role("heading", name="Notifications").is_visible()
    assert axe_violations(page) == []
