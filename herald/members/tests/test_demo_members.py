"""The demo has members with a history, so the members admin is not empty."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from herald.members.models import MemberStatus, Payment, User
from herald.settings import env

from .conftest import Client

pytestmark = pytest.mark.django_db

DOMAIN = "readers.avenell.example"


@pytest.fixture
def demo(tmp_path, monkeypatch):
    monkeypatch.setattr(env, "ADMIN_PASSWORD", "")
    out = io.StringIO()
    call_command("load_demo", articles=1, password_file=tmp_path / "pw.txt", stdout=out)
    return out.getvalue()


def test_the_demo_has_free_paying_complimentary_and_lapsed_members(demo, tmp_path):
    readers = {u.first_name: u for u in User.objects.filter(email__endswith=DOMAIN)}

    assert "Members: 5" in demo
    assert readers["Ilse"].status == MemberStatus.FREE
    assert readers["Tomas"].status == MemberStatus.PAID
    assert readers["Hanne"].status == MemberStatus.PAID
    assert readers["Rafael"].status == MemberStatus.COMPED
    assert readers["Greta"].status == MemberStatus.FREE
    assert readers["Tomas"].has_paid_access() and readers["Hanne"].has_paid_access()
    assert readers["Rafael"].has_paid_access()
    assert not readers["Greta"].has_paid_access()
    assert Payment.objects.filter(user=readers["Tomas"]).count() == 3
    # loading again adds nobody
    call_command("load_demo", password_file=tmp_path / "pw.txt", stdout=io.StringIO())
    assert User.objects.filter(email__endswith=DOMAIN).count() == 5


def test_demo_member_pages_tell_their_story(demo):
    browser = Client()
    browser.force_login(User.objects.get(email="admin@herald.localhost"))
    greta = User.objects.get(email=f"greta.lindqvist@{DOMAIN}")
    rafael = User.objects.get(email=f"rafael.okonjo@{DOMAIN}")

    lapsed = browser.get(f"/admin/members/inspect/{greta.pk}/").content.decode()
    comped = browser.get(f"/admin/members/inspect/{rafael.pk}/").content.decode()

    assert "Supporter subscription cancelled by the payment provider" in lapsed
    assert (
        "Moved from Paid to Free automatically. Reason: access period ended" in lapsed
    )
    assert "2 payments, 10.00 USD in total" in lapsed
    assert "Moved from Free to Complimentary Patron until" in comped
    assert "by Maren Oduya. Reason: Press pass" in comped
