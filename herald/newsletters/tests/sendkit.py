"""Helpers for the sending pipeline's tests: a newsletter, readers of each kind."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

from django.utils import timezone

from herald.members import actions as member_actions
from herald.members.models import Tier, User
from herald.newsletters.models import Newsletter, Subscription, SubscriptionState


def make_newsletter(**fields: Any) -> Newsletter:
    slug = fields.pop("slug", f"nl-{uuid.uuid4().hex[:6]}")
    return Newsletter.objects.create(
        name=fields.pop("name", "The Evening Bulletin"),
        slug=slug,
        sender_name=fields.pop("sender_name", "Evening Desk"),
        sender_email=fields.pop("sender_email", "desk@news.example.org"),
        **fields,
    )


def subscribe(
    newsletter: Newsletter, email: str, *, member: User | None = None, state: str = ""
) -> Subscription:
    return Subscription.objects.create(
        newsletter=newsletter,
        email=email,
        member=member,
        state=state or SubscriptionState.SUBSCRIBED,
        confirmed_at=timezone.now(),
    )


@dataclass
class Audience:
    newsletter: Newsletter
    gold: Tier
    emails: dict[str, str] = field(default_factory=dict)  # kind -> address


def make_audience(newsletter: Newsletter | None = None) -> Audience:
    """A subscriber without an account, a free member, a paid member, staff."""
    newsletter = newsletter or make_newsletter()
    gold = Tier.objects.create(
        name="Gold", slug=f"gold-{uuid.uuid4().hex[:6]}", monthly_price=900
    )
    tag = uuid.uuid4().hex[:6]
    emails = {
        "guest": f"guest-{tag}@example.org",
        "free": f"free-{tag}@example.org",
        "paid": f"paid-{tag}@example.org",
    }
    subscribe(newsletter, emails["guest"])
    free = User.objects.create_user(emails["free"])
    subscribe(newsletter, emails["free"], member=free)
    paid = User.objects.create_user(emails["paid"])
    member_actions.grant_comp(
        paid, tier=gold, ends_at=timezone.now() + timedelta(days=30)
    )
    subscribe(newsletter, emails["paid"], member=paid)
    return Audience(newsletter=newsletter, gold=gold, emails=emails)


def parse(message: Any) -> Message:
    return message_from_bytes(message.message().as_bytes())


def parts(message: Any) -> tuple[str, str]:
    """(text, html) of a sent message."""
    parsed = parse(message)
    text = html = ""
    for part in parsed.walk():
        if part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode()
        elif part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode()
    return text, html
