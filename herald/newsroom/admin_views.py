"""The desk's own admin views: thin, each parses input and calls one action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.actions.move_page import MovePagePermissionError

from . import actions, desk
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
