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
import time

import pytest
from axe_playwright_python.sync_playwright import Axe

from herald.newsroom.testing import make_article, make_section
from herald.notifications.models import BREAKING, PushSubscription
from tests.fakes.push_service import PushService

pytestmark = pytest.mark.service_workers

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


def until(page, expression: str, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    """Wait until ``expression`` (a function, maybe async) answers true.

    ``page.evaluate`` awaits a promise; ``wait_for_function`` would take the
    promise itself for a true answer.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


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
    until(page, "() => navigator.serviceWorker.getRegistration('/').then(r => !!r)")
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
    until(
        page,
        "() => navigator.serviceWorker.getRegistration('/')"
        ".then(r => !!(r && r.active))",
    )
    page.goto("/")  # now controlled by the worker (a reload would bypass it)
    until(page, "() => !!navigator.serviceWorker.controller")
    page.goto(story.url)
    until(
        page,
        "() => caches.open('herald-pages-v2').then(c => c.keys()).then(k => "
        f"k.some(r => r.url.endsWith({json.dumps(story.url)})))",
    )
    # and the newest free stories, as any anonymous reader gets them, apart
    until(
        page,
        "() => caches.open('herald-latest-v1').then(c => c.keys()).then(k => "
        f"k.some(r => r.url.endsWith({json.dumps(story.url)})))",
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


STORED = """
caches.open('herald-pages-v2').then(async (cache) => {
  const out = [];
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    out.push({url: new URL(request.url).pathname,
              mark: response.headers.get('Herald-Offline') || '',
              text: await response.text()});
  }
  return out;
})
"""


def test_a_members_gated_story_is_kept_for_them_and_gone_on_sign_out(
    page, live_server, settings
):
    """Gated text is stored only for a reader entitled to it, never a paywall,
    and signing out (or another reader's page) deletes it from the device.

    Ten navigations in one browser, each checked against the worker's caches:
    the slowest test here, and the one that shows the worker's rules hold.
    """
    from django.test import Client

    from herald.members.models import AccessLevel, User

    settings.BASE_URL = live_server.url
    section = make_section("Harbour")
    opened = make_article(
        section,
        "Members read the tide tables",
        paragraphs=["Open text.", "Closed text FULLTEXT."],
        paywall_after=1,
        access_level=AccessLevel.MEMBERS,
    )
    walled = make_article(
        section,
        "Subscribers read the pilot's log",
        paragraphs=["Open text.", "Closed text PAIDTEXT."],
        paywall_after=1,
        access_level=AccessLevel.PAID,
    )

    def sign_in(email: str) -> None:
        client = Client()
        client.force_login(User.objects.create_user(email))
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )

    sign_in("reader@example.org")
    page.goto(opened.url)
    until(
        page,
        "() => navigator.serviceWorker.getRegistration('/')"
        ".then(r => !!(r && r.active))",
    )
    page.goto(opened.url)  # now controlled by the worker, which stores this page
    until(page, "() => !!navigator.serviceWorker.controller")
    page.goto(walled.url)
    assert page.locator(".paywall-offer").is_visible()
    until(
        page,
        f"() => ({STORED}).then(s => s.some(p => p.url === {json.dumps(opened.url)}))",
    )
    stored = {p["url"]: p for p in page.evaluate(STORED)}
    assert stored[opened.url]["mark"].startswith("reader=m-")
    assert "FULLTEXT" in stored[opened.url]["text"]
    assert walled.url not in stored  # a page with a paywall is never kept

    page.context.set_offline(True)
    page.goto(opened.url)
    assert "FULLTEXT" in page.content()
    page.context.set_offline(False)

    page.goto("/account/")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(re.compile(r"/account/signin/"))
    stored = page.evaluate(STORED)
    assert [p["url"] for p in stored if "reader=m-" in p["mark"]] == []
    assert not any("FULLTEXT" in p["text"] for p in stored)

    page.context.set_offline(True)
    page.goto(opened.url)
    assert "FULLTEXT" not in page.content()
    assert page.get_by_role("heading", name="You are offline").is_visible()
    page.context.set_offline(False)

    # A session that ended elsewhere (no sign-out seen here): the next page is
    # for another reader, and that alone deletes what the last one stored.
    sign_in("other@example.org")
    page.goto(opened.url)
    until(page, f"() => ({STORED}).then(s => s.some(p => p.text.includes('FULLTEXT')))")
    page.context.clear_cookies()
    page.goto("/")
    stored = page.evaluate(STORED)
    assert [p["url"] for p in stored if "reader=m-" in p["mark"]] == []
    assert not any("FULLTEXT" in p["text"] for p in stored)
