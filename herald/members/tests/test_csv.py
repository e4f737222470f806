"""Members CSV: lossless export and import, line-numbered errors, no half import."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from herald.members import actions, csvio
from herald.members.access import reader_for
from herald.members.models import (
    ComplimentaryAccess,
    Label,
    MemberEvent,
    MemberStatus,
    Subscription,
    Tier,
    User,
)

pytestmark = pytest.mark.django_db

HEADER = ",".join(csvio.COLUMNS)


def export_text() -> str:
    out = io.StringIO()
    csvio.export_csv(out)
    return out.getvalue()


def wipe_members() -> None:
    MemberEvent.objects.all().delete()
    Subscription.objects.all().delete()
    User.objects.all().delete()
    Label.objects.all().delete()


def test_export_then_import_into_an_empty_site_gives_the_same_members(gold, silver):
    # given: members of every kind
    press = Label.objects.create(name="press")
    vip = Label.objects.create(name="vip")
    free = User.objects.create_user("free@example.org", first_name="Fran", note="met")
    free.labels.add(press, vip)
    comped = User.objects.create_user("comp@example.org")
    until = timezone.now() + timedelta(days=40)
    actions.grant_comp(comped, tier=silver, ends_at=until)
    paid = User.objects.create_user("paid@example.org", stripe_customer_id="cus_123")
    state_tier = gold
    Subscription.objects.create(
        user=paid,
        tier=state_tier,
        provider="stripe",
        provider_subscription_id="sub_1",
        status="active",
        current_period_end=timezone.now() + timedelta(days=20),
    )
    actions.refresh_status(paid)
    first = export_text()

    # when: an empty site imports the file
    wipe_members()
    report = csvio.import_csv(first)

    # then
    assert report.ok and report.created == 3
    assert export_text() == first
    assert User.objects.get(email="comp@example.org").status == MemberStatus.COMPED
    assert reader_for(User.objects.get(email="paid@example.org")).has_paid
    assert set(
        User.objects.get(email="free@example.org").labels.values_list("name", flat=True)
    ) == {"press", "vip"}


def test_a_malformed_row_is_named_and_the_good_rows_are_imported(gold):
    text = "\n".join(
        [
            HEADER,
            "ok1@example.org,One,,,free,,,,,",
            "not-an-email,Two,,,free,,,,,",
            "ok2@example.org,Three,,,gold-plated,,,,,",
            "ok3@example.org,Four,,,comped,gold,2031-01-01,,,",
            "ok4@example.org,Five,,,paid,nope,,,,",
            "ok5@example.org,Six,,,free,,,,,not-a-date",
            "ok1@example.org,Again,,,free,,,,,",
        ]
    )

    report = csvio.import_csv(text)

    assert report.created == 2
    assert dict(report.errors) == {
        3: "not an email address: 'not-an-email'",
        4: "unknown status 'gold-plated'",
        6: "unknown tier nope",
        7: "not a date: not-a-date",
        8: "ok1@example.org appears twice in the file",
    }
    assert set(User.objects.values_list("email", flat=True)) == {
        "ok1@example.org",
        "ok3@example.org",
    }
    comp = ComplimentaryAccess.objects.get(user__email="ok3@example.org")
    assert comp.ends_at.year == 2031


def test_all_or_nothing_imports_nothing_when_one_row_is_bad():
    text = f"{HEADER}\ngood@example.org,,,,free,,,,,\nbad,,,,free,,,,,\n"

    report = csvio.import_csv(text, all_or_nothing=True)

    assert not report.imported
    assert report.errors == [(3, "not an email address: 'bad'")]
    assert not User.objects.exists()


def test_a_file_without_an_email_column_is_refused():
    report = csvio.import_csv("name,status\nA,free\n")

    assert report.errors == [(1, "the header has no 'email' column")]
    assert not User.objects.exists()


def test_existing_members_are_skipped_not_duplicated(member):
    report = csvio.import_csv(f"{HEADER}\nREADER@example.org,,,,free,,,,,\n")

    assert report.skipped_existing == 1 and report.created == 0
    assert User.objects.filter(email__iexact="reader@example.org").count() == 1


def test_import_command_names_bad_lines_and_refuses_with_all_or_nothing(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text(f"{HEADER}\na@example.org,,,,free,,,,,\nbroken,,,,free,,,,,\n")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("members_import", str(path), "--all-or-nothing", stderr=err)

    assert "line 3: not an email address" in err.getvalue()
    assert not User.objects.exists()
    call_command(
        "members_import", str(path), stderr=io.StringIO(), stdout=io.StringIO()
    )
    assert User.objects.filter(email="a@example.org").exists()


def test_export_command_writes_the_header_and_members(tmp_path, member):
    path = tmp_path / "out.csv"

    call_command("members_export", str(path), stderr=io.StringIO())

    lines = path.read_text().splitlines()
    assert lines[0] == HEADER
    assert lines[1].startswith("reader@example.org,Rita,")


def test_export_leaves_out_staff(staff, member):
    assert "editor@example.org" not in export_text()
    assert Tier.objects.count() == 0
