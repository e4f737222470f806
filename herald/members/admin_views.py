"""The members admin: a list with search, filters and counts, and a member page
with the history timeline. Writes go through actions."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import AdminDateInput
from wagtail.log_actions import log

from herald.core.keep import http as keep_http

from . import actions, csvio, history, hooks, publication, queries
from .models import Label, MemberStatus, Offer, Tier, User


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
    """The list: each row's address leads to the member's page."""

    def get_base_queryset(self) -> QuerySet:
        return queries.members().prefetch_related("labels")

    @cached_property
    def columns(self) -> list[Any]:
        columns = list(super().columns)
        for index, column in enumerate(columns):
            if getattr(column, "name", "") == "email":
                columns[index] = self._get_custom_column(
                    "email",
                    self._get_title_column_class(TitleColumn),
                    get_url=self.get_inspect_url,
                )
        return columns

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["member_counts"] = queries.member_counts()
        # The export takes the same search and filters as the list shows.
        query = self.request.GET.copy()
        for key in ("p", "export"):
            query.pop(key, None)
        context["export_query"] = query.urlencode()
        return context


class MemberInspectView(generic.InspectView):
    """A member's record: profile, status and tiers, payments, history in words."""

    def get_page_subtitle(self) -> str:
        return self.object.get_full_name()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        member = self.object
        zone = publication.time_zone()
        subscriptions = queries.member_subscriptions(member)
        comps = queries.member_comps(member)
        payments = queries.member_payments(member)
        now = timezone.now()
        live_subs = {s.pk for s in queries.live_subscriptions().filter(user=member)}
        context.update(
            {
                "member": member,
                "zone": zone,
                "zone_name": str(zone),
                "labels": list(member.labels.all()),
                "subscriptions": subscriptions,
                "live_subscription_ids": live_subs,
                "comps": comps,
                "live_comps": [
                    c
                    for c in comps
                    if c.revoked_at is None and (c.ends_at is None or c.ends_at > now)
                ],
                "payments": payments,
                "payments_summary": payments_summary(payments),
                "timeline": history.timeline(
                    queries.member_timeline(member),
                    tiers=queries.tier_names(),
                    zone=zone,
                ),
                "extra_sections": [
                    block
                    for block in hooks.collect(
                        "member_admin_sections", self.request, member
                    )
                    if block
                ],
            }
        )
        return context


def payments_summary(payments: list[Any]) -> str:
    """ "3 payments, 27.00 EUR in total" (one total per currency)."""
    if not payments:
        return ""
    totals: dict[str, int] = {}
    for payment in payments:
        totals[payment.currency] = totals.get(payment.currency, 0) + payment.amount
    from .models import format_money

    amounts = ", ".join(format_money(v, k) for k, v in sorted(totals.items()))
    return ngettext(
        "%(count)d payment, %(amounts)s in total",
        "%(count)d payments, %(amounts)s in total",
        len(payments),
    ) % {"count": len(payments), "amounts": amounts}


class SelectColumn(Column):
    """A checkbox per row, part of the bulk-action form below the listing."""

    cell_template_name = "members/admin/select_cell.html"

    def __init__(self) -> None:
        super().__init__("select", label=_("Select"), accessor="pk")


class MemberEditView(generic.EditView):
    """Saves the plain fields; labels and note go through actions (history)."""

    def save_instance(self) -> User:
        user = self.form.instance
        data = self.form.cleaned_data
        actor = self.request.user
        saved = User.objects.values_list("note", flat=True).get(pk=user.pk)
        user.note = saved
        plain = [f for f in self.form.fields if f not in ("labels", "note")]
        user.save(update_fields=plain)
        log(instance=user, action="wagtail.edit", user=actor)
        if "note" in data:
            actions.set_note(user, note=data["note"], actor=actor)
        if "labels" in data:
            wanted = set(data["labels"])
            current = set(user.labels.all())
            for label in sorted(wanted - current, key=str):
                actions.add_label(user, label=label, actor=actor)
            for label in sorted(current - wanted, key=str):
                actions.remove_label(user, label=label, actor=actor)
        return user


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
    index_results_template_name = "members/admin/index_results.html"
    filterset_class = MemberFilterSet
    search_fields = ["email", "first_name", "last_name", "note"]
    edit_view_class = MemberEditView
    list_per_page = 50
    list_display = [
        SelectColumn(),
        "email",
        Column("name", label=_("Name")),
        "status",
        DateColumn("date_joined", label=_("Signed up")),
    ]
    form_fields = ["first_name", "last_name", "note", "labels", "is_active"]
    copy_view_enabled = False

    def get_urlpatterns(self) -> list[Any]:
        def view(cls: type[MemberAdminView]) -> Any:
            return cls.as_view(viewset=self)

        return [
            *super().get_urlpatterns(),
            path("bulk/", view(MemberBulkView), name="bulk"),
            path("comp/<int:pk>/", view(MemberCompView), name="comp"),
            path(
                "export/",
                self.construct_view(MemberExportView, **self.get_index_view_kwargs()),
                name="export",
            ),
            path("import/", view(MemberImportView), name="import"),
        ]


# --- Writes from the admin: thin views over ``actions`` and ``csvio`` ----------

IMPORT_MAX_BYTES = 20 * 1024 * 1024


def import_max_bytes() -> int:
    return int(getattr(settings, "HERALD_MEMBERS_IMPORT_MAX_BYTES", IMPORT_MAX_BYTES))


class BulkAction(models.TextChoices):
    ADD_LABEL = "add_label", _("Add a label")
    GRANT_COMP = "grant_comp", _("Grant complimentary access")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe from all mail")


class BulkForm(forms.Form):
    id = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.none(),
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Select at least one member.")},
    )
    action = forms.ChoiceField(label=_("Action"), choices=BulkAction.choices)
    label = forms.ModelChoiceField(
        label=_("Label"), queryset=Label.objects.all(), required=False
    )
    new_label = forms.CharField(
        label=_("Or a new label"), max_length=100, required=False
    )
    tier = forms.ModelChoiceField(
        label=_("Tier"), queryset=Tier.objects.all(), required=False
    )
    ends_on = forms.DateField(
        label=_("Access ends on"), required=False, widget=AdminDateInput
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id"].queryset = queries.members()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        action = data.get("action")
        named = data.get("label") or (data.get("new_label") or "").strip()
        if action == BulkAction.ADD_LABEL and not named:
            self.add_error("label", _("Choose a label or name a new one."))
        if action == BulkAction.GRANT_COMP:
            if not data.get("tier"):
                self.add_error("tier", _("Choose a tier."))
            ends_on = data.get("ends_on")
            if ends_on and ends_on <= timezone.localdate():
                self.add_error("ends_on", _("The end date must be in the future."))
        return data


class CompForm(forms.Form):
    tier = forms.ModelChoiceField(label=_("Tier"), queryset=Tier.objects.all())
    ends_on = forms.DateField(
        label=_("Access ends on"),
        required=False,
        widget=AdminDateInput,
        help_text=_("Leave empty for access without an end."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def clean_ends_on(self) -> date | None:
        ends_on = self.cleaned_data.get("ends_on")
        if ends_on and ends_on <= timezone.localdate():
            raise forms.ValidationError(_("The end date must be in the future."))
        return ends_on


def end_of(day: date | None) -> datetime | None:
    """Access granted "until" a day lasts to the end of that day, local time."""
    if day is None:
        return None
    start = datetime.combine(day + timedelta(days=1), time.min)
    return timezone.make_aware(start)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    all_or_nothing = forms.BooleanField(
        label=_("All or nothing"),
        required=False,
        help_text=_("Import nothing if any line has an error."),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        limit = import_max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too large (at most %(size)s).")
                % {"size": filesizeformat(limit)}
            )
        raw = upload.read(limit + 1)
        if b"\x00" in raw:
            raise forms.ValidationError(
                _("This is not a CSV text file (it contains binary data).")
            )
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not UTF-8 text. Save it as CSV (UTF-8) and retry.")
            ) from None


class MemberAdminView(WagtailAdminTemplateMixin, TemplateView):
    """Base for the members' write screens: staff with change permission only."""

    viewset: MemberViewSet | None = None
    permission = "change"
    header_icon = "group"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        policy = self.viewset.permission_policy
        if not policy.user_has_permission(request.user, self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(self.viewset.get_url_name("index")),
                "label": self.viewset.menu_label,
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def index_url(self) -> str:
        return reverse(self.viewset.get_url_name("index"))


class MemberBulkView(MemberAdminView):
    template_name = "members/admin/bulk.html"
    page_title = _("Change several members")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = BulkForm(initial={"id": request.GET.getlist("id")})
        chosen = queries.members().filter(
            pk__in=[i for i in request.GET.getlist("id") if i.isdigit()]
        )
        return self.render_to_response(
            self.get_context_data(form=form, chosen=chosen[:500])
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = BulkForm(request.POST)
        if not form.is_valid():
            chosen = form.cleaned_data.get("id") or User.objects.none()
            return self.render_to_response(
                self.get_context_data(form=form, chosen=chosen[:500]), status=400
            )
        data = form.cleaned_data
        members = list(data["id"])
        actor = request.user
        action = data["action"]
        if action == BulkAction.ADD_LABEL:
            label = data["label"]
            with transaction.atomic():
                if label is None:
                    label, _created = Label.objects.get_or_create(
                        name=data["new_label"].strip()
                    )
                changed = sum(
                    actions.add_label(m, label=label, actor=actor) for m in members
                )
            message = ngettext(
                "Label “%(label)s” added to %(count)d member.",
                "Label “%(label)s” added to %(count)d members.",
                changed,
            ) % {"label": label.name, "count": changed}
        elif action == BulkAction.GRANT_COMP:
            with transaction.atomic():
                for member in members:
                    actions.grant_comp(
                        member,
                        tier=data["tier"],
                        ends_at=end_of(data["ends_on"]),
                        actor=actor,
                        reason=data["reason"],
                    )
            message = ngettext(
                "Complimentary access granted to %(count)d member.",
                "Complimentary access granted to %(count)d members.",
                len(members),
            ) % {"count": len(members)}
        else:
            with transaction.atomic():
                for member in members:
                    actions.unsubscribe_member(
                        member, actor=actor, reason=data["reason"]
                    )
            message = ngettext(
                "%(count)d member unsubscribed from all mail.",
                "%(count)d members unsubscribed from all mail.",
                len(members),
            ) % {"count": len(members)}
        messages.success(request, message)
        return redirect(self.index_url())


class MemberCompView(MemberAdminView):
    template_name = "members/admin/comp.html"
    page_title = _("Grant complimentary access")

    def get_member(self) -> User:
        return get_object_or_404(queries.members(), pk=self.kwargs["pk"])

    def get_page_subtitle(self) -> str:
        return str(self.member)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.member = None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.member = self.get_member()
        return self.render_to_response(
            self.get_context_data(form=CompForm(), member=self.member)
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.member = self.get_member()
        form = CompForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(
                self.get_context_data(form=form, member=self.member), status=400
            )
        actions.grant_comp(
            self.member,
            tier=form.cleaned_data["tier"],
            ends_at=end_of(form.cleaned_data["ends_on"]),
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        messages.success(
            request,
            _("Complimentary access to %(tier)s granted.")
            % {"tier": form.cleaned_data["tier"]},
        )
        return redirect(
            reverse(self.viewset.get_url_name("inspect"), args=[self.member.pk])
        )


class MemberExportView(MemberIndexView):
    """The members CSV, of the members the list shows (search and filters)."""

    any_permission_required = None
    permission_required = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        out = io.StringIO()
        csvio.export_csv(out, members=self.get_queryset())
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="members-{stamp}.csv"'
        return keep_http.private(response, store=False)  # type: ignore[no-any-return]


class MemberImportView(MemberAdminView):
    permission = "add"
    template_name = "members/admin/import.html"
    page_title = _("Import members")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=ImportForm()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        report = csvio.import_csv(
            form.cleaned_data["file"],
            all_or_nothing=form.cleaned_data["all_or_nothing"],
            actor=request.user,
        )
        return self.render_to_response(
            self.get_context_data(form=ImportForm(), report=report),
            status=200 if report.imported else 400,
        )


# --- Tiers and offers -------------------------------------------------------------


class OfferLinkColumn(Column):
    cell_template_name = "members/admin/offer_link_cell.html"


class TierViewSet(ModelViewSet):
    model = Tier
    icon = "tag"
    menu_label = _("Tiers")
    url_prefix = "members-tiers"
    name = "member_tiers"
    form_fields = [
        "name",
        "slug",
        "description",
        "benefits",
        "is_paid",
        "monthly_price",
        "yearly_price",
        "is_active",
        "sort_order",
    ]
    list_display = [
        "name",
        "slug",
        "is_paid",
        "monthly_price",
        "yearly_price",
        "is_active",
    ]
    search_fields = ["name", "slug"]
    copy_view_enabled = False


class OfferIndexView(generic.IndexView):
    def get_base_queryset(self) -> QuerySet:
        return super().get_base_queryset().select_related("tier")


class OfferViewSet(ModelViewSet):
    model = Offer
    icon = "pick"
    menu_label = _("Offers")
    url_prefix = "members-offers"
    name = "member_offers"
    form_fields = [
        "name",
        "code",
        "tier",
        "interval",
        "discount_kind",
        "discount_value",
        "duration",
        "duration_months",
        "trial_days",
        "is_active",
    ]
    list_display = [
        "name",
        "tier",
        "interval",
        OfferLinkColumn("code", label=_("Signup link")),
        "is_active",
    ]
    search_fields = ["name", "code"]
    copy_view_enabled = False

    index_view_class = OfferIndexView


class MembershipViewSetGroup(ModelViewSetGroup):
    items = (TierViewSet, OfferViewSet)
    menu_label = _("Membership")
    menu_icon = "tag"
    menu_order = 251
