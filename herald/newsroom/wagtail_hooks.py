"""Newsroom additions to the Wagtail admin: a dashboard panel of scheduled stories."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.models import Revision
from wagtail.permissions import page_permission_policy

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
