"""The Outbox page in the Wagtail admin, and its permissions in the groups editor."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


class OutboxMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return bool(request.user.has_perm(admin_views.VIEW))


admin_urls = (
    [
        path("", admin_views.OutboxIndexView.as_view(), name="index"),
        path("<uuid:pk>/", admin_views.OutboxDetailView.as_view(), name="detail"),
        path("<uuid:pk>/html/", admin_views.html_part, name="html"),
        path("<uuid:pk>/resend/", admin_views.resend, name="resend"),
        path("<uuid:pk>/mark-sent/", admin_views.mark_sent, name="mark_sent"),
    ],
    "outbox_admin",
)


@hooks.register("register_admin_urls")
def register_outbox_urls() -> list[Any]:
    return [path("outbox/", include(admin_urls))]


@hooks.register("register_admin_menu_item")
def register_outbox_menu() -> MenuItem:
    return OutboxMenuItem(
        _("Outbox"), reverse("outbox_admin:index"), icon_name="mail", order=9000
    )


@hooks.register("register_permissions")
def register_outbox_permissions() -> Any:
    return Permission.objects.filter(
        content_type__app_label="outbox",
        codename__in=["view_outboundmessage", "change_outboundmessage"],
    )
