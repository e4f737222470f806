"""The emails this app sends itself (confirmations), through Django's email API.

Django's mail API is the one path out: the outbox (when installed) persists and
sends every message from a worker, so nothing here talks to a provider.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from herald.members import publication

from . import queries


def send_confirmation(
    to: str, *, url: str, newsletter_names: list[str], language: str = ""
) -> None:
    """Send the double opt-in link for ``newsletter_names`` to ``to``.

    From the publication's name and address, in ``language`` (the page the
    reader signed up on) or else the publication's.
    """
    current = publication.current()
    language = language or publication.language(current)
    context = {
        "publication_name": publication.name(current),
        "url": url,
        "newsletter_names": newsletter_names,
        "hours": queries.confirm_max_age() // 3600,
    }
    with translation.override(language):
        text = render_to_string("newsletters/email/confirm.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    EmailMultiAlternatives(
        subject=" ".join(subject.split())[:200],
        body=body.strip() + "\n",
        from_email=publication.from_email(current),
        to=[to],
        headers={"Content-Language": language},
    ).send()
