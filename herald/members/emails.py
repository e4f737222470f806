"""The emails members receive, sent through Django's email API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import publication


def absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def publication_name() -> str:
    return publication.name()


def send(template: str, to: str, context: dict[str, Any]) -> None:
    """Render ``members/email/<template>.txt`` (first line is the subject) and send.

    Readers' mail speaks for the publication: its name and address in From,
    its language and its time zone for dates. The message is kept in the
    outbox and delivered by a worker after the surrounding transaction commits
    (herald/outbox/CONTEXT.md).
    """
    current = publication.current()
    language = context.get("language") or publication.language(current)
    context = {
        "publication_name": publication.name(current),
        "account_url": absolute(reverse("members:account")),
        **context,
    }
    with (
        translation.override(language),
        timezone.override(publication.time_zone(current)),
    ):
        text = render_to_string(f"members/email/{template}.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    # Subjects are our own text; still refuse anything that could inject headers.
    subject = " ".join(subject.split())[:200]
    message = EmailMultiAlternatives(
        subject=subject,
        body=body.strip() + "\n",
        from_email=publication.from_email(current),
        to=[to],
        headers={"Content-Language": language},
    )
    message.send()


def code_display(code: str) -> str:
    return f"{code[:3]} {code[3:]}" if len(code) == 6 else code
