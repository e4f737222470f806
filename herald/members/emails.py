"""The emails members receive, sent through Django's email API."""

from __future__ import annotations

from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def publication_name() -> str:
    try:
        from wagtail.models import Site

        site = Site.objects.filter(is_default_site=True).first()
        if site is not None:
            from django.apps import apps

            model = apps.get_model("newsroom", "PublicationSettings")
            return str(model.for_site(site).name)
    except LookupError:
        pass
    return str(getattr(settings, "WAGTAIL_SITE_NAME", "Herald"))


def from_address(name: str) -> str:
    """``"Publication Name" <address>``: DEFAULT_FROM_EMAIL's address, our name."""
    _default_name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    name = " ".join(name.split())
    if not address or "@" not in address:
        return str(settings.DEFAULT_FROM_EMAIL)
    local, _at, domain = address.rpartition("@")
    return str(Address(display_name=name, username=local, domain=domain))


def send(template: str, to: str, context: dict[str, Any]) -> None:
    """Render ``members/email/<template>.txt`` (first line is the subject) and send.

    The message is kept in the outbox and delivered by a worker after the
    surrounding transaction commits (herald/outbox/CONTEXT.md).
    """
    name = publication_name()
    context = {"publication_name": name, **context}
    with translation.override(context.get("language") or settings.LANGUAGE_CODE):
        text = render_to_string(f"members/email/{template}.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    # Subjects are our own text; still refuse anything that could inject headers.
    subject = " ".join(subject.split())[:200]
    message = EmailMultiAlternatives(
        subject=subject,
        body=body.strip() + "\n",
        from_email=from_address(name),
        to=[to],
    )
    message.send()


def code_display(code: str) -> str:
    return f"{code[:3]} {code[3:]}" if len(code) == 6 else code
