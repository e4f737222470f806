"""Newsroom additions to the Wagtail admin: scheduled stories, the new-article view."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.models import Revision
from wagtail.permissions import page_permission_policy

from .models import ArticlePage

SCHEDULED_PANEL_LIMIT = 10


def scheduled_revisions(limit: int = SCHEDULED_PANEL_LIMIT) -> QuerySet[Revision]:
    """Page revisions approved to go live later, soonest first."""
    return (
        Revision.page_revisions.filter(approved_go_live_at__isnull=False)
        .select_related("user")
        .order_by("approved_go_live_at", "pk")[:limit]
    )


class ScheduledPanel(Component):
    """What goes live next, for people who can publish (editors, administrators)."""

    name = "newsroom_scheduled"
    template_name = "newsroom/admin/scheduled_panel.html"
    order = 150

    def get_context_data(self, parent_context: Any) -> dict[str, Any]:
        context = super().get_context_data(parent_context)
        context["revisions"] = [
            {
                "page_id": int(revision.object_id),
                "title": revision.object_str,
                "go_live_at": revision.approved_go_live_at,
                "user": revision.user,
            }
            for revision in scheduled_revisions()
        ]
        return context


@hooks.register("construct_homepage_panels")
def add_scheduled_panel(request: Any, panels: list[Any]) -> None:
    if page_permission_policy.user_has_permission(request.user, "publish"):
        panels.append(ScheduledPanel())


class ArticleCreateView(CreateView):
    """Create an article once, from the button the writer pressed; autosave after.

    Wagtail 8 autosaves the new-page form by posting it here (``Accept:
    application/json``) and only points the form at the edit view once that
    answer is back in the browser. *Submit* pressed in between posted the whole
    form here a second time, so two requests raced to create the same page: a
    500 when they overlapped (the path or slug taken under the loser), a "slug
    already in use" dead end when they did not, and the paragraph typed last in
    no revision either way. Here the first POST that creates the article is the
    writer's own (save, submit or publish) and carries everything typed; from
    then on the edit view autosaves, where Wagtail refuses an autosave that
    would overwrite a newer revision.
    """

    def post(self, request: Any) -> HttpResponse:
        if self.expects_json_response:
            # An autosave from a form loaded before this view existed: creating
            # the page now would start the race again. ``invalid_revision`` makes
            # Wagtail's autosave controller stop and show this message.
            return self.json_error_response(
                "invalid_revision",
                _("A new article is autosaved once it has been saved the first time."),
            )
        response: HttpResponse = super().post(request)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["autosave_enabled"] = False
        context["autosave_indicator"] = None
        return context


class ArticlePageViewSet(PageViewSet):
    model = ArticlePage
    add_view_class = ArticleCreateView


@hooks.register("register_admin_viewset")
def register_article_page_viewset() -> PageViewSet:
    return ArticlePageViewSet()
