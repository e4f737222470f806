"""The comment form: plain text with clear errors for bad input."""

from __future__ import annotations

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from .rendering import MAX_LENGTH


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_LENGTH}),
        error_messages={
            "required": _("Write something before posting."),
            "max_length": _(
                "Keep it under %(limit_value)d characters (this is %(show_value)d)."
            ),
        },
    )
    parent = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if "\ufffd" in text:
            raise forms.ValidationError(
                _("Part of the text could not be read (it is not UTF-8)."),
                code="encoding",
            )
        for char in text:
            if char in "\n\t\r":
                continue
            if unicodedata.category(char) in ("Cc", "Cs", "Co"):
                raise forms.ValidationError(
                    _("The text contains control or binary characters."),
                    code="binary",
                )
        if not text.strip():
            raise forms.ValidationError(_("Write something before posting."))
        return text.strip()
