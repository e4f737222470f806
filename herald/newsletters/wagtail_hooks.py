"""Newsletters in the Wagtail admin."""

from __future__ import annotations

from wagtail import hooks

from .admin_views import NewsletterViewSet


@hooks.register("register_admin_viewset")
def register_newsletters() -> NewsletterViewSet:
    return NewsletterViewSet()


# The sending pipeline's admin screens and the "Publish and send…" menu item.
from .sending import wagtail_hooks as _sending_hooks  # noqa: E402, F401
