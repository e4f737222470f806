"""Members CSV: lossless export and import, line-numbered errors, no half import."""

from __future__ import annotations

import csv
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


# --- Hostile cells, list cells, paid members (issue 9, fault 8) ---------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HOSTILE_LABELS = [
    "press, local",
    'say "hi"',
    "back\\slash",
    ",",
    "\\",
    "a\\,b",
    '=HYPERLINK("http://evil.example","x")',
    "'=already quoted",
    "@SUM(A1)",
    "  padded  ",
]


def member_rows() -> dict[str, dict[str, object]]:
    """Every member as the CSV claims to carry it, read from the database."""
    rows: dict[str, dict[str, object]] = {}
    for user in User.objects.filter(is_staff=False).order_by("email"):
        rows[user.email] = {
            "name": user.name,
            "note": user.note,
            "status": user.status,
            "stripe_customer_id": user.stripe_customer_id,
            "date_joined": user.date_joined,
            "labels": sorted(user.labels.values_list("name", flat=True)),
            "comps": sorted(
                (c.tier.slug, c.ends_at, c.revoked_at)
                for c in ComplimentaryAccess.objects.filter(user=user)
            ),
            "subscriptions": sorted(
                (s.tier.slug, s.status, s.current_period_end, s.provider_customer_id)
                for s in Subscription.objects.filter(user=user)
            ),
        }
    return rows


def test_round_trip_keeps_hostile_members_row_for_row(gold, silver):
    # given: members whose every text cell is hostile
    labels = [Label.objects.create(name=name) for name in HOSTILE_LABELS]
    free = User.objects.create_user(
        "=cmd@example.org", first_name="=1+2", note='-2+3\n"quoted", new line\r\n'
    )
    free.labels.add(*labels)
    at = User.objects.create_user("at@example.org", first_name="@SUM(A1:A9)")
    at.labels.add(labels[0])
    comped = User.objects.create_user("comp@example.org", first_name="\tTabbed")
    comped.note = "\rcarriage"
    comped.save()
    actions.grant_comp(comped, tier=silver, ends_at=timezone.now() + timedelta(days=9))
    open_comp = User.objects.create_user("forever@example.org", first_name="+Plus")
    minus = Tier.objects.create(name="Minus", slug="-minus", monthly_price=100)
    actions.grant_comp(open_comp, tier=gold, ends_at=None)
    actions.grant_comp(open_comp, tier=minus, ends_at=None)
    mixed = User.objects.create_user("mixed@example.org")
    actions.grant_comp(mixed, tier=gold, ends_at=timezone.now() + timedelta(days=3))
    actions.grant_comp(mixed, tier=minus, ends_at=None)
    paid = User.objects.create_user(
        "paid@example.org", first_name="'=quoted", stripe_customer_id="cus_=9"
    )
    Subscription.objects.create(
        user=paid,
        tier=gold,
        provider="stripe",
        provider_subscription_id="sub_1",
        provider_customer_id="cus_=9",
        status="active",
        current_period_end=timezone.now() + timedelta(days=20),
    )
    Subscription.objects.create(
        user=paid,
        tier=minus,
        provider="stripe",
        provider_subscription_id="sub_2",
        provider_customer_id="cus_=9",
        status="active",
        current_period_end=timezone.now() + timedelta(days=300),
    )
    actions.refresh_status(paid)
    before = member_rows()
    text = export_text()

    # when: an empty site imports the export
    wipe_members()
    report = csvio.import_csv(text)

    # then: the same rows, field by field (the subscription now waits for linking)
    assert report.ok and report.created == len(before), report.errors
    after = member_rows()
    assert after.keys() == before.keys()
    for email, row in before.items():
        for name, value in row.items():
            if name == "comps":
                value = [(slug, ends, None) for slug, ends, _revoked in value]
            assert after[email][name] == value, (email, name)
    assert set(
        Subscription.objects.filter(user__email="paid@example.org").values_list(
            "provider", flat=True
        )
    ) == {"import"}


def test_export_neutralises_cells_that_a_spreadsheet_would_run(gold):
    User.objects.create_user(
        "+a@example.org", first_name="=HYPERLINK(1)", note="-5", stripe_customer_id="@x"
    ).labels.add(Label.objects.create(name="\tx"))
    User.objects.create_user("b@example.org", first_name="@name", note="\rnote")

    text = export_text()

    for row in csv.DictReader(io.StringIO(text)):
        for column, cell in row.items():
            assert not cell.startswith(FORMULA_STARTS), (column, cell)
    assert "'=HYPERLINK(1)" in text and "'+a@example.org" in text


def test_a_label_with_a_comma_comes_back_as_one_label():
    user = User.objects.create_user("l@example.org")
    user.labels.add(Label.objects.create(name="a, b"), Label.objects.create(name="c"))
    text = export_text()
    wipe_members()

    csvio.import_csv(text)

    names = User.objects.get(email="l@example.org").labels.values_list(
        "name", flat=True
    )
    assert sorted(names) == ["a, b", "c"]


def test_hand_written_lists_still_split_on_commas():
    report = csvio.import_csv(f'{HEADER}\nh@example.org,,,"vip, press",free,,,,,\n')

    assert report.ok
    labels = User.objects.get(email="h@example.org").labels.values_list(
        "name", flat=True
    )
    assert sorted(labels) == ["press", "vip"]


def test_a_list_cell_ending_in_a_lone_backslash_is_a_named_error():
    text = f"{HEADER}\nok@example.org,,,,free,,,,,\nbad@example.org,,,vip\\,free,,,,,\n"

    report = csvio.import_csv(text)

    assert report.errors == [(3, "labels: the cell ends with a lone backslash")]
    assert not User.objects.filter(email="bad@example.org").exists()


def test_imported_paid_member_gets_the_subscription_end_and_customer(gold):
    ends = "2031-02-03T04:05:06+00:00"
    text = (
        f"{HEADER}\n"
        f"p@example.org,Pat,,,paid,gold,,,cus_42,2024-01-01T00:00:00+00:00,{ends}\n"
    )

    report = csvio.import_csv(text)

    assert report.ok, report.errors
    sub = Subscription.objects.get(user__email="p@example.org")
    assert sub.current_period_end.isoformat() == ends
    assert sub.provider_customer_id == "cus_42"
    assert sub.status == "active"


def test_a_paid_row_without_an_end_or_a_customer_is_refused(gold):
    text = "\n".join(
        [
            HEADER,
            "p1@example.org,,,,paid,gold,,,cus_1,,",
            "p2@example.org,,,,paid,gold,,,,,2031-01-01",
        ]
    )

    report = csvio.import_csv(text)

    assert report.errors == [
        (2, "status paid needs current_period_end (the subscription's end)"),
        (3, "status paid needs stripe_customer_id"),
    ]
    assert not Subscription.objects.exists()


def test_import_links_paid_members_to_their_stripe_subscriptions(
    stripe_server, settings, gold, django_capture_on_commit_callbacks, eager_celery
):
    # given: a customer who pays at Stripe, and a file from another site
    settings.HERALD_PAYMENTS_PROVIDER = "stripe"
    customer = stripe_server.create_customer({"email": "payer@example.org"})
    sub_id = paid_subscription(stripe_server, customer["id"], gold)
    text = (
        f"{HEADER}\npayer@example.org,Pay,,,paid,gold,,,{customer['id']},,"
        "2031-01-01T00:00:00+00:00\n"
    )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        report = csvio.import_csv(text)

    # then: the real subscription is mirrored onto the imported member
    assert report.ok, report.errors
    real = Subscription.objects.get(provider_subscription_id=sub_id)
    assert real.user.email == "payer@example.org"
    assert real.provider == "stripe" and real.status == "active"
    assert real.current_period_end > timezone.now() + timedelta(days=20)


def paid_subscription(stripe_server, customer_id: str, tier: Tier) -> str:
    """Have ``customer_id`` pay for ``tier`` at the fake Stripe; return the sub id."""
    price = stripe_server.create_price(
        {
            "product_data": {"name": tier.name},
            "unit_amount": tier.monthly_price,
            "currency": "eur",
            "recurring": {"interval": "month"},
        }
    )
    session = stripe_server.create_checkout_session(
        {
            "mode": "subscription",
            "customer": customer_id,
            "line_items": [{"price": price["id"], "quantity": 1}],
            "subscription_data": {"metadata": {"herald_tier": tier.slug}},
            "success_url": "https://herald.example/done",
        }
    )
    return stripe_server.complete_checkout(session["id"])["subscription"]


def test_a_bad_row_after_a_note_spanning_lines_is_named_by_its_own_line():
    text = (
        f"{HEADER}\r\n"
        'a@example.org,,"first line\r\nsecond line\r\nthird",,free,,,,,,\r\n'
        "not-an-email,,,,free,,,,,,\r\n"
    )

    report = csvio.import_csv(text)

    assert report.errors == [(5, "not an email address: 'not-an-email'")]
    note = User.objects.get(email="a@example.org").note
    assert note == "first line\r\nsecond line\r\nthird"
