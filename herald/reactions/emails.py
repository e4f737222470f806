"""The one email comments send: "someone replied to your comment".

Sent like members' mail (``members.emails``): through Django's mail API, so it
is kept in herald's outbox and delivered after the commit, From the
publication's name and address, in its language and time zone.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from herald.members import emails as member_emails
from herald.members import publication


def _absolute(url: str) -> str:
    return member_emails.absolute(url) if url.startswith("/") else url


def send_reply_notice(reply_id: int) -> None:
    """Tell the parent's author about reply ``reply_id`` (called after commit)."""
    from .models import Comment, CommentState

    reply = (
        Comment.objects.select_related("author", "article", "parent__author")
        .filter(pk=reply_id, state=CommentState.PUBLISHED)
        .first()
    )
    if reply is None or reply.parent is None or reply.parent.author is None:
        return
    recipient = reply.parent.author
    current = publication.current()
    name = publication.name(current)
    language = publication.language(current)
    if reply.as_publication:
        replier = name
    elif reply.author is not None:
        replier = reply.author.name or gettext_lazy("A member")
    else:
        replier = gettext_lazy("A former member")
    context = {
        "publication_name": name,
        "recipient_name": recipient.first_name or recipient.name,
        "replier": replier,
        "title": reply.article.title,
        "excerpt": reply.text[:600],
        "reply_url": f"{_absolute(reply.article.get_url())}#c-{reply.uuid}",
        "settings_url": member_emails.absolute(reverse("members:account"))
        + "#comment-emails",
    }
    with (
        translation.override(language),
        timezone.override(publication.time_zone(current)),
    ):
        text = render_to_string("reactions/email/reply.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    subject = " ".join(subject.split())[:200]  # no header injection from a title
    EmailMultiAlternatives(
        subject=subject,
        body=body.strip() + "\n",
        from_email=publication.from_email(current),
        to=[recipient.email],
        headers={"Content-Language": language},
    ).send()
