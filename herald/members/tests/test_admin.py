"""The members admin: list, search, filters, counts and the member timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from herald.members import actions
from herald.members.models import Label, User

from .conftest import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    boss = User.objects.create_superuser("boss@example.org", "a-long-password-1")
    browser = Client()
    browser.force_login(boss)
    return browser


def test_members_list_counts_and_lists_only_readers(admin_client, member, gold):
    actions.grant_comp(member, tier=gold, ends_at=timezone.now() + timedelta(days=3))
    User.objects.create_user("other@example.org")

    html = admin_client.get("/admin/members/").content.decode()

    assert "2 members: 1 free, 0 paid, 1 complimentary." in html
    assert "reader@example.org" in html
    listing = html[html.index("member-counts") :]
    assert "boss@example.org" not in listing


def test_members_list_filters_by_status_tier_and_label(admin_client, member, gold):
    actions.grant_comp(member, tier=gold, ends_at=None)
    other = User.objects.create_user("other@example.org")
    press = Label.objects.create(name="press")
    other.labels.add(press)

    comped = admin_client.get("/admin/members/", {"status": "comped"}).content
    by_tier = admin_client.get("/admin/members/", {"tier": gold.pk}).content
    by_label = admin_client.get("/admin/members/", {"labels": press.pk}).content
    found = admin_client.get("/admin/members/", {"q": "other"}).content

    assert b"reader@example.org" in comped and b"other@example.org" not in comped
    assert b"reader@example.org" in by_tier and b"other@example.org" not in by_tier
    assert b"other@example.org" in by_label and b"reader@example.org" not in by_label
    assert b"other@example.org" in found and b"reader@example.org" not in found


def test_member_page_shows_the_history_timeline(admin_client, member, gold):
    actions.grant_comp(member, tier=gold, ends_at=None, reason="Press pass")

    html = admin_client.get(f"/admin/members/inspect/{member.pk}/").content.decode()

    assert "Moved from Free to Complimentary Gold with no end date" in html
    assert "Reason: Press pass" in html


def test_members_admin_is_closed_to_members(member):
    browser = Client()
    browser.force_login(member)

    response = browser.get("/admin/members/")

    assert response.status_code == 302
    assert "reader@example.org" not in response.content.decode()
