"""Newsroom additions to the Wagtail admin: the desk (dashboard), the story list,
"Move to section", the new-article view and the admin's small stylesheet."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.permissions import page_permission_policy

from . import admin_views, desk
from .models import ArticlePage
from .stories import StoryListingViewSet

# Wagtail's own dashboard panels the desk replaces ("my drafts", the story list).
REPLACED_PANELS = {"recent_edits", "site_summary"}


class DeskPanel(Component):
    """One panel of the newsroom's dashboard; ``items`` is read once per render."""

    name = ""
    heading: Any = ""
    template_name = "newsroom/admin/desk_panel.html"
    empty: Any = ""
    show_note = False

    def __init__(self, request: Any) -> None:
        self.request = request

    def items(self) -> list[Any]:
        return []

    def get_context_data(self, parent_context: Any) -> dict[str, Any]:
        context = super().get_context_data(parent_context)
        context.update(
            panel=self,
            items=self.items(),
            zone=timezone.get_current_timezone_name(),
        )
        return context


class NewStoryPanel(DeskPanel):
    name = "newsroom_new_story"
    heading = _("New story")
    template_name = "newsroom/admin/new_story_panel.html"
    order = 50

    def items(self) -> list[Any]:
        return desk.sections_for_new_story(self.request.user)


class MyDraftsPanel(DeskPanel):
    name = "newsroom_my_drafts"
    heading = _("My drafts")
    empty = _("No drafts: everything you wrote is live or scheduled.")
    order = 100
    show_note = True

    def items(self) -> list[Any]:
        return [
            {
                "page_id": page.pk,
                "title": page.title,
                "when": page.latest_revision_created_at,
                "note": _("Changes to a live story") if page.live else _("Draft"),
            }
            for page in desk.my_drafts(self.request.user)
        ]


class ScheduledPanel(DeskPanel):
    """What goes live next and who scheduled it, for people who can publish."""

    name = "newsroom_scheduled"
    heading = _("Scheduled to go live")
    empty = _("Nothing is scheduled.")
    order = 150
    when_label = _("Goes live")
    who_label = _("Scheduled by")

    def items(self) -> list[Any]:
        return [
            {
                "page_id": int(revision.object_id),
                "title": revision.object_str,
                "when": revision.approved_go_live_at,
                "who": revision.user,
            }
            for revision in desk.scheduled_revisions()
        ]


class PublishedTodayPanel(DeskPanel):
    name = "newsroom_published_today"
    heading = _("Published today")
    empty = _("Nothing published yet today.")
    order = 160
    when_label = _("Published")

    def items(self) -> list[Any]:
        return [
            {"page_id": page.pk, "title": page.title, "when": page.first_published_at}
            for page in desk.published_today()
        ]


class RecentlyCorrectedPanel(DeskPanel):
    name = "newsroom_recently_corrected"
    heading = _("Recently corrected")
    empty = _("No corrections in the last two weeks.")
    order = 170
    when_label = _("Corrected")
    show_note = True

    def items(self) -> list[Any]:
        return [
            {
                "page_id": correction.article_id,
                "title": correction.article.title,
                "when": correction.date,
                "note": Truncator(correction.text).chars(90),
            }
            for correction in desk.recently_corrected()
        ]


@hooks.register("construct_homepage_panels")
def add_desk_panels(request: Any, panels: list[Any]) -> None:
    """Make the admin's home the newsroom's desk."""
    panels[:] = [p for p in panels if getattr(p, "name", "") not in REPLACED_PANELS]
    user = request.user
    if page_permission_policy.user_has_permission(user, "add"):
        panels.append(NewStoryPanel(request))
        panels.append(MyDraftsPanel(request))
    if page_permission_policy.user_has_permission(user, "publish"):
        panels.append(ScheduledPanel(request))
    if page_permission_policy.user_has_any_permission(user, ["add", "change"]):
        panels.append(PublishedTodayPanel(request))
        panels.append(RecentlyCorrectedPanel(request))


@hooks.register("insert_global_admin_css")
def desk_admin_css() -> str:
    return format_html(
        '<link rel="stylesheet" href="{}">', static("css/herald-admin.css")
    )


@hooks.register("register_admin_urls")
def desk_admin_urls() -> list[Any]:
    return [
        path(
            "desk/move/<int:page_id>/",
            admin_views.move_to_section,
            name="newsroom_move_to_section",
        ),
    ]


class MoveToSectionMenuItem(PageMenuItem):
    label = _("Move to section")
    icon_name = "arrow-right-full"
    url_name = "newsroom_move_to_section"

    def is_shown(self, user: Any) -> bool:
        return bool(
            self.page.specific_class is ArticlePage
            and self.page.permissions_for_user(user).can_move()
        )


@hooks.register("register_page_listing_more_buttons")
def move_to_section_listing_button(
    page: Any, user: Any, next_url: str | None = None
) -> Any:
    yield MoveToSectionMenuItem(page=page, next_url=next_url, priority=11)


@hooks.register("register_page_header_buttons")
def move_to_section_header_button(
    page: Any, user: Any, view_name: str, next_url: str | None = None
) -> Any:
    yield MoveToSectionMenuItem(page=page, next_url=next_url, priority=21)


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


@hooks.register("register_admin_viewset")
def register_story_listing_viewset() -> StoryListingViewSet:
    return StoryListingViewSet()
