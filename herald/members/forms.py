"""Forms for readers: sign-up, sign-in, code, account changes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import hooks


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "required": True}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)


class SignInForm(EmailForm):
    pass


class SignUpForm(EmailForm):
    name = forms.CharField(
        label=_("Name (optional)"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    offer = forms.SlugField(required=False, widget=forms.HiddenInput, max_length=60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = hooks.signup_choices()
        if choices:
            self.fields["choices"] = forms.MultipleChoiceField(
                label=_("Newsletters"),
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=hooks.signup_initial(),
            )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
            }
        ),
    )

    def clean_code(self) -> str:
        digits = "".join(ch for ch in self.cleaned_data["code"] if ch.isdigit())
        if len(digits) != 6:
            raise forms.ValidationError(_("The code has six digits."))
        return digits


class NameForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=150)


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("New email address"), max_length=254)


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account will be deleted."), required=True
    )


class CheckoutForm(forms.Form):
    tier = forms.SlugField(max_length=100)
    interval = forms.ChoiceField(choices=[("month", "month"), ("year", "year")])
    offer = forms.SlugField(required=False, max_length=60)
    # Where the reader came from (a story behind the paywall): a path on this
    # site, checked by ``core.links.local_path`` before use.
    next = forms.CharField(required=False, max_length=500)
