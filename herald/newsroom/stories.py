"""The story list: every article, filtered by section, author, status, access, date.

A flat Wagtail page listing (``PageListingViewSet``) in the newsroom's words,
registered in ``wagtail_hooks``. Its rows cost a fixed number of queries: the
bylines are prefetched, the section (parent) is annotated by Wagtail.
"""

from __future__ import annotations

from typing import Any

from django.forms import RadioSelect
from django.utils.translation import gettext_lazy as _
from django_filters.filters import (
    ChoiceFilter,
    DateFromToRangeFilter,
    ModelChoiceFilter,
)
from wagtail.admin.filters import DateRangePickerWidget
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.ui.tables.pages import (
    PageStatusColumn,
    PageTitleColumn,
    ParentPageColumn,
)
from wagtail.admin.views.pages.listing import IndexView, PageFilterSet
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.models import WorkflowState

from herald.members.models import AccessLevel

from .models import ArticlePage, Author, SectionPage

STATUS_CHOICES = [
    ("draft", _("Draft")),
    ("in_review", _("In review")),
    ("scheduled", _("Scheduled")),
    ("live", _("Live")),
    ("live_changed", _("Live, with unpublished changes")),
]


def _in_review_ids() -> list[int]:
    return [
        int(object_id)
        for object_id in WorkflowState.objects.filter(
            status=WorkflowState.STATUS_IN_PROGRESS
        ).values_list("object_id", flat=True)
        if str(object_id).isdigit()
    ]


class StoryFilterSet(PageFilterSet):
    section = ModelChoiceFilter(
        label=_("Section"),
        queryset=SectionPage.objects.order_by("path"),
        method="filter_section",
        empty_label=_("Any section"),
    )
    author = ModelChoiceFilter(
        label=_("Author"),
        queryset=Author.objects.order_by("name"),
        field_name="article_authors__author",
        empty_label=_("Any author"),
    )
    status = ChoiceFilter(
        label=_("Status"),
        choices=STATUS_CHOICES,
        method="filter_status",
        empty_label=_("Any status"),
        widget=RadioSelect,
    )
    access = ChoiceFilter(
        label=_("Access"),
        choices=AccessLevel.choices,
        field_name="access_level",
        empty_label=_("Any access"),
        widget=RadioSelect,
    )
    published = DateFromToRangeFilter(
        label=_("Date published"),
        field_name="first_published_at",
        widget=DateRangePickerWidget,
    )

    class Meta:
        model = ArticlePage
        fields: list[str] = []

    def filter_section(self, queryset: Any, name: str, value: SectionPage) -> Any:
        return queryset.descendant_of(value)

    def filter_status(self, queryset: Any, name: str, value: str) -> Any:
        in_review = _in_review_ids() if value in ("draft", "in_review") else []
        if value == "in_review":
            return queryset.filter(pk__in=in_review)
        if value == "scheduled":
            return queryset.filter(_approved_schedule=True)
        if value == "live":
            return queryset.filter(live=True, has_unpublished_changes=False)
        if value == "live_changed":
            return queryset.filter(live=True, has_unpublished_changes=True)
        return (
            queryset.filter(live=False)
            .exclude(pk__in=in_review)
            .exclude(_approved_schedule=True)
        )


def _byline(page: ArticlePage) -> str:
    return ", ".join(slot.author.name for slot in page.article_authors.all())


class StoryIndexView(IndexView):
    def get_base_queryset(self) -> Any:
        return (
            super()
            .get_base_queryset()
            .prefetch_related("article_authors__author")
            .defer_streamfields()
        )


class StoryListingViewSet(PageListingViewSet):
    model = ArticlePage
    icon = "doc-full"
    menu_label = _("Stories")
    menu_order = 5
    add_to_admin_menu = True
    name = "newsroom_stories"
    url_prefix = "stories"
    index_view_class = StoryIndexView
    filterset_class = StoryFilterSet
    columns = [
        PageTitleColumn(
            "title", label=_("Headline"), sort_key="title", classname="title"
        ),
        ParentPageColumn("parent", label=_("Section")),
        Column("byline", label=_("Byline"), accessor=_byline),
        Column("access", label=_("Access"), accessor="get_access_level_display"),
        DateColumn(
            "first_published_at",
            label=_("Published"),
            sort_key="first_published_at",
        ),
        DateColumn(
            "latest_revision_created_at",
            label=_("Updated"),
            sort_key="latest_revision_created_at",
        ),
        PageStatusColumn("status", label=_("Status"), sort_key="live"),
    ]
