"""The emails members receive, sent through Django's email API."""

from __future__ import annotations

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


def send(template: str, to: str, context: dict[str, Any]) -> None:
    """Render ``members/email/<template>.txt`` (first line is the subject) and send."""
    context = {"publication_name": publication_name(), **context}
    with translation.override(context.get("language") or settings.LANGUAGE_CODE):
        text = render_to_string(f"members/email/{template}.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    # Subjects are our own text; still refuse anything that could inject headers.
    subject = " ".join(subject.split())[:200]
    message = EmailMultiAlternatives(
        subject=subject,
        body=body.strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.send()


def code_display(code: str) -> str:
    return f"{code[:3]} {code[3:]}" if len(code) == 6 else code
