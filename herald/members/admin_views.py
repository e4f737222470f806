"""The members admin: a list with search, filters and counts, and a member page
with the history timeline. Writes go through actions."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from . import queries
from .models import Label, MemberStatus, Tier, User


class MemberFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=MemberStatus.choices
    )
    tier = django_filters.ModelChoiceFilter(
        label=_("Tier"), queryset=Tier.objects.all(), method="filter_tier"
    )
    labels = django_filters.ModelChoiceFilter(
        label=_("Label"), queryset=Label.objects.all()
    )
    date_joined = django_filters.DateFromToRangeFilter(
        label=_("Signed up"), widget=DateRangePickerWidget
    )

    class Meta:
        model = User
        fields = ["status", "tier", "labels", "date_joined"]

    def filter_tier(self, queryset: QuerySet, name: str, value: Tier) -> QuerySet:
        if not value:
            return queryset
        subs = queries.live_subscriptions().filter(tier=value).values("user_id")
        comps = queries.live_comps().filter(tier=value).values("user_id")
        return queryset.filter(Q(pk__in=subs.order_by()) | Q(pk__in=comps.order_by()))


class MemberIndexView(generic.IndexView):
    def get_base_queryset(self) -> QuerySet:
        return queries.members().prefetch_related("labels")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["member_counts"] = queries.member_counts()
        return context


class MemberInspectView(generic.InspectView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["timeline"] = queries.member_timeline(self.object)
        context["subscriptions"] = list(
            self.object.subscriptions.select_related("tier")
        )
        context["comps"] = list(self.object.comps.select_related("tier"))
        return context


class MemberViewSet(ModelViewSet):
    model = User
    icon = "group"
    menu_label = _("Members")
    menu_order = 250
    add_to_admin_menu = True
    url_prefix = "members"
    name = "member_admin"
    index_view_class = MemberIndexView
    inspect_view_class = MemberInspectView
    inspect_view_enabled = True
    inspect_template_name = "members/admin/inspect.html"
    index_template_name = "members/admin/index.html"
    filterset_class = MemberFilterSet
    search_fields = ["email", "first_name", "last_name", "note"]
    list_display = [
        "email",
        Column("name", label=_("Name")),
        "status",
        DateColumn("date_joined", label=_("Signed up")),
    ]
    form_fields = ["first_name", "last_name", "note", "labels", "is_active"]
    copy_view_enabled = False
