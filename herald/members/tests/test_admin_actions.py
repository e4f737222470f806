"""Writes from the members admin: bulk actions, comps, CSV pages, tiers, offers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from herald.members import csvio
from herald.members.models import (
    ComplimentaryAccess,
    EventKind,
    Interval,
    Label,
    MemberEvent,
    MemberStatus,
    Offer,
    Tier,
    User,
)

from .conftest import Client

pytestmark = pytest.mark.django_db


def permissions(*codenames: str) -> list[Permission]:
    return list(Permission.objects.filter(codename__in=codenames))


@pytest.fixture
def editor(db) -> User:
    """Staff allowed into the admin and to add and change members."""
    user = User.objects.create_user(
        "editor@example.org", password="a-long-password-1", is_staff=True
    )
    user.user_permissions.set(permissions("access_admin", "add_user", "change_user"))
    return user


@pytest.fixture
def browser(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def clerk_browser(db) -> Client:
    """Staff allowed into the admin but not to change members."""
    clerk = User.objects.create_user(
        "clerk@example.org", password="a-long-password-1", is_staff=True
    )
    clerk.user_permissions.set(permissions("access_admin", "view_user"))
    client = Client()
    client.force_login(clerk)
    return client


@pytest.fixture
def readers(db) -> list[User]:
    return [User.objects.create_user(f"r{i}@example.org") for i in range(3)]


def denied(response) -> bool:  # type: ignore[no-untyped-def]
    """Wagtail answers a permission refusal with a redirect to the dashboard."""
    return response.status_code == 302 and response.url == "/admin/"


def events(kind: str) -> list[MemberEvent]:
    return list(MemberEvent.objects.filter(kind=kind).order_by("user_id"))


# --- Bulk actions ------------------------------------------------------------------


def test_the_list_offers_a_checkbox_per_member_for_bulk_changes(browser, readers):
    html = browser.get("/admin/members/").content.decode()

    assert 'id="member-bulk-form"' in html
    for reader in readers:
        assert f'name="id" value="{reader.pk}" form="member-bulk-form"' in html


def test_bulk_page_lists_the_chosen_members(browser, readers):
    html = browser.get(
        "/admin/members/bulk/", {"id": [readers[0].pk, readers[1].pk]}
    ).content.decode()

    assert "r0@example.org" in html and "r1@example.org" in html
    assert "r2@example.org" not in html


def test_bulk_add_label_labels_each_member_once_and_records_it(
    browser, readers, editor
):
    press = Label.objects.create(name="press")
    readers[0].labels.add(press)
    chosen = [readers[0].pk, readers[1].pk]

    response = browser.post(
        "/admin/members/bulk/",
        {"id": chosen, "action": "add_label", "label": press.pk},
    )

    assert response.status_code == 302
    assert set(press.members.values_list("pk", flat=True)) == set(chosen)
    added = events(EventKind.LABEL_ADDED)
    assert [e.user_id for e in added] == [readers[1].pk]
    assert added[0].actor == editor and added[0].data == {"label": "press"}


def test_bulk_add_label_can_create_a_new_label(browser, readers):
    response = browser.post(
        "/admin/members/bulk/",
        {"id": [readers[2].pk], "action": "add_label", "new_label": "donors"},
    )

    assert response.status_code == 302
    assert list(readers[2].labels.values_list("name", flat=True)) == ["donors"]


def test_bulk_grant_comp_gives_access_until_the_end_date(browser, readers, gold):
    ends_on = timezone.localdate() + timedelta(days=30)

    response = browser.post(
        "/admin/members/bulk/",
        {
            "id": [readers[0].pk, readers[1].pk],
            "action": "grant_comp",
            "tier": gold.pk,
            "ends_on": ends_on.isoformat(),
            "reason": "Partners",
        },
    )

    assert response.status_code == 302
    comps = ComplimentaryAccess.objects.filter(tier=gold).order_by("user_id")
    assert [c.user_id for c in comps] == [readers[0].pk, readers[1].pk]
    assert all(
        timezone.localdate(c.ends_at) == ends_on + timedelta(days=1) for c in comps
    )
    statuses = User.objects.filter(pk__in=[r.pk for r in readers]).order_by("pk")
    assert [u.status for u in statuses] == [
        MemberStatus.COMPED,
        MemberStatus.COMPED,
        MemberStatus.FREE,
    ]
    granted = events(EventKind.COMP_GRANTED)
    assert [e.user_id for e in granted] == [readers[0].pk, readers[1].pk]
    assert granted[0].reason == "Partners"


def test_bulk_grant_comp_without_a_tier_is_refused_and_changes_nothing(
    browser, readers
):
    response = browser.post(
        "/admin/members/bulk/", {"id": [readers[0].pk], "action": "grant_comp"}
    )

    assert response.status_code == 400
    assert "Choose a tier." in response.content.decode()
    assert not ComplimentaryAccess.objects.exists()
    assert not MemberEvent.objects.exists()


def test_bulk_unsubscribe_records_it_for_each_member(browser, readers, editor):
    response = browser.post(
        "/admin/members/bulk/",
        {"id": [readers[1].pk, readers[2].pk], "action": "unsubscribe"},
    )

    assert response.status_code == 302
    gone = events(EventKind.UNSUBSCRIBED)
    assert [e.user_id for e in gone] == [readers[1].pk, readers[2].pk]
    assert all(e.actor == editor for e in gone)


def test_bulk_actions_never_touch_staff_accounts(browser, readers, editor):
    response = browser.post(
        "/admin/members/bulk/", {"id": [editor.pk], "action": "unsubscribe"}
    )

    assert response.status_code == 400
    assert not MemberEvent.objects.exists()


def test_bulk_without_a_selection_is_a_clear_error(browser):
    response = browser.post("/admin/members/bulk/", {"action": "unsubscribe"})

    assert response.status_code == 400
    assert "Select at least one member." in response.content.decode()


def test_staff_without_change_permission_cannot_use_bulk_actions(
    clerk_browser, readers
):
    page = clerk_browser.get("/admin/members/bulk/", {"id": [readers[0].pk]})
    response = clerk_browser.post(
        "/admin/members/bulk/", {"id": [readers[0].pk], "action": "unsubscribe"}
    )

    assert denied(page) and b"r0@example.org" not in page.content
    assert denied(response)
    assert not MemberEvent.objects.exists()


def test_members_are_sent_away_from_the_admin_write_pages(member, readers):
    client = Client()
    client.force_login(member)

    response = client.post(
        "/admin/members/bulk/", {"id": [readers[0].pk], "action": "unsubscribe"}
    )
    export = client.get("/admin/members/export/")

    assert response.status_code == 302 and export.status_code == 302
    assert b"r0@example.org" not in export.content
    assert not MemberEvent.objects.exists()


def test_bulk_post_without_csrf_token_is_refused(editor, readers):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    response = client.post(
        "/admin/members/bulk/", {"id": [readers[0].pk], "action": "unsubscribe"}
    )

    assert response.status_code == 403
    assert not MemberEvent.objects.exists()


# --- One member: comp grant, label and note edits -----------------------------


def test_member_page_links_to_the_comp_screen(browser, member):
    html = browser.get(f"/admin/members/inspect/{member.pk}/").content.decode()

    assert f"/admin/members/comp/{member.pk}/" in html


def test_comp_screen_grants_access_with_tier_and_end_date(
    browser, member, gold, editor
):
    ends_on = timezone.localdate() + timedelta(days=10)

    response = browser.post(
        f"/admin/members/comp/{member.pk}/",
        {"tier": gold.pk, "ends_on": ends_on.isoformat(), "reason": "Contest"},
    )

    assert response.status_code == 302
    comp = ComplimentaryAccess.objects.get(user=member)
    assert comp.tier == gold and comp.granted_by == editor
    member.refresh_from_db()
    assert member.status == MemberStatus.COMPED
    assert events(EventKind.COMP_GRANTED)[0].reason == "Contest"


def test_comp_screen_refuses_a_past_end_date(browser, member, gold):
    response = browser.post(
        f"/admin/members/comp/{member.pk}/",
        {"tier": gold.pk, "ends_on": "2001-01-01"},
    )

    assert response.status_code == 400
    assert "The end date must be in the future." in response.content.decode()
    assert not ComplimentaryAccess.objects.exists()


def test_comp_screen_is_closed_without_change_permission(clerk_browser, member, gold):
    response = clerk_browser.post(
        f"/admin/members/comp/{member.pk}/", {"tier": gold.pk}
    )

    assert denied(response)
    assert not ComplimentaryAccess.objects.exists()


def test_editing_labels_and_note_writes_history(browser, member, editor):
    old = Label.objects.create(name="old")
    new = Label.objects.create(name="new")
    member.labels.add(old)

    response = browser.post(
        f"/admin/members/edit/{member.pk}/",
        {
            "first_name": "Rita",
            "last_name": "Reader",
            "note": "Met at the fair",
            "labels": [new.pk],
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.note == "Met at the fair" and member.last_name == "Reader"
    assert list(member.labels.all()) == [new]
    assert [e.data for e in events(EventKind.LABEL_ADDED)] == [{"label": "new"}]
    assert [e.data for e in events(EventKind.LABEL_REMOVED)] == [{"label": "old"}]
    assert [e.actor for e in events(EventKind.NOTE_CHANGED)] == [editor]


# --- CSV pages -----------------------------------------------------------------------


def upload(text: str | bytes, name: str = "members.csv") -> SimpleUploadedFile:
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_export_then_import_through_the_admin_round_trips(browser, gold, readers):
    press = Label.objects.create(name="press")
    readers[0].labels.add(press)
    browser.post(
        f"/admin/members/comp/{readers[1].pk}/",
        {"tier": gold.pk, "ends_on": (timezone.localdate() + timedelta(days=5))},
    )
    before = list(csvio.export_rows())

    export = browser.get("/admin/members/export/")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    assert "attachment" in export["Content-Disposition"]
    text = b"".join(export.streaming_content if export.streaming else [export.content])
    MemberEvent.objects.all().delete()
    ComplimentaryAccess.objects.all().delete()
    User.objects.filter(pk__in=[r.pk for r in readers]).delete()
    Label.objects.all().delete()

    response = browser.post(
        "/admin/members/import/", {"file": upload(text), "all_or_nothing": "on"}
    )

    assert response.status_code == 200
    assert "3 members imported" in response.content.decode()
    assert list(csvio.export_rows()) == before


def test_import_reports_bad_lines_by_number_and_imports_the_rest(browser):
    text = "email,name,status\nok@example.org,Ok,free\nnot-an-email,Bad,free\n"

    response = browser.post("/admin/members/import/", {"file": upload(text)})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<td>3</td>" in html
    assert list(
        User.objects.filter(is_staff=False).values_list("email", flat=True)
    ) == ["ok@example.org"]


def test_import_all_or_nothing_imports_nothing_when_a_line_is_bad(browser):
    text = "email,name,status\nok@example.org,Ok,free\nnot-an-email,Bad,free\n"

    response = browser.post(
        "/admin/members/import/", {"file": upload(text), "all_or_nothing": "on"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported." in html and "<td>3</td>" in html
    assert not User.objects.filter(email="ok@example.org").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "binary data"),
        (b"email,name\n\xff\xfe\xfa caf\xe9\n", "not UTF-8"),
        (b"name,tiers\nRita,gold\n", "no &#x27;email&#x27; column"),
        (b"", "The submitted file is empty."),
    ],
    ids=["binary", "latin-1", "wrong-header", "empty"],
)
def test_malformed_upload_is_a_clear_error_and_imports_nothing(
    browser, content, message
):
    before = User.objects.count()

    response = browser.post("/admin/members/import/", {"file": upload(content)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == before


def test_an_upload_over_the_size_limit_is_refused(browser, settings):
    settings.HERALD_MEMBERS_IMPORT_MAX_BYTES = 100
    text = "email\n" + "".join(f"m{i}@example.org\n" for i in range(20))

    response = browser.post("/admin/members/import/", {"file": upload(text)})

    assert response.status_code == 400
    assert "The file is too large" in response.content.decode()
    assert not User.objects.filter(email="m0@example.org").exists()


def test_import_page_needs_the_add_permission(clerk_browser):
    page = clerk_browser.get("/admin/members/import/")
    response = clerk_browser.post(
        "/admin/members/import/", {"file": upload("email\nx@example.org\n")}
    )

    assert denied(page) and denied(response)
    assert not User.objects.filter(email="x@example.org").exists()


def test_export_needs_the_change_permission(clerk_browser, readers):
    response = clerk_browser.get("/admin/members/export/")

    assert denied(response)
    assert b"r0@example.org" not in response.content


# --- Query budget --------------------------------------------------------------------


def test_members_list_query_count_does_not_grow_with_members(
    browser, gold, django_assert_max_num_queries
):
    press = Label.objects.create(name="press")
    for i in range(50):
        user = User.objects.create_user(f"m{i}@example.org")
        user.labels.add(press)
    # Warm what is kept (site, settings, menus): the first request also creates
    # the settings rows, which starts a new generation (core.keep).
    browser.get("/admin/members/")
    browser.get("/admin/members/")

    # Constant: the admin's menus and permissions (17 with the desk, outbox and
    # newsletters menus), none per member shown.
    with django_assert_max_num_queries(17):
        response = browser.get("/admin/members/", {"status": "free"})

    assert response.status_code == 200
    assert response.content.decode().count('form="member-bulk-form"') == 50


# --- Tiers and offers --------------------------------------------------------------


def test_staff_create_a_tier_in_the_admin(admin_browser):
    response = admin_browser.post(
        "/admin/members-tiers/new/",
        {
            "name": "Patron",
            "slug": "patron",
            "description": "For friends of the paper",
            "benefits": "Ad-free\nEvents",
            "is_paid": "on",
            "monthly_price": "1500",
            "yearly_price": "15000",
            "is_active": "on",
            "sort_order": "3",
        },
    )

    assert response.status_code == 302
    tier = Tier.objects.get(slug="patron")
    assert tier.monthly_price == 1500 and tier.benefit_list() == ["Ad-free", "Events"]


def test_offers_list_shows_each_signup_link(admin_browser, gold):
    Offer.objects.create(
        name="Spring", code="spring", tier=gold, interval=Interval.MONTH, trial_days=14
    )

    html = admin_browser.get("/admin/members-offers/").content.decode()

    assert "/account/offer/spring/" in html


def test_tiers_admin_is_closed_to_members(member):
    client = Client()
    client.force_login(member)

    response = client.get("/admin/members-tiers/")

    assert response.status_code == 302


@pytest.fixture
def admin_browser(db) -> Client:
    boss = User.objects.create_superuser("boss@example.org", "a-long-password-1")
    client = Client()
    client.force_login(boss)
    return client


def test_admin_write_pages_render_for_staff(admin_browser, member, gold):
    pages = [
        "/admin/members/import/",
        f"/admin/members/comp/{member.pk}/",
        f"/admin/members/edit/{member.pk}/",
        "/admin/members-tiers/",
        "/admin/members-tiers/new/",
        "/admin/members-offers/new/",
    ]

    statuses = {url: admin_browser.get(url).status_code for url in pages}

    assert statuses == dict.fromkeys(pages, 200)


def test_comp_screen_is_only_for_members(admin_browser, editor):
    response = admin_browser.get(f"/admin/members/comp/{editor.pk}/")

    assert response.status_code == 404
