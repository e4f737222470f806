"""Members CSV export and import, lossless between Herald sites.

Columns (in this order): email, name, note, labels, status, tiers,
complimentary_until, newsletters, stripe_customer_id, created_at,
current_period_end. Dates are ISO 8601. Tiers are tier slugs; when a member's
tiers end at different times, each slug carries its own end (``gold@<date>``,
``gold@`` for no end), otherwise complimentary_until or current_period_end
gives the one end for all.

List cells (labels, tiers, newsletters) hold their values separated by commas;
a comma or a backslash inside a value is escaped with a backslash (``a\\, b``),
and so is a leading or trailing space, so every label text comes back as it
left. A hand-written ``vip, press`` still reads as two labels.

Cells a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return, OWASP's list) are exported with a single quote in
front; the importer takes that quote off again, so the round trip is lossless.

Paid members carry their subscription's end (``current_period_end``) and their
payment provider's customer id (``stripe_customer_id``). The importer creates a
subscription that ends then and, after the commit, queues
``tasks.link_imported_customer`` for each of them, which mirrors their real
subscriptions from the provider.

The importer checks every row first and names each bad line with its reason.
Then it imports the good rows in one transaction, or, with ``all_or_nothing``,
nothing at all when any row is bad. Writes are bulk inserts, so a hundred
thousand rows take seconds, not minutes.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from herald.core.tasks_util import enqueue

from . import hooks, queries, tasks
from .models import (
    ComplimentaryAccess,
    EventKind,
    EventSource,
    Label,
    MemberEvent,
    MemberStatus,
    Subscription,
    SubscriptionStatus,
    Tier,
    User,
)

COLUMNS = [
    "email",
    "name",
    "note",
    "labels",
    "status",
    "tiers",
    "complimentary_until",
    "newsletters",
    "stripe_customer_id",
    "created_at",
    "current_period_end",
]
LIST_COLUMNS = ("labels", "tiers", "newsletters")
BATCH = 2000
# OWASP's CSV injection list: a cell starting with one of these is a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Put a quote in front of a cell a spreadsheet would run as a formula.

    Quotes already in front are counted in, so ``'=x`` becomes ``''=x`` and
    ``restore`` can tell the added quote from one that belongs to the text.
    """
    if cell.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """Undo ``neutralise``."""
    if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def _escape(item: str) -> str:
    # Escaped spaces at either end survive the trimming of hand-written lists.
    lead = len(item) - len(item.lstrip())
    trail = len(item.rstrip())
    out = []
    for position, char in enumerate(item):
        at_edge = position < lead or position >= trail
        if char in "\\," or (at_edge and char.isspace()):
            out.append("\\")
        out.append(char)
    return "".join(out)


def _join(items: Iterable[str]) -> str:
    return ",".join(_escape(item) for item in sorted(set(items)))


def split_list(cell: str) -> list[str]:
    """Read a list cell: values split on unescaped commas, trimmed, empties dropped.

    Raises ValueError when the cell ends with a lone backslash.
    """
    if "\\" not in cell:  # the common case, and every hand-written file
        return [part.strip() for part in cell.split(",") if part.strip()]
    items: list[str] = []
    chars: list[str] = []
    kept: set[int] = set()  # positions of escaped characters, never trimmed
    position = 0
    while position <= len(cell):
        char = cell[position] if position < len(cell) else ","
        if char == "\\":
            if position + 1 >= len(cell):
                raise ValueError("the cell ends with a lone backslash")
            kept.add(len(chars))
            chars.append(cell[position + 1])
            position += 2
            continue
        if char == ",":
            start, end = 0, len(chars)
            while start < end and chars[start].isspace() and start not in kept:
                start += 1
            while end > start and chars[end - 1].isspace() and end - 1 not in kept:
                end -= 1
            if end > start:
                items.append("".join(chars[start:end]))
            chars, kept = [], set()
        else:
            chars.append(char)
        position += 1
    return items


# --- Export --------------------------------------------------------------------


def export_rows(members: QuerySet[User] | None = None) -> Iterator[dict[str, str]]:
    """One dict per member, in a bounded number of queries per batch.

    ``members`` narrows the export (the admin list's search and filters); it is
    read as a set of ids, so its ordering and joins do not matter.
    """
    tiers = {t.pk: t.slug for t in Tier.objects.all()}
    chosen = queries.members()
    if members is not None:
        chosen = chosen.filter(pk__in=members.order_by().values("pk"))
    members = chosen.order_by("pk")
    last = 0
    while True:
        batch = list(members.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        ids = [u.pk for u in batch]
        last = ids[-1]
        labels: dict[int, list[str]] = {}
        through = User.labels.through.objects.filter(user_id__in=ids)
        for user_id, name in through.values_list("user_id", "label__name"):
            labels.setdefault(user_id, []).append(name)
        comps: dict[int, list[ComplimentaryAccess]] = {}
        for comp in queries.live_comps().filter(user_id__in=ids):
            comps.setdefault(comp.user_id, []).append(comp)
        subs: dict[int, list[tuple[int, datetime | None]]] = {}
        customers: dict[int, str] = {}
        live = queries.live_subscriptions().filter(user_id__in=ids)
        for user_id, tier_id, period_end, customer in live.values_list(
            "user_id", "tier_id", "current_period_end", "provider_customer_id"
        ):
            subs.setdefault(user_id, []).append((tier_id, period_end))
            if customer:
                customers.setdefault(user_id, customer)
        choices: dict[int, list[str]] = {}
        for extra in hooks.collect("members_csv_newsletters", ids):
            if isinstance(extra, dict):
                choices.update(extra)
        for user in batch:
            member_comps = comps.get(user.pk, [])
            member_subs = subs.get(user.pk, [])
            if user.status == MemberStatus.COMPED:
                grants = [(c.tier_id, c.ends_at) for c in member_comps]
            else:
                grants = member_subs
            ends = [c.ends_at for c in member_comps if c.ends_at]
            period_end = max((e for _, e in member_subs if e), default=None)
            row = {
                "email": user.email,
                "name": user.name,
                "note": user.note,
                "labels": _join(labels.get(user.pk, [])),
                "status": user.status,
                "tiers": _tiers_cell(
                    [(tiers[t], end) for t, end in grants if t in tiers]
                ),
                "complimentary_until": max(ends).isoformat() if ends else "",
                "newsletters": _join(choices.get(user.pk, [])),
                "stripe_customer_id": (
                    user.stripe_customer_id or customers.get(user.pk, "")
                ),
                "created_at": user.date_joined.isoformat(),
                "current_period_end": period_end.isoformat() if period_end else "",
            }
            yield {column: neutralise(cell) for column, cell in row.items()}


def _tiers_cell(grants: list[tuple[str, datetime | None]]) -> str:
    """Tier slugs; each with its own end (``slug@end``) when the ends differ.

    When they agree, the end column (complimentary_until or current_period_end)
    says it once; ``slug@`` is access with no end. Slugs never hold an ``@``.
    """
    if len({end for _, end in grants}) <= 1:
        return _join(slug for slug, _ in grants)
    return _join(f"{slug}@{end.isoformat() if end else ''}" for slug, end in grants)


def export_csv(out: IO[str], *, members: QuerySet[User] | None = None) -> int:
    # CRLF rows (RFC 4180): the writer then quotes every cell holding a CR or an
    # LF, so a note with a bare CR reads back whole.
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for row in export_rows(members):
        writer.writerow(row)
        count += 1
    return count


# --- Import ----------------------------------------------------------------------


@dataclass
class Row:
    line: int
    email: str
    name: str
    note: str
    labels: list[str]
    status: str
    tiers: list[tuple[Tier, datetime | None]]  # each with its own end
    newsletters: list[str]
    stripe_customer_id: str
    created_at: datetime | None


@dataclass
class ImportReport:
    created: int = 0
    skipped_existing: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    imported: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_when(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(value)
        parsed = datetime(day.year, day.month, day.day)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    return parsed


def _read_lists(raw: dict[str, str]) -> tuple[dict[str, list[str]], str]:
    """Split the list cells of one row; the second item names what is unreadable."""
    lists: dict[str, list[str]] = {}
    for column in LIST_COLUMNS:
        try:
            lists[column] = split_list(raw.get(column, ""))
        except ValueError as error:
            return lists, f"{column}: {error}"
    return lists, ""


def _check(
    reader: csv.DictReader[str], tiers: dict[str, Tier]
) -> tuple[list[Row], list[tuple[int, str]]]:
    rows: list[Row] = []
    errors: list[tuple[int, str]] = []
    seen: set[str] = set()
    read_up_to = reader.line_num
    for raw in reader:
        # A quoted cell may span lines (notes): a row starts after the last one.
        line, read_up_to = read_up_to + 1, reader.line_num
        if None in raw:
            errors.append((line, "more cells than columns"))
            continue
        raw = {key: restore(value or "") for key, value in raw.items()}
        email = raw["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.append((line, f"not an email address: {email!r}"))
            continue
        if email in seen:
            errors.append((line, f"{email} appears twice in the file"))
            continue
        status = (raw.get("status") or MemberStatus.FREE).strip().lower()
        if status not in MemberStatus.values:
            errors.append((line, f"unknown status {status!r}"))
            continue
        lists, unreadable = _read_lists(raw)
        if unreadable:
            errors.append((line, unreadable))
            continue
        items = [item.partition("@") for item in lists["tiers"]]
        unknown = [slug for slug, _, _ in items if slug not in tiers]
        if unknown:
            errors.append((line, f"unknown tier {', '.join(unknown)}"))
            continue
        if status != MemberStatus.FREE and not items:
            errors.append((line, f"status {status} needs a tier"))
            continue
        try:
            comp_until = _parse_when(raw.get("complimentary_until", ""))
            created = _parse_when(raw.get("created_at", ""))
            period_end = _parse_when(raw.get("current_period_end", ""))
            default = period_end if status == MemberStatus.PAID else comp_until
            grants = [
                (tiers[slug], _parse_when(when) if at else default)
                for slug, at, when in items
            ]
        except ValueError as error:
            errors.append((line, f"not a date: {error}"))
            continue
        customer = raw.get("stripe_customer_id", "").strip()
        if status == MemberStatus.PAID and any(end is None for _, end in grants):
            # An import row with no end would give paid access for ever.
            errors.append(
                (line, "status paid needs current_period_end (the subscription's end)")
            )
            continue
        if status == MemberStatus.PAID and not customer:
            # Without it the subscription can never be linked to the provider's.
            errors.append((line, "status paid needs stripe_customer_id"))
            continue
        name = (raw.get("name") or "").strip()
        if len(name) > 150:
            errors.append((line, "name longer than 150 characters"))
            continue
        seen.add(email)
        rows.append(
            Row(
                line=line,
                email=email,
                name=name,
                note=raw.get("note", ""),
                labels=lists["labels"],
                status=status,
                tiers=grants,
                newsletters=lists["newsletters"],
                stripe_customer_id=customer,
                created_at=created,
            )
        )
    return rows, errors


def import_csv(
    source: IO[str] | str,
    *,
    all_or_nothing: bool = False,
    actor: User | None = None,
) -> ImportReport:
    """Import members from CSV text; see the module docstring."""
    stream = io.StringIO(source) if isinstance(source, str) else source
    reader = csv.DictReader(stream)
    report = ImportReport()
    header = reader.fieldnames or []
    if "email" not in header:
        report.errors.append((1, "the header has no 'email' column"))
        report.imported = False
        return report
    tiers = {t.slug: t for t in Tier.objects.all()}
    try:
        rows, report.errors = _check(reader, tiers)
    except csv.Error as error:
        report.errors.append((reader.line_num, f"unreadable CSV: {error}"))
        report.imported = False
        return report
    if report.errors and all_or_nothing:
        report.imported = False
        return report
    existing = set()
    emails = [r.email for r in rows]
    for start in range(0, len(emails), 5000):
        chunk = emails[start : start + 5000]
        existing.update(
            e.lower()
            for e in User.objects.filter(email__in=chunk).values_list(
                "email", flat=True
            )
        )
    fresh = [r for r in rows if r.email not in existing]
    report.skipped_existing = len(rows) - len(fresh)
    with transaction.atomic():
        user_ids = _bulk_insert(fresh, actor=actor)
        for row in fresh:
            if row.status == MemberStatus.PAID:
                # After the commit, so the task finds the member; the task is
                # idempotent (subscriptions are upserted by provider id).
                enqueue(tasks.link_imported_customer, user_ids[row.email])
    report.created = len(fresh)
    return report


def _bulk_insert(rows: list[Row], *, actor: User | None) -> dict[str, int]:
    """Insert the members and what they own; return their ids by email."""
    if connection.vendor == "postgresql":
        return _copy_insert(rows, actor=actor)
    ids: dict[str, int] = {}
    now = timezone.now()
    password = make_password(None)
    labels = _ensure_labels({name for r in rows for name in r.labels})
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        users = User.objects.bulk_create(
            [
                User(
                    email=r.email,
                    first_name=r.name,
                    note=r.note,
                    status=r.status,
                    stripe_customer_id=r.stripe_customer_id,
                    date_joined=r.created_at or now,
                    email_confirmed_at=r.created_at or now,
                    password=password,
                )
                for r in chunk
            ],
            batch_size=BATCH,
        )
        if not all(u.pk for u in users):  # backends without RETURNING
            by_email = dict(
                User.objects.filter(email__in=[r.email for r in chunk]).values_list(
                    "email", "pk"
                )
            )
            for user in users:
                user.pk = by_email[user.email]
        ids.update((user.email, user.pk) for user in users)
        through = User.labels.through
        links, comps, subs, events = [], [], [], []
        for row, user in zip(chunk, users, strict=True):
            links += [through(user_id=user.pk, label_id=labels[n]) for n in row.labels]
            if row.status == MemberStatus.COMPED:
                comps += [
                    ComplimentaryAccess(
                        user_id=user.pk,
                        tier=tier,
                        ends_at=ends,
                        granted_by=actor,
                        reason="imported",
                    )
                    for tier, ends in row.tiers
                ]
            elif row.status == MemberStatus.PAID:
                subs += [
                    Subscription(
                        user_id=user.pk,
                        tier=tier,
                        provider="import",
                        provider_customer_id=row.stripe_customer_id,
                        status=SubscriptionStatus.ACTIVE,
                        current_period_end=ends,
                    )
                    for tier, ends in row.tiers
                ]
            events.append(
                MemberEvent(
                    user_id=user.pk,
                    kind=EventKind.IMPORTED,
                    source=EventSource.IMPORT,
                    actor=actor,
                    data={"line": row.line, "status": row.status},
                    created_at=now,
                )
            )
        through.objects.bulk_create(links, batch_size=BATCH)
        ComplimentaryAccess.objects.bulk_create(comps, batch_size=BATCH)
        Subscription.objects.bulk_create(subs, batch_size=BATCH)
        MemberEvent.objects.bulk_create(events, batch_size=BATCH)
        choices = {u.pk: r.newsletters for r, u in zip(chunk, users, strict=True)}
        if any(choices.values()):
            hooks.emit("members_imported", choices)
    return ids


def _ensure_labels(names: set[str]) -> dict[str, int]:
    found = dict(Label.objects.filter(name__in=names).values_list("name", "pk"))
    missing = [Label(name=n) for n in sorted(names) if n not in found]
    if missing:
        Label.objects.bulk_create(missing, ignore_conflicts=True)
        found = dict(Label.objects.filter(name__in=names).values_list("name", "pk"))
    return found


def _copy(model: Any, rows: list[dict[str, Any]]) -> None:
    """Write ``rows`` (attname -> value) into ``model``'s table with COPY."""
    if not rows:
        return
    names = list(rows[0])
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(n).column) for n in names
    )
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[n] for n in names])


def _copy_insert(rows: list[Row], *, actor: User | None) -> dict[str, int]:
    """The PostgreSQL path: COPY instead of INSERTs (100,000 rows in seconds)."""
    now = timezone.now()
    password = make_password(None)
    labels = _ensure_labels({name for r in rows for name in r.labels})
    _copy(
        User,
        [
            {
                "email": r.email,
                "first_name": r.name,
                "last_name": "",
                "note": r.note,
                "status": r.status,
                "stripe_customer_id": r.stripe_customer_id,
                "date_joined": r.created_at or now,
                "email_confirmed_at": r.created_at or now,
                "password": password,
                "uuid": uuid.uuid4(),
                "is_staff": False,
                "is_superuser": False,
                "is_active": True,
                "auth_epoch": 0,
            }
            for r in rows
        ],
    )
    ids: dict[str, int] = {}
    emails = [r.email for r in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(emails), 20000):
            cursor.execute(
                "SELECT email, id FROM members_user WHERE email = ANY(%s)",
                [emails[start : start + 20000]],
            )
            ids.update(cursor.fetchall())
    actor_id = actor.pk if actor else None
    links, comps, subs, events = [], [], [], []
    for r in rows:
        user_id = ids[r.email]
        links += [{"user": user_id, "label": labels[n]} for n in r.labels]
        for tier, ends in r.tiers:
            if r.status == MemberStatus.COMPED:
                comps.append(
                    {
                        "user": user_id,
                        "tier": tier.pk,
                        "starts_at": now,
                        "ends_at": ends,
                        "reason": "imported",
                        "granted_by": actor_id,
                    }
                )
            elif r.status == MemberStatus.PAID:
                subs.append(
                    {
                        "user": user_id,
                        "tier": tier.pk,
                        "provider": "import",
                        "provider_customer_id": r.stripe_customer_id,
                        "status": SubscriptionStatus.ACTIVE.value,
                        "current_period_end": ends,
                        "interval": "",
                        "cancel_at_period_end": False,
                        "last_event_created": 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        events.append(
            {
                "user": user_id,
                "kind": EventKind.IMPORTED.value,
                "source": EventSource.IMPORT.value,
                "actor": actor_id,
                "data": json.dumps({"line": r.line, "status": r.status}),
                "reason": "",
                "created_at": now,
            }
        )
    through = User.labels.through
    _copy(through, [{"user_id": x["user"], "label_id": x["label"]} for x in links])
    _copy(ComplimentaryAccess, comps)
    _copy(Subscription, subs)
    _copy(MemberEvent, events)
    choices = {ids[r.email]: r.newsletters for r in rows if r.newsletters}
    if choices:
        hooks.emit("members_imported", choices)
    return ids
