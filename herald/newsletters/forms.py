from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Newsletter


class NewsletterChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Newsletter) -> str:  # type: ignore[override]
        return obj.name


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    newsletters = NewsletterChoiceField(
        label=_("Newsletters"),
        queryset=Newsletter.objects.none(),
        to_field_name="slug",
        error_messages={"required": _("Choose at least one newsletter.")},
    )

    def __init__(self, *args: Any, newsletters: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["newsletters"]
        field.queryset = newsletters  # type: ignore[attr-defined]


class ChoicesForm(forms.Form):
    """Which newsletters an address receives (account and preferences pages)."""

    newsletters = NewsletterChoiceField(
        label=_("Newsletters"),
        queryset=Newsletter.objects.none(),
        to_field_name="slug",
        required=False,
    )

    def __init__(self, *args: Any, newsletters: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["newsletters"]
        field.queryset = newsletters  # type: ignore[attr-defined]
