"""The sending pipeline in the Wagtail admin (imported by the app's wagtail_hooks).

- Admin URLs under ``/admin/newsletter-sends/``: the list, the send form (a story
  or an email-only story), the report, the browser preview.
- A "Publish and send…" item in an article's action menu: it saves the draft as
  Wagtail's "Save draft" does, then opens the send form for that article, where
  one button publishes the latest revision and starts the sends together.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.menu import MenuItem

from . import admin_views

PUBLISH_AND_SEND = "action-publish-send"


@hooks.register("register_admin_urls")
def register_urls() -> list[Any]:
    urls = [
        path("", admin_views.send_list, name="list"),
        path("new/", admin_views.new_send, name="new"),
        path("<int:pk>/", admin_views.report, name="report"),
        path(
            "<int:pk>/preview/<str:variant>/",
            admin_views.preview,
            name="preview",
        ),
    ]
    return [
        path(
            "newsletter-sends/",
            include((urls, "newsletter_sends"), namespace="newsletter_sends"),
        )
    ]


class SendsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(admin_views.PERMISSION))


@hooks.register("register_admin_menu_item")
def register_menu_item() -> MenuItem:
    return SendsMenuItem(
        _("Newsletter sends"),
        reverse("newsletter_sends:list"),
        icon_name="mail",
        order=253,
    )


class PublishAndSendMenuItem(ActionMenuItem):
    label = _("Publish and send…")
    name = PUBLISH_AND_SEND
    icon_name = "mail"

    def is_shown(self, context: dict[str, Any]) -> bool:
        page = context.get("page")
        if context.get("view") != "edit" or page is None:
            return False
        if page.specific_class.__name__ != "ArticlePage":
            return False
        if not context["request"].user.has_perm(admin_views.PERMISSION):
            return False
        return bool(self.get_user_page_permissions_tester(context).can_publish())


@hooks.register("register_page_action_menu_item")
def register_publish_and_send() -> ActionMenuItem:
    return PublishAndSendMenuItem(order=15)


@hooks.register("after_edit_page")
def open_send_form(request: HttpRequest, page: Any) -> Any:
    """After "Publish and send…" saved the draft, go to the send form."""
    if request.method == "POST" and PUBLISH_AND_SEND in request.POST:
        return redirect(reverse("newsletter_sends:new") + f"?article={page.pk}")
    return None
