"""The members admin in Chromium: the list leads to a member's page, which reads
like a record; the member page and the reader's account page pass axe."""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from herald.members import actions
from herald.members.models import Label, Tier, User

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-long-password-for-the-desk-1"
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}


def serious_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def desk(live_server):
    editor = User.objects.create_superuser(
        "maren@example.org", PASSWORD, first_name="Maren", last_name="Oduya"
    )
    patron = Tier.objects.create(
        name="Patron", slug="patron", monthly_price=1500, yearly_price=15000
    )
    reader = User.objects.create_user(
        "ilse@example.org", first_name="Ilse", last_name="Varnum"
    )
    reader.labels.add(Label.objects.create(name="press"))
    actions.grant_comp(
        reader,
        tier=patron,
        ends_at=timezone.now() + timedelta(days=90),
        actor=editor,
        reason="Press pass",
    )
    User.objects.create_user("otto@example.org", first_name="Otto")
    return reader


def test_the_members_list_leads_to_a_member_page_that_reads_like_a_record(page, desk):
    page.goto("/admin/login/")
    page.get_by_label("Email address").fill("maren@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")

    page.goto("/admin/members/")
    assert "2 members: 1 free, 0 paid, 1 complimentary." in page.content()
    page.get_by_role("link", name="ilse@example.org").click()
    page.wait_for_url(re.compile(rf"/admin/members/inspect/{desk.pk}/$"))

    record = page.locator(".member-record")
    assert record.get_by_role("heading", name="Profile").is_visible()
    text = record.inner_text()
    assert "Complimentary member" in text
    assert "Patron, complimentary" in text
    assert "Moved from Free to Complimentary Patron until" in text
    assert "by Maren Oduya. Reason: Press pass." in text
    assert "password" not in text.lower()
    assert serious_violations(page) == []


def sign_in_as(page, live_server, user: User) -> None:  # type: ignore[no-untyped-def]
    """Give the browser a session for ``user`` (the sign-in flow has its own tests)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_the_account_page_has_one_main_action_and_no_serious_axe_findings(
    page, desk, live_server
):
    sign_in_as(page, live_server, User.objects.get(email="otto@example.org"))

    page.goto("/account/")
    assert page.get_by_role("heading", name="Your private feed").is_visible()
    assert page.locator(".account .button-primary").count() == 1
    page.get_by_role("button", name="Save name").click()
    page.wait_for_url(re.compile(r"/account/$"))
    assert page.get_by_role("status").inner_text().strip() == "Your name is saved."
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert serious_violations(page) == [], scheme


@pytest.fixture
def demo(tmp_path, live_server):
    call_command(
        "load_demo",
        articles=3,
        password_file=tmp_path / "password.txt",
        stdout=io.StringIO(),
    )


def test_demo_member_page_and_account_page_on_demo_data(page, demo, live_server):
    """Axe on demo data; with HERALD_SCREENSHOTS set, the tour's screenshots."""
    folder = os.environ.get("HERALD_SCREENSHOTS")
    editor = User.objects.get(email="admin@herald.localhost")
    sign_in_as(page, live_server, editor)
    hanne = User.objects.get(email__startswith="hanne.solberg@")
    page.set_viewport_size({"width": 1440, "height": 1000})

    page.goto(f"/admin/members/inspect/{hanne.pk}/")
    page.get_by_role("heading", name="History").wait_for()
    assert (
        "Patron, paid subscription (yearly)"
        in page.locator(".member-record").inner_text()
    )
    assert serious_violations(page) == []
    if folder:
        # The admin scrolls inside its frame: a tall window shows the history.
        page.set_viewport_size({"width": 1440, "height": 2300})
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / "member.png"), full_page=True)

    page.context.clear_cookies()
    tomas = User.objects.get(email__startswith="tomas.erlund@")
    sign_in_as(page, live_server, tomas)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/account/")
    page.get_by_role("heading", name="Plan and billing").wait_for()
    assert "Supporter (Active)" in page.content()
    assert serious_violations(page) == []
    if folder:
        page.screenshot(path=str(Path(folder) / "account.png"), full_page=True)
