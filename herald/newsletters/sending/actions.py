"""Every write of the sending pipeline: sends, batches and deliveries.

The guarantees are in ``herald/newsletters/CONTEXT.md`` ("The sending
pipeline"). In short: a send is started once (a conditional UPDATE on its
state); its recipients are written once, in one transaction, one row each
(unique per send and address); a batch is claimed by one worker at a time
(a conditional UPDATE plus a lease) and its deliveries are marked ``sending``
*before* the provider is called, so a worker that dies leaves rows that say
"handed over, answer unknown" instead of rows that would be sent again.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from herald.members.access import ANONYMOUS, Reader

from . import rendering, transport
from .models import (
    Batch,
    BatchState,
    Click,
    Delivery,
    DeliveryState,
    Segment,
    Send,
    SendKind,
    SendState,
    SkipReason,
    Variant,
)

log = logging.getLogger("herald.newsletters.sending")


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def batch_size() -> int:
    return int(_setting("HERALD_NEWSLETTER_BATCH_SIZE", 100))


def lease_seconds() -> float:
    return float(_setting("HERALD_NEWSLETTER_LEASE_SECONDS", 300))


def max_attempts() -> int:
    return int(_setting("HERALD_NEWSLETTER_MAX_ATTEMPTS", 5))


def backoff(attempts: int) -> timedelta:
    """Wait before trying a refused batch again: 30 s, 1, 2, 4 … minutes."""
    base = float(_setting("HERALD_NEWSLETTER_RETRY_SECONDS", 30))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


class SendError(Exception):
    """A send cannot do what was asked; ``code`` says why (for a 409/400)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- Creating and starting ----------------------------------------------------


def create_send(
    newsletter: Any,
    *,
    subject: str,
    article: Any = None,
    title: str = "",
    body: str = "",
    segment: str = Segment.EVERYONE,
    tier: Any = None,
    kind: str | None = None,
    digest_articles: list[int] | None = None,
    digest_key: str = "",
    form_key: str = "",
    created_by: Any = None,
) -> Send:
    """Create a draft send of ``article`` (or of an email-only story)."""
    if segment == Segment.TIER and tier is None:
        raise SendError("tier_required", "Choose the tier this send goes to.")
    if kind is None:
        kind = SendKind.STORY if article is not None else SendKind.EMAIL_ONLY
    if kind == SendKind.EMAIL_ONLY and not (body or "").strip():
        raise SendError("body_required", "An email-only story needs some text.")
    return Send.objects.create(
        newsletter=newsletter,
        subject=subject.strip()[:200],
        article=article,
        title=title,
        body=body,
        segment=segment,
        tier=tier if segment == Segment.TIER else None,
        kind=kind,
        digest_articles=digest_articles or [],
        digest_key=digest_key,
        form_key=form_key,
        created_by=created_by,
    )


def _move_send(
    send: Send, to: str, *, allowed_from: Iterable[str], **fields: Any
) -> bool:
    """Move ``send`` to ``to`` if it is in one of ``allowed_from`` (one UPDATE)."""
    updated = Send.objects.filter(pk=send.pk, state__in=list(allowed_from)).update(
        state=to, updated_at=timezone.now(), **fields
    )
    if updated:
        send.state = to
        for name, value in fields.items():
            setattr(send, name, value)
    return bool(updated)


def schedule_send(send: Send, *, at: datetime) -> Send:
    """Send ``send`` at ``at`` (the beat tick starts it then)."""
    if not _move_send(
        send,
        SendState.SCHEDULED,
        allowed_from=[SendState.DRAFT, SendState.SCHEDULED],
        scheduled_at=at,
    ):
        raise SendError(
            "not_draft", f"This send is {send.state} and cannot be scheduled."
        )
    return send


def start_send(send: Send, *, now: datetime | None = None) -> Send:
    """Start sending now; refuse a send that has started already.

    One conditional UPDATE (draft/scheduled → sending): of two clicks, two
    requests or two beat ticks, exactly one wins; the others get
    ``SendError("already_started")`` (a 409 for the editor).
    """
    now = now or timezone.now()
    newsletter = send.newsletter
    started = _move_send(
        send,
        SendState.SENDING,
        allowed_from=[SendState.DRAFT, SendState.SCHEDULED],
        started_at=now,
        track_opens=bool(getattr(newsletter, "track_opens", False)),
        track_clicks=bool(getattr(newsletter, "track_clicks", False)),
    )
    if not started:
        send.refresh_from_db(fields=["state"])
        raise SendError(
            "already_started",
            f"This send has already started (it is {send.get_state_display()}).",
        )
    _queue_prepare(send)
    return send


def cancel_send(send: Send) -> bool:
    """Cancel ``send``; batches not yet handed over are not sent."""
    cancelled = _move_send(
        send,
        SendState.CANCELLED,
        allowed_from=[SendState.DRAFT, SendState.SCHEDULED, SendState.SENDING],
        finished_at=timezone.now(),
    )
    if cancelled:
        with transaction.atomic():
            Batch.objects.filter(send=send, state=BatchState.PENDING).update(
                state=BatchState.DONE, finished_at=timezone.now()
            )
    return cancelled


def _queue_prepare(send: Send) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.prepare_send.delay(send.pk))


def _queue_work(send: Send, *, workers: int | None = None) -> None:
    from . import tasks

    count = workers or int(_setting("HERALD_NEWSLETTER_PARALLEL", 2))
    for _ in range(max(count, 1)):
        transaction.on_commit(lambda: tasks.work_send.delay(send.pk))


def send_now(
    newsletters: Iterable[Any],
    *,
    form_key: str,
    publish: bool = False,
    user: Any = None,
    **content: Any,
) -> list[Send]:
    """Create and start one send per newsletter, publishing the story first.

    One transaction: the article's latest revision is published (when
    ``publish``) and the sends start together, or nothing happens. The same
    ``form_key`` twice (a double click, a reload) raises
    ``SendError("already_started")`` and sends nothing more.
    """
    from django.db import IntegrityError

    if not form_key:
        raise SendError("form_key_required", "The form lost its key; reload it.")
    newsletters = list(newsletters)
    if not newsletters:
        raise SendError("newsletter_required", "Choose at least one newsletter.")
    if Send.objects.filter(form_key=form_key).exists():
        raise SendError("already_started", "These sends have already started.")
    try:
        with transaction.atomic():
            article = content.get("article")
            if publish and article is not None:
                from herald.newsroom.actions import publish_article

                publish_article(article, user=user)
                article.refresh_from_db()
            if article is not None and not article.live:
                raise SendError(
                    "not_live", "Publish the story first (or use Publish and send)."
                )
            sends = []
            for newsletter in newsletters:
                send = create_send(
                    newsletter, form_key=form_key, created_by=user, **content
                )
                start_send(send)
                sends.append(send)
    except IntegrityError as exc:  # the same form, submitted at the same moment
        raise SendError("already_started", "These sends have already started.") from exc
    return sends


# --- Recipients ---------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    subscription_id: int | None
    email: str
    reader: Reader


def _member_access(member_ids: list[int]) -> dict[int, tuple[frozenset[int], bool]]:
    """(tier ids, has paid access) of many members, in three queries."""
    from herald.members.models import Tier
    from herald.members.queries import live_comps, live_subscriptions

    found: dict[int, set[int]] = {}
    paid: set[int] = set()
    free_tiers = set(
        Tier.objects.filter(is_paid=False, is_active=True).values_list("id", flat=True)
    )
    step = 5000
    for i in range(0, len(member_ids), step):
        chunk = member_ids[i : i + step]
        for qs in (
            live_subscriptions().filter(user_id__in=chunk, tier__isnull=False),
            live_comps().filter(user_id__in=chunk),
        ):
            for user_id, tier_id, is_paid in qs.values_list(
                "user_id", "tier_id", "tier__is_paid"
            ).order_by():
                found.setdefault(user_id, set()).add(tier_id)
                if is_paid:
                    paid.add(user_id)
    return {
        uid: (frozenset(found.get(uid, set()) | free_tiers), uid in paid)
        for uid in member_ids
    }


def recipients(send: Send) -> list[Recipient]:
    """Who ``send`` goes to: confirmed subscribers of the newsletter in its segment."""
    from herald.newsletters.queries import subscribers

    rows = list(
        subscribers(send.newsletter)
        .values_list(
            "id", "email", "member_id", "member__is_active", "member__is_staff"
        )
        .order_by("id")
    )
    member_ids = [r[2] for r in rows if r[2] is not None and r[3]]
    access = _member_access(member_ids)
    out = []
    for sub_id, email, member_id, active, staff in rows:
        if member_id is not None and active:
            tiers, has_paid = access[member_id]
            reader = Reader(
                is_authenticated=True,
                is_staff=bool(staff),
                has_paid=has_paid,
                tier_ids=tiers,
            )
        else:
            reader = ANONYMOUS
        if not _in_segment(send, reader):
            continue
        out.append(Recipient(sub_id, email, reader))
    return out


def _in_segment(send: Send, reader: Reader) -> bool:
    if send.segment == Segment.EVERYONE:
        return True
    if send.segment == Segment.FREE:
        return not reader.has_paid
    if send.segment == Segment.PAID:
        return reader.has_paid
    if send.segment == Segment.TIER:
        return send.tier_id in reader.tier_ids
    return False


def _suppressed(emails: list[str]) -> set[str]:
    """Addresses that must never be emailed again (hard bounces, complaints)."""
    try:
        from herald.outbox.queries import suppressed_among
    except ImportError:  # the outbox app is not installed
        return set()
    return {e.lower() for e in suppressed_among(emails)}


# --- Preparing: render once per variant, write one row per recipient ------------


def prepare_send(send_id: int) -> bool:
    """Write the send's renderings, batches and deliveries, once.

    Idempotent: it runs in one transaction holding the send's row lock and does
    nothing when ``prepared_at`` is set, so a second run (a retried task, the
    beat tick after a crash) finds the work done or, if the first run died,
    nothing half-written.
    """
    with transaction.atomic():
        send = (
            Send.objects.select_for_update(of=("self",))
            .select_related("newsletter", "article")
            .filter(pk=send_id)
            .first()
        )
        if send is None or send.state != SendState.SENDING or send.prepared_at:
            return False
        began = time.perf_counter()
        people = recipients(send)
        by_variant: dict[str, Reader] = {}
        variants = []
        for person in people:
            variant = rendering.variant_for(person.reader, send)
            by_variant.setdefault(variant, person.reader)
            variants.append(variant)
        send.renderings = {
            variant: rendering.render(send, variant, reader=reader).as_json()
            for variant, reader in by_variant.items()
        }
        rendered = time.perf_counter()
        suppressed = _suppressed([p.email for p in people])
        size = batch_size()
        sendable = [
            (p, v)
            for p, v in zip(people, variants, strict=True)
            if p.email.lower() not in suppressed
        ]
        batches = Batch.objects.bulk_create(
            [
                Batch(send=send, number=n)
                for n in range((len(sendable) + size - 1) // size)
            ]
        )
        if connection.vendor != "postgresql" or any(b.pk is None for b in batches):
            batches = list(Batch.objects.filter(send=send).order_by("number"))
        ids = [b.pk for b in batches]
        rows: list[_Row] = [
            (ids[i // size], p.subscription_id, p.email, v, DeliveryState.PENDING, "")
            for i, (p, v) in enumerate(sendable)
        ]
        rows += [
            (
                None,
                p.subscription_id,
                p.email,
                v,
                DeliveryState.SKIPPED,
                SkipReason.SUPPRESSED,
            )
            for p, v in zip(people, variants, strict=True)
            if p.email.lower() in suppressed
        ]
        _write_deliveries(send, rows)
        send.prepared_at = timezone.now()
        send.recipient_count = len(people)
        send.save(
            update_fields=["renderings", "prepared_at", "recipient_count", "updated_at"]
        )
        log.info(
            "newsletter send %s prepared: %d recipients, %d variants, "
            "recipients and rendering %.3f s, rows %.3f s",
            send.pk,
            len(people),
            len(send.renderings),
            rendered - began,
            time.perf_counter() - rendered,
        )
        if not batches:
            _finish(send)
        else:
            _queue_work(send)
    return True


# (batch id, subscription id, email, variant, state, skip reason) of a new row.
_Row = tuple[int | None, int | None, str, str, str, str]


def _write_deliveries(send: Send, rows: list[_Row]) -> None:
    """Insert the delivery rows: COPY on PostgreSQL, bulk INSERTs elsewhere."""
    if connection.vendor != "postgresql":
        Delivery.objects.bulk_create(
            [
                Delivery(
                    send=send,
                    batch_id=row[0],
                    subscription_id=row[1],
                    email=row[2],
                    variant=row[3],
                    state=row[4],
                    skip_reason=row[5],
                )
                for row in rows
            ],
            batch_size=2000,
        )
        return
    # COPY's text format, written here rather than field by field: for 100,000
    # rows the per-field adaptation was most of the prepare step.
    columns = "send_id, batch_id, subscription_id, email, token, variant, state, "
    columns += "skip_reason, provider_message_id, error, resends"
    table = connection.ops.quote_name(Delivery._meta.db_table)
    tokens = _random_uuids(len(rows))
    send_id = str(send.pk)
    step = 5000
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for start in range(0, len(rows), step):
            lines = [
                "\t".join(
                    (
                        send_id,
                        "\\N" if batch_id is None else str(batch_id),
                        "\\N" if subscription_id is None else str(subscription_id),
                        _copy_text(email),
                        token,
                        variant,
                        state,
                        skip_reason,
                        "",
                        "",
                        "0",
                    )
                )
                for (
                    batch_id,
                    subscription_id,
                    email,
                    variant,
                    state,
                    skip_reason,
                ), token in zip(
                    rows[start : start + step],
                    tokens[start : start + step],
                    strict=True,
                )
            ]
            copy.write("\n".join(lines) + "\n")


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    """``value`` as a field of COPY's text format."""
    return value.translate(_COPY_ESCAPES)


_VARIANT_NIBBLE = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def _random_uuids(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs as text, as ``uuid.uuid4()`` makes them."""
    raw = os.urandom(16 * count).hex()
    out = []
    for i in range(0, 32 * count, 32):
        h = raw[i : i + 32]
        out.append(
            f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT_NIBBLE[h[16]]}{h[17:20]}-{h[20:]}"
        )
    return out


# --- Working through the batches ----------------------------------------------


def claim_batch(send_id: int, *, now: datetime | None = None) -> Batch | None:
    """Take the next waiting batch of a sending send, or None when none is left.

    The conditional UPDATE (pending → sending, with a lease) is what makes the
    claim exclusive; ``SKIP LOCKED`` on PostgreSQL only saves the losers a wait.
    The batch's deliveries are marked ``sending`` in the same transaction, which
    commits before the provider is called.
    """
    now = now or timezone.now()
    for _ in range(5):
        with transaction.atomic():
            qs = Batch.objects.filter(
                send_id=send_id,
                send__state=SendState.SENDING,
                state=BatchState.PENDING,
            ).filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            batch = qs.order_by("number").first()
            if batch is None:
                return None
            lease = now + timedelta(seconds=lease_seconds())
            claimed = Batch.objects.filter(
                pk=batch.pk, state=BatchState.PENDING
            ).update(
                state=BatchState.SENDING,
                lease_until=lease,
                attempts=F("attempts") + 1,
            )
            if not claimed:
                continue
            Delivery.objects.filter(batch=batch, state=DeliveryState.PENDING).update(
                state=DeliveryState.SENDING
            )
            batch.state = BatchState.SENDING
            batch.lease_until = lease
            batch.attempts += 1
            return batch
    return None


def _unsubscribe_mailto(send: Send) -> str:
    return str(
        _setting("HERALD_NEWSLETTER_UNSUBSCRIBE_MAILTO", "")
        or (send.newsletter.reply_to or _sender_address(send))
    )


def _list_unsubscribe(unsubscribe_url: str, mailto: str, token_hex: str) -> str:
    unsubscribe = f"<{unsubscribe_url}>"
    if mailto:
        unsubscribe += f", <mailto:{mailto}?subject=unsubscribe%20{token_hex}>"
    return unsubscribe


def _headers(send: Send, delivery: Delivery, unsubscribe_url: str) -> dict[str, str]:
    domain = _domain(send)
    newsletter = send.newsletter
    unsubscribe = _list_unsubscribe(
        unsubscribe_url, _unsubscribe_mailto(send), delivery.token.hex
    )
    return {
        "List-Unsubscribe": unsubscribe,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{_header_words(newsletter.name)} "
        f"<{newsletter.slug}.list.{domain}>",
        "Message-ID": message_id(send, delivery),
        "Feedback-ID": f"{send.public_id.hex[:12]}:{newsletter.slug}:newsletter:herald",
        "Precedence": "bulk",
        "Auto-Submitted": "auto-generated",
    }


def _header_words(text: str) -> str:
    return " ".join(text.replace('"', "").replace("<", "").replace(">", "").split())


def _sender_address(send: Send) -> str:
    from email.utils import parseaddr

    return send.newsletter.sender_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _domain(send: Send) -> str:
    address = _sender_address(send)
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


def message_id(send: Send, delivery: Delivery) -> str:
    """The stable Message-ID of ``delivery``: the same on every (re)send."""
    return _message_id(delivery.token.hex, _domain(send))


def _message_id(token_hex: str, domain: str) -> str:
    return f"<nl.{token_hex}@{domain}>"


def _from_header(send: Send) -> str:
    """The From header, worked out once per send object (no query per message)."""
    cached = getattr(send, "_from_header", None)
    if cached is None:
        from email.utils import formataddr

        name = send.newsletter.sender_name or rendering._publication().name
        cached = formataddr((_header_words(name), _sender_address(send)))
        send._from_header = cached  # type: ignore[attr-defined]
    return str(cached)


def build_message(
    send: Send,
    delivery: Delivery,
    *,
    renderings: dict[str, rendering.Rendering],
    unsubscribe_url: str,
    preferences_url: str,
    connection: Any = None,
) -> EmailMultiAlternatives:
    """The email of one recipient: multipart/alternative with the list headers."""
    tracking = ""
    if send.track_opens or send.track_clicks:
        from django.urls import reverse

        tracking = rendering.absolute(
            reverse("sends:track", kwargs={"token": delivery.token.hex})
        ).rstrip("/")
    html, text = rendering.personalise(
        renderings[delivery.variant],
        unsubscribe_url=unsubscribe_url,
        preferences_url=preferences_url,
        tracking_base=tracking,
    )
    headers = _headers(send, delivery, unsubscribe_url)
    if renderings[delivery.variant].language:
        headers["Content-Language"] = renderings[delivery.variant].language
    message = EmailMultiAlternatives(
        subject=send.subject,
        body=text,
        from_email=_from_header(send),
        to=[delivery.email],
        reply_to=[send.newsletter.reply_to] if send.newsletter.reply_to else None,
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


# Per-recipient values of a batch message (see herald.outbox.batch).
MERGED = ("unsubscribe_url", "preferences_url", "tracking")
_PER_RECIPIENT_HEADERS = ("List-Unsubscribe", "Message-ID")


def build_batch_messages(
    send: Send,
    deliveries: list[Delivery],
    *,
    renderings: dict[str, rendering.Rendering],
) -> list[EmailMultiAlternatives]:
    """One email per variant for all of ``deliveries``, with per-recipient merge data.

    The text and HTML are the variant's rendering with the per-recipient links
    left as the provider's merge fields (``herald.outbox.batch.merge_field``);
    each recipient's links and list headers go in ``merge_data`` and
    ``merge_headers``. The outbox sends it as batch calls where the ESP merges
    (one API call per batch), else as one email per recipient over one
    connection (SMTP).
    """
    from django.urls import reverse

    from herald.newsletters import queries
    from herald.outbox.batch import merge_field

    fields = {name: merge_field(name) for name in MERGED}
    makers = queries.link_makers()
    by_variant: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        by_variant.setdefault(delivery.variant, []).append(delivery)
    tracked = send.track_opens or send.track_clicks
    tracking_root = ""
    if tracked:
        tracking_root = rendering.absolute(
            reverse("sends:track", kwargs={"token": "TOKEN"})
        ).rstrip("/")
    mailto = _unsubscribe_mailto(send)
    domain = _domain(send)
    messages = []
    for variant, group in by_variant.items():
        html, text = rendering.personalise(
            renderings[variant],
            unsubscribe_url=fields["unsubscribe_url"],
            preferences_url=fields["preferences_url"],
            tracking_base=fields["tracking"] if tracked else "",
        )
        first = _headers(send, group[0], "")
        shared = {k: v for k, v in first.items() if k not in _PER_RECIPIENT_HEADERS}
        if renderings[variant].language:
            shared["Content-Language"] = renderings[variant].language
        message = EmailMultiAlternatives(
            subject=send.subject,
            body=text,
            from_email=_from_header(send),
            to=[d.email for d in group],
            reply_to=[send.newsletter.reply_to] if send.newsletter.reply_to else None,
            headers=shared,
        )
        message.attach_alternative(html, "text/html")
        merge_data: dict[str, dict[str, str]] = {}
        merge_headers: dict[str, dict[str, str]] = {}
        for delivery in group:
            unsubscribe_url, preferences_url = _links(delivery, makers)
            token = delivery.token.hex
            merge_data[delivery.email] = {
                "unsubscribe_url": unsubscribe_url,
                "preferences_url": preferences_url,
            }
            if tracked:
                merge_data[delivery.email]["tracking"] = tracking_root.replace(
                    "TOKEN", token
                )
            # The values of _PER_RECIPIENT_HEADERS, as _headers() makes them.
            merge_headers[delivery.email] = {
                "List-Unsubscribe": _list_unsubscribe(unsubscribe_url, mailto, token),
                "Message-ID": _message_id(token, domain),
            }
        message.merge_data = merge_data  # type: ignore[attr-defined]
        message.merge_headers = merge_headers  # type: ignore[attr-defined]
        messages.append(message)
    return messages


def _links(
    delivery: Delivery, makers: tuple[Any, Any] | None = None
) -> tuple[str, str]:
    from herald.newsletters import queries

    subscription = delivery.subscription
    if subscription is None:
        home = rendering.base_url() + "/"
        return home, home
    if makers is not None:
        return makers[0](subscription), makers[1](subscription)
    return (
        queries.one_click_unsubscribe_url(subscription),
        queries.preferences_url(subscription),
    )


_BATCH_FIELDS = (
    "send_id",
    "batch_id",
    "subscription_id",
    "email",
    "token",
    "variant",
    "state",
    "provider_message_id",
    "error",
    "subscription__state",
    "subscription__token",
)


def send_batch(batch: Batch, *, send: Send | None = None) -> dict[str, int]:
    """Hand a claimed batch to the provider and record each recipient's outcome."""
    from herald.newsletters.models import SubscriptionState

    send = send or Send.objects.select_related("newsletter").get(pk=batch.send_id)
    renderings = {
        variant: rendering.Rendering.from_json(variant, data)
        for variant, data in send.renderings.items()
    }
    deliveries = list(
        Delivery.objects.filter(batch=batch, state=DeliveryState.SENDING)
        .select_related("subscription")
        # Only what the messages and outcomes need (a batch is thousands of rows).
        .only(*_BATCH_FIELDS)
        .order_by("id")
    )
    # Who left since the send was prepared is not mailed (skipped).
    gone = [
        d
        for d in deliveries
        if d.subscription is not None
        and d.subscription.state != SubscriptionState.SUBSCRIBED
    ]
    suppressed = _suppressed([d.email for d in deliveries])
    blocked = {d.pk for d in gone} | {
        d.pk for d in deliveries if d.email.lower() in suppressed
    }
    if blocked:
        Delivery.objects.filter(
            pk__in=[d.pk for d in gone], state=DeliveryState.SENDING
        ).update(state=DeliveryState.SKIPPED, skip_reason=SkipReason.UNSUBSCRIBED)
        Delivery.objects.filter(
            pk__in=blocked - {d.pk for d in gone}, state=DeliveryState.SENDING
        ).update(state=DeliveryState.SKIPPED, skip_reason=SkipReason.SUPPRESSED)
        deliveries = [d for d in deliveries if d.pk not in blocked]
    began = time.perf_counter()
    try:
        messages = build_batch_messages(send, deliveries, renderings=renderings)
    except Exception as exc:  # nothing was handed over: give the batch back
        log.exception("newsletter batch %s: could not build its messages", batch.pk)
        error = f"could not build the messages: {type(exc).__name__}: {exc}"
        retry = transport.Outcome(transport.RETRY, error=error[:500])
        return record_outcomes(batch, deliveries, [retry] * len(deliveries))
    built = time.perf_counter()
    try:
        by_address = transport.deliver_merged(messages) if messages else {}
        missing = transport.Outcome(transport.UNKNOWN, error="no outcome")
        outcomes = [by_address.get(d.email.lower(), missing) for d in deliveries]
    except Exception as exc:  # the provider may have some of them: do not guess
        log.exception("newsletter batch %s: the transport failed", batch.pk)
        error = f"transport error: {type(exc).__name__}: {exc}"[:500]
        outcomes = [transport.Outcome(transport.UNKNOWN, error=error)] * len(deliveries)
    handed = time.perf_counter()
    counts = record_outcomes(batch, deliveries, outcomes)
    # Read by tools/bench/send.py: where a batch's time goes.
    log.info(
        "newsletter batch %s of send %s: %d messages, build %.3f s, "
        "provider %.3f s, record %.3f s",
        batch.number,
        batch.send_id,
        len(deliveries),
        built - began,
        handed - built,
        time.perf_counter() - handed,
    )
    return counts


def record_outcomes(
    batch: Batch, deliveries: list[Delivery], outcomes: list[transport.Outcome]
) -> dict[str, int]:
    """Write each delivery's outcome and close (or give back) the batch."""
    now = timezone.now()
    by_status: dict[str, list[Delivery]] = {}
    for delivery, outcome in zip(deliveries, outcomes, strict=True):
        delivery.provider_message_id = outcome.provider_message_id[:255]
        delivery.error = outcome.error[:500]
        by_status.setdefault(outcome.status, []).append(delivery)
    counts = {status: len(rows) for status, rows in by_status.items()}
    retry = by_status.get(transport.RETRY, [])
    give_up = retry and batch.attempts >= max_attempts()
    live = [DeliveryState.SENDING, DeliveryState.UNKNOWN]
    sent = by_status.get(transport.SENT, [])
    failed = by_status.get(transport.FAILED, []) + (retry if give_up else [])
    skipped = by_status.get(transport.SKIPPED, [])
    unknown = by_status.get(transport.UNKNOWN, [])
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One UPDATE per outcome, whatever the batch size.
            _move_rows(sent, DeliveryState.SENT, live, sent_at=now, ids=True)
            _move_rows(failed, DeliveryState.FAILED, live, errors=True)
            _move_rows(
                skipped,
                DeliveryState.SKIPPED,
                [DeliveryState.SENDING],
                skip_reason=SkipReason.SUPPRESSED,
            )
            _move_rows(
                unknown, DeliveryState.UNKNOWN, [DeliveryState.SENDING], errors=True
            )
        else:
            if sent:
                Delivery.objects.filter(
                    pk__in=[d.pk for d in sent], state__in=live
                ).update(state=DeliveryState.SENT, sent_at=now)
                with_ids = [d for d in sent if d.provider_message_id]
                if with_ids:
                    Delivery.objects.bulk_update(with_ids, ["provider_message_id"])
            if failed:
                Delivery.objects.filter(
                    pk__in=[d.pk for d in failed], state__in=live
                ).update(state=DeliveryState.FAILED)
                Delivery.objects.bulk_update(failed, ["error"])
            if skipped:
                Delivery.objects.filter(
                    pk__in=[d.pk for d in skipped], state=DeliveryState.SENDING
                ).update(state=DeliveryState.SKIPPED, skip_reason=SkipReason.SUPPRESSED)
            if unknown:
                Delivery.objects.filter(
                    pk__in=[d.pk for d in unknown], state=DeliveryState.SENDING
                ).update(state=DeliveryState.UNKNOWN)
                Delivery.objects.bulk_update(unknown, ["error"])
        last_error = next((o.error for o in outcomes if o.error), "")[:2000]
        if retry and not give_up:
            if connection.vendor == "postgresql":
                _move_rows(retry, DeliveryState.PENDING, [DeliveryState.SENDING])
            else:
                Delivery.objects.filter(
                    pk__in=[d.pk for d in retry], state=DeliveryState.SENDING
                ).update(state=DeliveryState.PENDING)
            Batch.objects.filter(pk=batch.pk, state=BatchState.SENDING).update(
                state=BatchState.PENDING,
                not_before=now + backoff(batch.attempts),
                lease_until=None,
                last_error=last_error,
            )
        else:
            Batch.objects.filter(pk=batch.pk).exclude(state=BatchState.DONE).update(
                state=BatchState.DONE, finished_at=now, last_error=last_error
            )
    return counts


def _move_rows(
    deliveries: list[Delivery],
    to: str,
    allowed_from: list[str],
    *,
    sent_at: datetime | None = None,
    skip_reason: str = "",
    ids: bool = False,
    errors: bool = False,
) -> None:
    """PostgreSQL: move ``deliveries`` still in ``allowed_from`` to ``to``, one UPDATE.

    The values travel as arrays (three parameters, not three per row). With
    ``ids`` a non-empty provider message id is written; with ``errors`` the error.
    """
    if not deliveries:
        return
    table = connection.ops.quote_name(Delivery._meta.db_table)
    sets = ["state = %s"]
    params: list[Any] = [to]
    if sent_at is not None:
        sets.append("sent_at = %s")
        params.append(sent_at)
    if skip_reason:
        sets.append("skip_reason = %s")
        params.append(skip_reason)
    if ids:
        sets.append(
            "provider_message_id = CASE WHEN v.mid = '' "
            "THEN d.provider_message_id ELSE v.mid END"
        )
    if errors:
        sets.append("error = v.error")
    params += [
        [d.pk for d in deliveries],
        [d.provider_message_id for d in deliveries] if ids else [],
        [d.error for d in deliveries] if errors else [],
        list(allowed_from),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS d SET {', '.join(sets)} "  # noqa: S608 - names only
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, mid, error) "
            "WHERE d.id = v.id AND d.state = ANY(%s::text[])",
            params,
        )


def work_send(send_id: int, *, budget_seconds: float | None = None) -> int:
    """Claim and send batches of ``send_id`` until none is waiting; return how many.

    Safe to run in several workers at once and twice over: each batch is
    claimed by exactly one of them.
    """
    send = Send.objects.select_related("newsletter").filter(pk=send_id).first()
    if send is None or send.state != SendState.SENDING or not send.prepared_at:
        return 0
    budget = budget_seconds or float(_setting("HERALD_NEWSLETTER_TASK_SECONDS", 240))
    started = timezone.now()
    done = 0
    while (timezone.now() - started).total_seconds() < budget:
        batch = claim_batch(send_id)
        if batch is None:
            break
        send_batch(batch, send=send)
        done += 1
    else:
        _queue_work(send, workers=1)  # out of time: a fresh task carries on
    finish_if_done(send)
    return done


def finish_if_done(send: Send) -> bool:
    """Mark ``send`` sent (or failed) once no batch is waiting or in flight."""
    if Batch.objects.filter(send=send).exclude(state=BatchState.DONE).exists():
        return False
    return _finish(send)


def _finish(send: Send) -> bool:
    states = set(
        Delivery.objects.filter(send=send).values_list("state", flat=True).distinct()
    )
    delivered = states & {DeliveryState.SENT, DeliveryState.UNKNOWN}
    to = (
        SendState.FAILED
        if DeliveryState.FAILED in states and not delivered
        else SendState.SENT
    )
    return _move_send(
        send, to, allowed_from=[SendState.SENDING], finished_at=timezone.now()
    )


# --- Recovery (the beat tick) -------------------------------------------------


def recover_batches(*, now: datetime | None = None) -> int:
    """Close batches whose worker died while the provider held them.

    Their deliveries still marked ``sending`` become ``unknown``: the request
    may have reached the provider, so Herald does not send them again on its
    own; the send's report lists them and offers "resend to these".
    """
    now = now or timezone.now()
    stale = list(
        Batch.objects.filter(state=BatchState.SENDING, lease_until__lt=now).values_list(
            "pk", flat=True
        )
    )
    for batch_id in stale:
        with transaction.atomic():
            closed = Batch.objects.filter(
                pk=batch_id, state=BatchState.SENDING, lease_until__lt=now
            ).update(
                state=BatchState.DONE,
                finished_at=now,
                last_error="The worker stopped while the provider had the batch.",
            )
            if closed:
                Delivery.objects.filter(
                    batch_id=batch_id, state=DeliveryState.SENDING
                ).update(state=DeliveryState.UNKNOWN, error="worker stopped mid-batch")
    return len(stale)


def tick(*, now: datetime | None = None) -> dict[str, int]:
    """What the beat runs every few seconds: start due sends, resume stalled ones.

    Every step is a conditional update or an idempotent task, so two ticks at
    once (two beats by mistake) do no harm.
    """
    now = now or timezone.now()
    started = 0
    for send in Send.objects.filter(
        state=SendState.SCHEDULED, scheduled_at__lte=now
    ).select_related("newsletter"):
        try:
            start_send(send, now=now)
            started += 1
        except SendError:
            pass
    recovered = recover_batches(now=now)
    resumed = 0
    stall = timedelta(seconds=lease_seconds())
    for send in Send.objects.filter(state=SendState.SENDING):
        if send.prepared_at is None:
            if send.started_at is None or send.started_at < now - stall:
                _queue_prepare(send)
                resumed += 1
            continue
        batches = Batch.objects.filter(send=send)
        if batches.filter(state=BatchState.SENDING).exists():
            continue  # a worker holds one: it carries on with the rest
        waiting = batches.filter(state=BatchState.PENDING)
        if waiting.exists():
            if not waiting.filter(
                Q(not_before__isnull=True) | Q(not_before__lte=now)
            ).exists():
                continue
            # Waiting batches and nobody on them: the workers died, or their
            # tasks were lost. Extra tasks are harmless (claims are exclusive).
            last = batches.filter(finished_at__isnull=False).order_by("-finished_at")
            latest = last.values_list("finished_at", flat=True).first()
            if latest is None or latest < now - stall:
                _queue_work(send)
                resumed += 1
        else:
            finish_if_done(send)
    return {"started": started, "recovered": recovered, "resumed": resumed}


# --- Operator actions ---------------------------------------------------------


def resend_unknown(send: Send) -> int:
    """Send again to exactly the deliveries whose outcome is unknown.

    The operator decides (the report shows them); each keeps its Message-ID,
    so a receiver that did get the first copy may drop the second.
    """
    with transaction.atomic():
        locked = Send.objects.select_for_update().get(pk=send.pk)
        ids = list(
            Delivery.objects.filter(send=locked, state=DeliveryState.UNKNOWN)
            .order_by("id")
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        size = batch_size()
        first = (
            Batch.objects.filter(send=locked)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
            or 0
        ) + 1
        for n, i in enumerate(range(0, len(ids), size)):
            batch = Batch.objects.create(send=locked, number=first + n)
            Delivery.objects.filter(
                pk__in=ids[i : i + size], state=DeliveryState.UNKNOWN
            ).update(
                state=DeliveryState.PENDING,
                batch=batch,
                error="",
                resends=F("resends") + 1,
            )
        # A finished send goes back to sending for the resend.
        Send.objects.filter(pk=locked.pk).update(
            state=SendState.SENDING, finished_at=None, updated_at=timezone.now()
        )
        send.state = SendState.SENDING
        _queue_work(send)
    return len(ids)


def send_test(send: Send, *, to: str, variant: str = Variant.FULL) -> None:
    """Email the send's rendering to ``to`` (an editor) now; no delivery row."""
    reader = Reader(is_authenticated=True, is_staff=variant == Variant.FULL)
    if variant != Variant.FULL:
        reader = ANONYMOUS
    made = rendering.render(send, variant, reader=reader)
    probe = Delivery(send=send, email=to, variant=variant)
    home = rendering.base_url() + "/"
    message = build_message(
        send,
        probe,
        renderings={variant: made},
        unsubscribe_url=home,
        preferences_url=home,
    )
    message.subject = f"[Test] {message.subject}"
    outcome = transport.deliver([message])[0]
    if outcome.status != transport.SENT:
        raise SendError("test_failed", f"The test email was not sent: {outcome.error}")


# --- Tracking -----------------------------------------------------------------


def record_open(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )


def record_click(delivery: Delivery, *, url: str) -> None:
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk, clicked_at__isnull=True).update(
        clicked_at=now
    )
    Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(
        opened_at=now
    )
    Click.objects.create(delivery=delivery, url=url[:2000])
