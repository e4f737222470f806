"""Subscribers of one newsletter as CSV, both ways.

Columns: email, state, source, member_email, confirmed_at, unsubscribed_at,
created_at. Export then import into a newsletter without those addresses gives
the same rows (states, sources, dates). Import never touches an address the
newsletter already has: an unsubscribed reader stays unsubscribed whatever the
file says. Every line is checked first; one bad line and nothing is imported,
and the report names each bad line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.dateparse import parse_datetime

from .models import Newsletter, Subscription, SubscriptionSource, SubscriptionState

if TYPE_CHECKING:
    from herald.members.models import User

COLUMNS = (
    "email",
    "state",
    "source",
    "member_email",
    "confirmed_at",
    "unsubscribed_at",
    "created_at",
)
MAX_ROWS = 200_000


def _when(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def export_csv(newsletter: Newsletter, out: TextIO) -> int:
    """Write every subscription row of ``newsletter``; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    rows = (
        Subscription.objects.filter(newsletter=newsletter)
        .select_related("member")
        .order_by("email")
    )
    for row in rows.iterator(chunk_size=2000):
        writer.writerow(
            [
                row.email,
                row.state,
                row.source,
                row.member.email if row.member else "",
                _when(row.confirmed_at),
                _when(row.unsubscribed_at),
                _when(row.created_at),
            ]
        )
        count += 1
    return count


@dataclass
class Row:
    line: int
    email: str
    state: str
    source: str
    member_email: str
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    created_at: datetime | None


@dataclass
class ImportReport:
    created: int = 0
    skipped_existing: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.errors


def _date(raw: str, name: str) -> datetime | None:
    if not raw.strip():
        return None
    value = parse_datetime(raw.strip())
    if value is None:
        raise ValueError(f"{name} is not a date and time (ISO 8601): {raw!r}")
    return value


def read_rows(text: str) -> tuple[list[Row], list[tuple[int, str]]]:
    """Parse and check every line; (good rows, [(line, reason)])."""
    reader = csv.DictReader(io.StringIO(text))
    fields = [name.strip() for name in reader.fieldnames or []]
    if "email" not in fields:
        return [], [(1, "The header has no email column.")]
    unknown = set(fields) - set(COLUMNS)
    if unknown:
        return [], [(1, f"Unknown columns: {', '.join(sorted(unknown))}.")]
    rows: list[Row] = []
    errors: list[tuple[int, str]] = []
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            errors.append((number, f"More than {MAX_ROWS} rows."))
            break
        cells = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        email = cells.get("email", "")
        try:
            validate_email(email)
            if "\n" in email or "\r" in email:
                raise ValidationError("newline")
        except ValidationError:
            errors.append((number, f"Not an email address: {email!r}."))
            continue
        if email.lower() in seen:
            errors.append((number, f"{email} appears twice in the file."))
            continue
        seen.add(email.lower())
        state = cells.get("state") or SubscriptionState.SUBSCRIBED
        if state not in SubscriptionState.values:
            errors.append((number, f"Unknown state {state!r}."))
            continue
        source = cells.get("source") or SubscriptionSource.IMPORT
        if source not in SubscriptionSource.values:
            errors.append((number, f"Unknown source {source!r}."))
            continue
        try:
            rows.append(
                Row(
                    line=number,
                    email=email,
                    state=state,
                    source=source,
                    member_email=cells.get("member_email", ""),
                    confirmed_at=_date(cells.get("confirmed_at", ""), "confirmed_at"),
                    unsubscribed_at=_date(
                        cells.get("unsubscribed_at", ""), "unsubscribed_at"
                    ),
                    created_at=_date(cells.get("created_at", ""), "created_at"),
                )
            )
        except ValueError as exc:
            errors.append((number, str(exc)))
    return rows, errors


def import_csv(
    newsletter: Newsletter, text: str, *, actor: User | None = None
) -> ImportReport:
    """Check the whole file, then import its new addresses in one transaction."""
    from . import actions

    rows, errors = read_rows(text)
    if errors:
        return ImportReport(errors=errors)
    created, skipped = actions.import_subscribers(newsletter, rows=rows, actor=actor)
    return ImportReport(created=created, skipped_existing=skipped)
