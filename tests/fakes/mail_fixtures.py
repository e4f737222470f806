"""pytest fixtures for real mail transports (registered for the suite by conftest.py).

* ``smtp_sink``: an aiosmtpd server recording what it receives; while the test
  runs, the outbox delivers through HERALD_EMAIL_PROVIDER=smtp to it.
* ``postmark_server``: a local Postmark API; while the test runs, the outbox
  delivers through anymail's real Postmark backend to it.

Mail still leaves through the outbox after commit (in-process in tests, see
herald/settings/test.py); read ``smtp_sink.received`` / ``postmark_server.received``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.postmark_server import FakePostmark
from tests.fakes.smtp_server import SMTPSink


@pytest.fixture(scope="session")
def smtp_sink_process() -> Iterator[SMTPSink]:
    sink = SMTPSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_sink(smtp_sink_process: SMTPSink, settings) -> Iterator[SMTPSink]:
    sink = smtp_sink_process
    sink.reset()
    settings.HERALD_EMAIL_PROVIDER = "smtp"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        sink.reset()


@pytest.fixture(scope="session")
def postmark_server_process() -> Iterator[FakePostmark]:
    server = FakePostmark().start()
    yield server
    server.stop()


@pytest.fixture
def postmark_server(
    postmark_server_process: FakePostmark, settings
) -> Iterator[FakePostmark]:
    server = postmark_server_process
    server.reset()
    settings.HERALD_EMAIL_PROVIDER = "postmark"
    settings.ANYMAIL = {
        **(getattr(settings, "ANYMAIL", None) or {}),
        "POSTMARK_SERVER_TOKEN": server.token,
        "POSTMARK_API_URL": server.url,
        "REQUESTS_TIMEOUT": (2, 5),
    }
    try:
        yield server
    finally:
        server.reset()
