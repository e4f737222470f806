"""The moderation desk in Wagtail's admin (``reactions.moderate_comments``)."""

from __future__ import annotations

from typing import Any

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def moderation_urls() -> list[Any]:
    return [
        path("comments/", admin_views.QueueView.as_view(), name="reactions_desk"),
        path(
            "comments/<int:pk>/",
            admin_views.CommentView.as_view(),
            name="reactions_desk_comment",
        ),
        path(
            "comments/member/<int:user_id>/",
            admin_views.MemberView.as_view(),
            name="reactions_desk_member",
        ),
    ]


class ModerationMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return bool(request.user.has_perm(admin_views.PERMISSION))


@hooks.register("register_admin_menu_item")
def moderation_menu_item() -> MenuItem:
    return ModerationMenuItem(
        _("Comments"), reverse("reactions_desk"), icon_name="comment", order=250
    )
