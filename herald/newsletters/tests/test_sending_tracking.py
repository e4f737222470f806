"""Open and click tracking, when a newsletter turns it on (off by default).

A tracked link names a delivery (its random token) and a link's number in the
send's own rendering; it redirects only to that link, never to an address that
comes from the request.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail
from django.test import Client, TestCase

from herald.newsletters.sending import actions, queries
from herald.newsletters.sending.models import Click, Delivery, Send
from herald.newsroom.testing import make_article, make_section

from .sendkit import make_audience, make_newsletter, parts, subscribe

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

TRACKED = re.compile(r'href="http://testserver(/newsletters/t/([0-9a-f]{32})/c/(\d+))"')
PIXEL = re.compile(r'src="http://testserver(/newsletters/t/([0-9a-f]{32})/open\.gif)"')


@pytest.fixture
def story(db):
    return make_article(
        make_section("Harbour"),
        "Ferry fares rise in spring",
        paragraphs=[
            'Fares go up. <a href="https://council.example/fares">The decision</a>.'
        ],
    )


def tracked_send(story, *, opens=True, clicks=True) -> Send:
    newsletter = make_newsletter(track_opens=opens, track_clicks=clicks)
    subscribe(newsletter, "ana@example.org")
    subscribe(newsletter, "ben@example.org")
    send = actions.create_send(newsletter, subject="Fares", article=story)
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.start_send(send)
    send.refresh_from_db()
    return send


def html_of(address: str) -> str:
    (message,) = [m for m in mail.outbox if m.to == [address]]
    return parts(message)[1]


def test_a_tracked_click_is_counted_and_goes_to_the_newsletters_own_link(story):
    send = tracked_send(story)
    html = html_of("ana@example.org")
    links = TRACKED.findall(html)
    assert links, html
    ana = Delivery.objects.get(send=send, email="ana@example.org")
    assert {token for _path, token, _n in links} == {ana.token.hex}
    own = send.renderings["full"]["links"]
    assert "https://council.example/fares" in own
    assert "https://council.example/fares" not in html  # every web link is tracked

    # when ana follows each link
    client = Client()
    targets = [client.get(path)["Location"] for path, _token, _n in links]

    # then each goes where the email's link went, and the clicks are counted
    assert targets == [own[int(n)] for _p, _t, n in links]
    ana.refresh_from_db()
    assert ana.clicked_at is not None and ana.opened_at is not None
    assert Click.objects.filter(delivery=ana).count() == len(links)
    report = queries.report(send)
    assert report.clicked == 1 and report.opened == 1
    assert ("https://council.example/fares", 1) in report.top_links


@pytest.mark.parametrize(
    "path",
    [
        "/newsletters/t/{token}/c/{beyond}",  # not one of the send's links
        "/newsletters/t/{other}/c/0",  # an unknown delivery
        "/newsletters/t/not-a-token/c/0",
        "/newsletters/t/{token}/c/-1",
        "/newsletters/t/{token}/c/0/https://evil.example/",
    ],
)
def test_a_click_link_never_redirects_anywhere_else(story, path):
    send = tracked_send(story)
    ana = Delivery.objects.get(send=send, email="ana@example.org")
    url = path.format(
        token=ana.token.hex,
        other=uuid.uuid4().hex,
        beyond=len(send.renderings["full"]["links"]),
    )

    response = Client().get(url, follow=True)

    assert response.status_code == 404
    # at most Django's own slash redirect, on this site
    assert all(hop.startswith("/newsletters/t/") for hop, _ in response.redirect_chain)
    assert not Click.objects.exists()


def test_an_address_in_the_query_string_is_ignored(story):
    send = tracked_send(story)
    ana = Delivery.objects.get(send=send, email="ana@example.org")
    first = send.renderings["full"]["links"][0]

    response = Client().get(
        f"/newsletters/t/{ana.token.hex}/c/0",
        {"url": "https://evil.example/", "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response["Location"] == first


def test_the_open_pixel_counts_once_per_reader(story):
    send = tracked_send(story, clicks=False)
    (match,) = PIXEL.findall(html_of("ben@example.org"))
    client = Client()

    first = client.get(match[0])
    client.get(match[0])

    assert first.status_code == 200 and first["Content-Type"] == "image/gif"
    assert "no-cache" in first["Cache-Control"] or "max-age=0" in first["Cache-Control"]
    report = queries.report(send)
    assert report.opened == 1 and report.clicked == 0
    assert not TRACKED.findall(html_of("ben@example.org"))  # clicks stay off


def test_untracked_newsletters_have_no_tracking_and_record_nothing(story):
    audience = make_audience()
    send = actions.create_send(audience.newsletter, subject="S", article=story)
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.start_send(send)
    delivery = Delivery.objects.filter(send=send).first()
    _text, html = parts(mail.outbox[0])
    assert "/newsletters/t/" not in html
    assert "https://council.example/fares" in html

    # a guessed tracking URL records nothing and redirects nowhere
    pixel = Client().get(f"/newsletters/t/{delivery.token.hex}/open.gif")
    click = Client().get(f"/newsletters/t/{delivery.token.hex}/c/0")

    assert pixel.status_code == 200
    assert click.status_code == 404
    delivery.refresh_from_db()
    assert delivery.opened_at is None and delivery.clicked_at is None
