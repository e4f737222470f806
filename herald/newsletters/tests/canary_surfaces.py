"""Newsletters' surfaces in the paywall canary suite (herald.members.tests.canary).

Every canary article is sent as a newsletter issue to the reader (a member's
own address, or a subscriber without an account for the anonymous reader):
the email the reader receives, text part, HTML part and headers, must carry
no gated text they may not read. The newsletter's public archive, which lists
the sent issues, is fetched as the reader too.
"""

from __future__ import annotations

import uuid

from django.core import mail
from django.test import Client

from herald.members.tests.canary import CanarySite, fetch, register_surface


def _email_text(message) -> str:  # type: ignore[no-untyped-def]
    parts = [message.subject, message.body, str(message.extra_headers)]
    parts += [content for content, _type in getattr(message, "alternatives", [])]
    return "\n".join(parts)


@register_surface("newsletter emails of every story, and the newsletter archive")
def newsletter_emails(client: Client, site: CanarySite) -> str:
    from herald.newsletters.sending import actions

    from .sendkit import make_newsletter, subscribe

    user = site.users.get(site.reader_of(client) or "")
    address = user.email if user else f"guest-{uuid.uuid4().hex[:8]}@example.org"
    newsletter = make_newsletter(slug=f"canary-{uuid.uuid4().hex[:8]}")
    subscribe(newsletter, address, member=user)
    before = len(mail.outbox)
    for article in [*site.articles.values(), *site.unbroken.values()]:
        send = actions.create_send(newsletter, subject=article.title, article=article)
        actions.start_send(send)
        actions.prepare_send(send.pk)
        actions.work_send(send.pk)
    received = [m for m in mail.outbox[before:] if m.to == [address]]
    assert len(received) == len(site.articles) + len(site.unbroken), "not sent"
    archive = fetch(client, f"/newsletters/{newsletter.slug}/")
    return "".join(_email_text(m) for m in received) + archive
