"""Newsletters in the Wagtail admin: create and edit, subscribers with counts and
growth, subscriber CSV export and import. Writes go through actions/csvio."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from herald.core.keep import http as keep_http
from herald.members.admin_views import ImportForm

from . import csvio, queries
from .models import Newsletter, SubscriptionState


class NewsletterIndexView(generic.IndexView):
    def get_base_queryset(self) -> QuerySet:
        return (
            super()
            .get_base_queryset()
            .annotate(
                **{
                    f"{state}_count": Count(
                        "subscriptions", filter=Q(subscriptions__state=state)
                    )
                    for state in SubscriptionState.values
                }
            )
        )


class SubscribersColumn(Column):
    cell_template_name = "newsletters/admin/subscribers_cell.html"


class NewsletterViewSet(ModelViewSet):
    model = Newsletter
    icon = "mail"
    menu_label = _("Newsletters")
    menu_order = 252
    add_to_admin_menu = True
    url_prefix = "newsletters"
    name = "newsletter_admin"
    index_view_class = NewsletterIndexView
    form_fields = [
        "name",
        "slug",
        "description",
        "sender_name",
        "sender_email",
        "reply_to",
        "visibility",
        "default_for_new_members",
        "digest_cadence",
        "digest_weekday",
        "digest_time",
        "track_opens",
        "track_clicks",
        "is_active",
        "sort_order",
    ]
    list_display = [
        "name",
        "visibility",
        SubscribersColumn("subscribed_count", label=_("Subscribers")),
        Column("pending_count", label=_("Waiting for confirmation")),
        Column("unsubscribed_count", label=_("Unsubscribed")),
        "digest_cadence",
        "is_active",
    ]
    search_fields = ["name", "slug"]
    copy_view_enabled = False

    def get_urlpatterns(self) -> list[Any]:
        def view(cls: type[NewsletterAdminView]) -> Any:
            return cls.as_view(viewset=self)

        return [
            *super().get_urlpatterns(),
            path("subscribers/<int:pk>/", view(SubscribersView), name="subscribers"),
            path("subscribers/<int:pk>/export/", view(ExportView), name="export"),
            path("subscribers/<int:pk>/import/", view(ImportView), name="import"),
        ]


class NewsletterAdminView(WagtailAdminTemplateMixin, TemplateView):
    """Base for the subscriber screens: staff with the given permission only."""

    viewset: NewsletterViewSet | None = None
    permission = "change"
    header_icon = "mail"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        policy = self.viewset.permission_policy
        if not policy.user_has_permission(request.user, self.permission):
            raise PermissionDenied
        self.newsletter = get_object_or_404(Newsletter, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self) -> str:
        return self.newsletter.name

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(self.viewset.get_url_name("index")),
                "label": self.viewset.menu_label,
            },
            {"url": "", "label": f"{self.get_page_title()}: {self.newsletter.name}"},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["newsletter"] = self.newsletter
        return context


class StateFilter(forms.Form):
    state = forms.ChoiceField(
        choices=[("", _("All states")), *SubscriptionState.choices], required=False
    )
    q = forms.CharField(required=False, max_length=254, label=_("Email contains"))


class SubscribersView(NewsletterAdminView):
    template_name = "newsletters/admin/subscribers.html"
    page_title = _("Subscribers")
    per_page = 100

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.core.paginator import Paginator

        filters = StateFilter(request.GET)
        rows = queries.subscription_rows(self.newsletter)
        if filters.is_valid():
            if filters.cleaned_data["state"]:
                rows = rows.filter(state=filters.cleaned_data["state"])
            if filters.cleaned_data["q"]:
                rows = rows.filter(email__icontains=filters.cleaned_data["q"])
        page = Paginator(rows, self.per_page).get_page(request.GET.get("p"))
        tz = queries.publication_tz()
        context = self.get_context_data(
            filters=filters,
            page=page,
            counts=queries.state_counts(self.newsletter),
            weeks=queries.growth_by_week(self.newsletter, weeks=12, tz=tz),
            time_zone=tz,
        )
        return self.render_to_response(context)


class ExportView(NewsletterAdminView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        out = io.StringIO()
        csvio.export_csv(self.newsletter, out)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        name = f"subscribers-{self.newsletter.slug}-{stamp}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return keep_http.private(response, store=False)  # type: ignore[no-any-return]


class SubscriberImportForm(ImportForm):
    all_or_nothing = None  # a subscriber import is always all or nothing


class ImportView(NewsletterAdminView):
    template_name = "newsletters/admin/import.html"
    page_title = _("Import subscribers")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = self.get_context_data(form=SubscriberImportForm())
        return self.render_to_response(context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = SubscriberImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        report = csvio.import_csv(
            self.newsletter, form.cleaned_data["file"], actor=request.user
        )
        context = self.get_context_data(form=SubscriberImportForm(), report=report)
        return self.render_to_response(context, status=200 if report.imported else 400)
