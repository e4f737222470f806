"""The desk's own admin views: thin, each parses input and calls one action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from wagtail.actions.move_page import MovePagePermissionError
from wagtail.admin.views import account as account_views

from . import actions, desk
from .middleware import publication_time_zone_name
from .models import ArticlePage, SectionPage


class MoveToSectionForm(forms.Form):
    section = forms.ModelChoiceField(
        label=gettext_lazy("Section"),
        queryset=SectionPage.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, sections: list[SectionPage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["section"]
        field.queryset = SectionPage.objects.filter(pk__in=[s.pk for s in sections])
        field.label_from_instance = _section_label  # type: ignore[attr-defined]


def _section_label(section: SectionPage) -> str:
    # Nested sections read as "World › Asia"-style indents in the list.
    return "\u2003" * max(section.depth - 3, 0) + section.title


def move_to_section(request: HttpRequest, page_id: int) -> HttpResponse:
    """Move a story to another section in one step: pick the section, press Move."""
    article = get_object_or_404(ArticlePage, pk=page_id)
    if not article.permissions_for_user(request.user).can_move():
        raise PermissionDenied
    sections = desk.sections_to_move_to(article, request.user)
    form = MoveToSectionForm(request.POST or None, sections=sections)
    if request.method == "POST" and form.is_valid():
        section = form.cleaned_data["section"]
        try:
            actions.move_article(article, section=section, user=request.user)
        except MovePagePermissionError:
            form.add_error("section", _("You may not move stories to that section."))
        else:
            messages.success(
                request,
                _("'%(headline)s' moved to %(section)s.")
                % {"headline": article.title, "section": section.title},
            )
            return redirect(request.GET.get("next") or "newsroom_stories:index")
    return TemplateResponse(
        request,
        "newsroom/admin/move_to_section.html",
        {
            "article": article,
            "form": form,
            "current_section": article.get_parent(),
            "page_title": _("Move to section"),
            "header_icon": "arrow-right-full",
        },
        status=400 if form.errors else 200,
    )


class PublicationLocaleSettingsPanel(account_views.LocaleSettingsPanel):
    """Wagtail's Locale panel, whose empty zone choice names the publication's zone.

    An account without a zone of its own works in the publication's
    (``middleware.NewsroomTimeZoneMiddleware``), not the server's, so the
    choice says so; Wagtail's script adds the zone's local name to it.
    """

    def get_form(self) -> Any:
        form = super().get_form()
        field = form.fields.get("current_time_zone")
        if field is None:  # one zone only: Wagtail shows no choice
            return form
        zone = publication_time_zone_name(self.request)
        label = _("Use the publication’s time zone (%(zone)s)") % {"zone": zone}
        field.choices = [("", label)] + [c for c in field.choices if c[0]]
        field.widget.attrs["data-w-locale-server-time-zone-param"] = zone
        return form


@method_decorator(sensitive_post_parameters(), name="post")
class AccountView(account_views.AccountView):
    """The admin's account settings, with the publication's zone as the default."""

    def get_panels(self) -> list[Any]:
        return [
            PublicationLocaleSettingsPanel(panel.request, panel.user, panel.profile)
            if type(panel) is account_views.LocaleSettingsPanel
            else panel
            for panel in super().get_panels()
        ]
