"""Push notifications in the Wagtail admin: a menu item and a page button."""

from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem

from . import admin_views

admin_urls = (
    [
        path("", admin_views.index, name="index"),
        path("article/<int:article_id>/", admin_views.push_article, name="push"),
        path("<uuid:notification_id>/cancel/", admin_views.cancel, name="cancel"),
    ],
    "notifications_admin",
)


@hooks.register("register_admin_urls")
def register_urls() -> list[Any]:
    return [path("notifications/", include(admin_urls))]


class PushMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return admin_views._can_push_somewhere(request.user)


@hooks.register("register_admin_menu_item")
def register_menu() -> MenuItem:
    return PushMenuItem(
        _("Notifications"),
        reverse("notifications_admin:index"),
        icon_name="mail",
        order=450,
    )


class PushMenuItemForPage(PageMenuItem):
    label = _("Push notification")
    icon_name = "mail"
    url_name = "notifications_admin:push"

    def is_shown(self, user: Any) -> bool:
        return (
            bool(self.page.live) and self.page.permissions_for_user(user).can_publish()
        )


@hooks.register("register_page_header_buttons")
def push_button(page: Any, user: Any, view_name: str = "", next_url: Any = None):
    from herald.newsroom.models import ArticlePage

    specific = page.specific_class
    if specific is None or not issubclass(specific, ArticlePage):
        return
    yield PushMenuItemForPage(page=page, priority=40)
