"""Newsroom sessions end when idle; members' reader sessions keep their life."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from .conftest import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    from herald.members.models import User

    return User.objects.create_superuser("chief@example.org", "a-long-password-1")


def test_staff_session_ends_after_the_idle_timeout(editor, settings):
    settings.HERALD_ADMIN_IDLE_TIMEOUT = 20 * 60  # not the 30-minute default
    browser = Client()
    start = timezone.now()
    with freeze_time(start):
        browser.force_login(editor)
        assert browser.get("/admin/").status_code == 200

    with freeze_time(start + timedelta(minutes=21)):
        response = browser.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    with freeze_time(start + timedelta(minutes=22)):
        assert browser.get("/admin/").status_code == 302


def test_staff_session_stays_while_the_editor_keeps_working(editor, settings):
    settings.HERALD_ADMIN_IDLE_TIMEOUT = 20 * 60
    browser = Client()
    start = timezone.now()
    with freeze_time(start):
        browser.force_login(editor)
        browser.get("/admin/")
    for minutes in (15, 30, 45):
        with freeze_time(start + timedelta(minutes=minutes)):
            assert browser.get("/admin/").status_code == 200, minutes


def test_member_session_outlives_the_newsroom_idle_timeout(member, settings):
    settings.HERALD_ADMIN_IDLE_TIMEOUT = 20 * 60
    browser = Client()
    start = timezone.now()
    with freeze_time(start):
        browser.force_login(member)
        assert browser.get("/account/").status_code == 200

    with freeze_time(start + timedelta(days=3)):
        response = browser.get("/account/")

    assert response.status_code == 200
