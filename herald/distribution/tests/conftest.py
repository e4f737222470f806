"""Fixtures for distribution tests: a publication, stories, a local WebSub hub."""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

CANARY = "CANARY-9b1e-only-for-entitled-readers"


@pytest.fixture
def publication(db):
    from herald.newsroom.testing import ensure_tree_roots, home_page, set_publication

    ensure_tree_roots()
    home_page()
    return set_publication(
        name="The Harbour Herald",
        language="en",
        tagline="News from the harbour town",
        x_handle="harbourherald",
    )


@pytest.fixture
def distribution(publication):
    from wagtail.models import Site

    from herald.distribution.models import DistributionSettings

    settings_ = DistributionSettings.for_site(Site.objects.get(is_default_site=True))
    settings_.websub_hubs = ""
    settings_.save()
    return settings_


class Hub:
    """A WebSub hub on 127.0.0.1 that records every publish notice it gets."""

    def __init__(self, failures: int = 0) -> None:
        """``failures``: how many first POSTs get a 503 before the hub recovers."""
        self.pings: list[dict[str, list[str]]] = []
        self.failures = failures
        self.requests = 0
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                hub.requests += 1
                if hub.requests <= hub.failures:
                    self.send_response(503)
                else:
                    hub.pings.append(parse_qs(body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def topics(self) -> list[str]:
        return [p["hub.url"][0] for p in self.pings]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hub():
    server = Hub()
    yield server
    server.close()


@pytest.fixture
def newsroom(publication):
    """A small publication: nested sections, two authors, free and gated stories."""
    from herald.members.models import AccessLevel
    from herald.newsroom.testing import (
        make_article,
        make_author,
        make_image,
        make_section,
    )

    world = make_section("World", intro="Stories from everywhere.")
    asia = make_section("Asia", parent=world)
    city = make_section("City")
    ada = make_author("Ada Quill")
    bo = make_author("Bo Ink")
    now = timezone.now()
    free = make_article(
        world,
        "Harbour reopens after the storm",
        dek="Ferries run again from Monday.",
        paragraphs=["The harbour reopened today.", "Boats returned.", "All is well."],
        authors=[ada, bo],
        tags=["storms", "ferries"],
        hero_image=make_image(width=1600, height=900, alt="Boats in the harbour"),
        published_at=now - timedelta(hours=1),
    )
    nested = make_article(
        asia,
        "Typhoon season starts early",
        dek="Forecasters warn of a busy year.",
        authors=[bo],
        tags=["storms"],
        published_at=now - timedelta(hours=3),
    )
    gated = {}
    for i, level in enumerate((AccessLevel.MEMBERS, AccessLevel.PAID)):
        gated[level] = make_article(
            city,
            f"Inside the council's {level} budget",
            dek=f"What the {level} budget means for you.",
            paragraphs=[
                "The council met on Tuesday.",
                f"{CANARY} The details of the deal.",
                "More detail for readers.",
            ],
            paywall_after=1,
            access_level=level,
            authors=[ada],
            tags=["council"],
            published_at=now - timedelta(hours=2 + i),
        )
    return {
        "world": world,
        "asia": asia,
        "city": city,
        "ada": ada,
        "bo": bo,
        "free": free,
        "nested": nested,
        "members": gated[AccessLevel.MEMBERS],
        "paid": gated[AccessLevel.PAID],
    }
