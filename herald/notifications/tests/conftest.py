from __future__ import annotations

import pytest
from django.test import override_settings

from tests.fakes.push_service import PushService


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


@pytest.fixture(autouse=True)
def push_settings(settings):
    settings.HERALD_PUSH_CONTACT = "mailto:desk@herald.example"
    settings.HERALD_PUSH_TIMEOUT = 2.0
    settings.HERALD_PUSH_BACKOFF = 1
    with override_settings():
        yield settings
