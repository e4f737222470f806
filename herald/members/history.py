"""A member's history in words, for the members admin.

Each ``MemberEvent`` row becomes one sentence ("Moved from Free to
Complimentary Patron until 31 March 2027"), with who did it and why. A status
change written by the same action as the change that caused it (a grant, a
subscription update) is folded into that sentence. Raw ``data`` is never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .models import (
    EventKind,
    EventSource,
    Interval,
    MemberEvent,
    MemberStatus,
    SubscriptionStatus,
    format_money,
)

# A status change this close to the change that caused it is the same action.
FOLD_WINDOW = timedelta(seconds=5)
FOLDS_INTO = (
    EventKind.COMP_GRANTED,
    EventKind.COMP_REVOKED,
    EventKind.SUBSCRIPTION_CHANGED,
)


@dataclass(frozen=True)
class Entry:
    """One line of the timeline."""

    when: datetime
    kind: str
    text: str
    by: str
    reason: str = ""
    reference: str = ""


def _date(value: Any, zone: tzinfo) -> str:
    if isinstance(value, str):
        value = parse_datetime(value)
    if not isinstance(value, datetime):
        return ""
    return formats.date_format(timezone.localtime(value, zone), "DATE_FORMAT")


def _status(value: Any) -> str:
    try:
        return str(MemberStatus(value).label)
    except ValueError:
        return str(value or _("unknown"))


def _sub_status(value: Any) -> str:
    try:
        return str(SubscriptionStatus(value).label)
    except ValueError:
        return str(value or _("unknown"))


def _by(event: MemberEvent) -> str:
    if event.source == EventSource.MEMBER:
        return _("by the member")
    if event.source == EventSource.PROVIDER:
        return _("by the payment provider")
    if event.source == EventSource.IMPORT:
        who = event.actor.get_full_name() if event.actor else ""
        return _("by an import (%(who)s)") % {"who": who} if who else _("by an import")
    if event.actor is not None:
        return _("by %(who)s") % {"who": event.actor.get_full_name()}
    if event.source == EventSource.STAFF:
        return _("by a newsroom account that no longer exists")
    return _("automatically")


def _tier(data: dict[str, Any], tiers: dict[str, str]) -> str:
    slug = data.get("tier") or ""
    return tiers.get(slug, slug) or _("a tier that no longer exists")


def _subscription_text(data: dict[str, Any], tiers: dict[str, str], zone: Any) -> str:
    tier = _tier(data, tiers)
    status = data.get("status")
    before = data.get("previous_status")
    end = _date(data.get("current_period_end"), zone)
    if status == SubscriptionStatus.CANCELED:
        return _("%(tier)s subscription cancelled") % {"tier": tier}
    if before is None:
        text = _("Started a %(tier)s subscription (%(status)s)") % {
            "tier": tier,
            "status": _sub_status(status).lower(),
        }
    elif before != status:
        text = _("%(tier)s subscription went from %(before)s to %(after)s") % {
            "tier": tier,
            "before": _sub_status(before).lower(),
            "after": _sub_status(status).lower(),
        }
    elif data.get("cancel_at_period_end"):
        return _("%(tier)s subscription set to end on %(date)s") % {
            "tier": tier,
            "date": end,
        }
    else:
        text = _("%(tier)s subscription renewed") % {"tier": tier}
    if end and status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        if data.get("cancel_at_period_end"):
            text += ", " + _("ends on %(date)s") % {"date": end}
        else:
            text += ", " + _("runs until %(date)s") % {"date": end}
    return text


def describe(event: MemberEvent, *, tiers: dict[str, str], zone: Any) -> str:
    """One sentence saying what ``event`` changed."""
    data = event.data if isinstance(event.data, dict) else {}
    kind = event.kind
    if kind == EventKind.SIGNED_UP:
        text = _("Signed up")
        if data.get("offer"):
            text += " " + _("through the offer “%(code)s”") % {"code": data["offer"]}
        if data.get("choices"):
            text += "; " + _("chose %(list)s") % {"list": ", ".join(data["choices"])}
        return text
    if kind == EventKind.SIGNED_IN:
        return _("Signed in")
    if kind == EventKind.SIGNED_OUT_EVERYWHERE:
        return _("Signed out on every device")
    if kind == EventKind.EMAIL_CHANGED:
        return _("Changed email address from %(old)s to %(new)s") % {
            "old": data.get("from", "?"),
            "new": data.get("to", "?"),
        }
    if kind == EventKind.NAME_CHANGED:
        if not data.get("from"):
            return _("Set name to “%(new)s”") % {"new": data.get("to", "")}
        if not data.get("to"):
            return _("Removed name “%(old)s”") % {"old": data.get("from", "")}
        return _("Changed name from “%(old)s” to “%(new)s”") % {
            "old": data["from"],
            "new": data["to"],
        }
    if kind == EventKind.STATUS_CHANGED:
        return _("Moved from %(old)s to %(new)s") % {
            "old": _status(data.get("from")),
            "new": _status(data.get("to")),
        }
    if kind == EventKind.SUBSCRIPTION_CHANGED:
        return _subscription_text(data, tiers, zone)
    if kind == EventKind.PAYMENT:
        return _("Paid %(amount)s") % {
            "amount": format_money(data.get("amount"), data.get("currency") or "")
        }
    if kind == EventKind.COMP_GRANTED:
        end = _date(data.get("ends_at"), zone)
        if end:
            return _("Given complimentary %(tier)s access until %(date)s") % {
                "tier": _tier(data, tiers),
                "date": end,
            }
        return _("Given complimentary %(tier)s access with no end date") % {
            "tier": _tier(data, tiers)
        }
    if kind == EventKind.COMP_REVOKED:
        return _("Complimentary %(tier)s access ended") % {"tier": _tier(data, tiers)}
    if kind == EventKind.LABEL_ADDED:
        return _("Label “%(label)s” added") % {"label": data.get("label", "")}
    if kind == EventKind.LABEL_REMOVED:
        return _("Label “%(label)s” removed") % {"label": data.get("label", "")}
    if kind == EventKind.NOTE_CHANGED:
        return _("Note changed")
    if kind == EventKind.UNSUBSCRIBED:
        return _("Unsubscribed from all mail")
    if kind == EventKind.IMPORTED:
        return _("Imported from a CSV file as %(status)s") % {
            "status": _status(data.get("status")).lower()
        }
    if kind == EventKind.EXPORTED:
        return _("Downloaded their data")
    if kind == EventKind.DELETED:
        return _("Deleted the account")
    return str(event.get_kind_display())


def _folded(
    status: MemberEvent, cause: MemberEvent, *, tiers: dict[str, str], zone: Any
) -> str:
    """ "Moved from Free to Complimentary Patron until …": a move and its cause."""
    data = status.data if isinstance(status.data, dict) else {}
    cause_data = cause.data if isinstance(cause.data, dict) else {}
    old = _status(data.get("from"))
    if cause.kind == EventKind.COMP_GRANTED and data.get("to") == MemberStatus.COMPED:
        end = _date(cause_data.get("ends_at"), zone)
        values = {"old": old, "tier": _tier(cause_data, tiers), "date": end}
        if end:
            return _("Moved from %(old)s to Complimentary %(tier)s until %(date)s") % (
                values
            )
        return _("Moved from %(old)s to Complimentary %(tier)s with no end date") % (
            values
        )
    moved = _("Moved from %(old)s to %(new)s") % {
        "old": old,
        "new": _status(data.get("to")),
    }
    text = describe(cause, tiers=tiers, zone=zone)
    return f"{moved}: {text[:1].lower()}{text[1:]}"


def _same_action(a: MemberEvent, b: MemberEvent) -> bool:
    return (
        a.actor_id == b.actor_id
        and a.source == b.source
        and abs(a.created_at - b.created_at) <= FOLD_WINDOW
    )


def timeline(
    events: list[MemberEvent], *, tiers: dict[str, str], zone: Any
) -> list[Entry]:
    """The entries for ``events`` (newest first), with status moves folded in."""
    entries: list[Entry] = []
    skip: set[int] = set()
    for index, event in enumerate(events):
        if index in skip:
            continue
        text = describe(event, tiers=tiers, zone=zone)
        if event.kind == EventKind.STATUS_CHANGED:
            # Newest first: the cause was written just before, so it comes next.
            following = events[index + 1] if index + 1 < len(events) else None
            if (
                following is not None
                and following.kind in FOLDS_INTO
                and _same_action(event, following)
            ):
                text = _folded(event, following, tiers=tiers, zone=zone)
                skip.add(index + 1)
        reference = ""
        reason = event.reason
        if event.source == EventSource.PROVIDER and reason:
            # "invoice.paid evt_…": the provider's event, for looking it up there.
            reference, reason = reason.split(" ")[-1], ""
        entries.append(
            Entry(
                when=event.created_at,
                kind=event.kind,
                text=text,
                by=_by(event),
                reason=reason,
                reference=reference,
            )
        )
    return entries


def interval_label(value: str) -> str:
    try:
        return str(Interval(value).label)
    except ValueError:
        return ""
