"""The editor's side of sending: choose, preview, test, send; the send report.

Thin views: forms parse, ``sending.actions`` writes, ``sending.queries`` reads.
Staff with the "change newsletter" permission only.
"""

from __future__ import annotations

import html
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from herald.core.keep import http as keep_http
from herald.members.access import ANONYMOUS, Reader
from herald.members.models import Tier
from herald.newsletters.models import Newsletter
from herald.newsroom.models import ArticlePage

from . import actions, queries, rendering
from .models import Segment, Send, SendKind, SendState, Variant

PERMISSION = "newsletters.change_newsletter"


def _staff(request: HttpRequest) -> None:
    if not request.user.is_authenticated or not request.user.has_perm(PERMISSION):
        raise PermissionDenied


class SendForm(forms.Form):
    newsletters = forms.ModelMultipleChoiceField(
        queryset=Newsletter.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        label=_("Newsletters"),
    )
    segment = forms.ChoiceField(
        choices=Segment.choices, initial=Segment.EVERYONE, label=_("Send to")
    )
    tier = forms.ModelChoiceField(
        queryset=Tier.objects.filter(is_active=True),
        required=False,
        label=_("Tier (for 'Members of one tier')"),
    )
    subject = forms.CharField(max_length=200, label=_("Subject"))
    title = forms.CharField(max_length=255, required=False, label=_("Headline"))
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        label=_("Text (an empty line starts a new paragraph)"),
    )
    form_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, article: ArticlePage | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.article = article
        if article is not None:
            del self.fields["title"]
            del self.fields["text"]
        else:
            self.fields["title"].required = True
            self.fields["text"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("segment") == Segment.TIER and not data.get("tier"):
            self.add_error("tier", _("Choose the tier."))
        return data

    def content(self) -> dict[str, Any]:
        data = self.cleaned_data
        content: dict[str, Any] = {
            "subject": data["subject"],
            "segment": data["segment"],
            "tier": data.get("tier"),
        }
        if self.article is not None:
            content["article"] = self.article
        else:
            content["title"] = data["title"]
            content["body"] = paragraphs_html(data["text"])
        return content


def paragraphs_html(text: str) -> str:
    """Plain text with blank-line paragraphs as escaped ``<p>`` HTML."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(
        f"<p>{html.escape(b).replace(chr(10), '<br>')}</p>" for b in blocks if b
    )


def _article(request: HttpRequest) -> ArticlePage | None:
    raw = request.GET.get("article") or request.POST.get("article")
    if not raw:
        return None
    if not str(raw).isdigit():
        raise Http404
    article = get_object_or_404(ArticlePage, pk=int(raw))
    if not article.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    return article


def new_send(request: HttpRequest) -> HttpResponse:
    """Choose newsletters and a segment; preview, test, send (or publish and send)."""
    _staff(request)
    article = _article(request)
    if request.method == "POST":
        form = SendForm(request.POST, article=article)
        if not form.is_valid():
            return _form_page(request, form, article, status=400)
        draft = _unsaved_send(form)
        if "preview" in request.POST:
            variant = request.POST.get("variant") or Variant.FULL
            return _preview_response(draft, variant)
        if "test" in request.POST:
            return _send_test(request, form, article, draft)
        try:
            sends = actions.send_now(
                form.cleaned_data["newsletters"],
                form_key=form.cleaned_data["form_key"],
                publish="publish_send" in request.POST,
                user=request.user,
                **form.content(),
            )
        except actions.SendError as error:
            status = 409 if error.code == "already_started" else 400
            form.add_error(None, error.message)
            return _form_page(request, form, article, status=status)
        messages.success(
            request, _t("Sending to %(n)d newsletter(s).") % {"n": len(sends)}
        )
        return redirect("newsletter_sends:report", pk=sends[0].pk)
    initial = {"form_key": uuid.uuid4().hex}
    if article is not None:
        initial["subject"] = article.title
    return _form_page(request, SendForm(initial=initial, article=article), article)


def _form_page(
    request: HttpRequest, form: SendForm, article: Any, *, status: int = 200
) -> HttpResponse:
    return TemplateResponse(
        request,
        "newsletters/sends/new.html",
        {
            "form": form,
            "article": article,
            "publish_first": article is not None
            and (not article.live or article.has_unpublished_changes),
            "page_title": _t("Send as a newsletter"),
        },
        status=status,
    )


def _unsaved_send(form: SendForm) -> Send:
    content = form.content()
    newsletter = form.cleaned_data["newsletters"][0]
    return Send(
        newsletter=newsletter,
        kind=SendKind.STORY if form.article is not None else SendKind.EMAIL_ONLY,
        **{k: v for k, v in content.items() if k != "tier"},
        tier=content.get("tier"),
        track_opens=False,
        track_clicks=False,
    )


def _reader_for(variant: str) -> Reader:
    if variant == Variant.FULL:
        return Reader(is_authenticated=True, is_staff=True)
    return ANONYMOUS


def _preview_response(send: Send, variant: str) -> HttpResponse:
    if variant not in Variant.values:
        raise Http404
    made = rendering.render(send, variant, reader=_reader_for(variant))
    page, _text = rendering.personalise(made, unsubscribe_url="#", preferences_url="#")
    response = HttpResponse(page)
    return keep_http.private(response, store=False)  # type: ignore[no-any-return]


def _send_test(
    request: HttpRequest, form: SendForm, article: Any, draft: Send
) -> HttpResponse:
    to = request.user.email
    try:
        actions.send_test(draft, to=to, variant=request.POST.get("variant") or "full")
    except actions.SendError as error:
        form.add_error(None, error.message)
        return _form_page(request, form, article, status=502)
    messages.success(request, _t("A test email went to %(to)s.") % {"to": to})
    return _form_page(request, form, article)


def send_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    rows = list(queries.sends()[:100])
    return TemplateResponse(
        request,
        "newsletters/sends/list.html",
        {"sends": rows, "page_title": _t("Newsletter sends")},
    )


def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Recipients, delivered, opened, clicked, bounced, complained, unknown."""
    _staff(request)
    send = get_object_or_404(queries.sends(), pk=pk)
    if request.method == "POST":
        if "resend_unknown" in request.POST:
            n = actions.resend_unknown(send)
            messages.success(request, _t("Sending again to %(n)d.") % {"n": n})
        elif "cancel" in request.POST and not actions.cancel_send(send):
            messages.error(request, _t("This send can no longer be cancelled."))
        return redirect("newsletter_sends:report", pk=send.pk)
    return TemplateResponse(
        request,
        "newsletters/sends/report.html",
        {
            "send": send,
            "report": queries.report(send),
            "unknown": queries.unknown_deliveries(send),
            "can_cancel": send.state
            in (SendState.DRAFT, SendState.SCHEDULED, SendState.SENDING),
            "page_title": send.subject,
        },
    )


def preview(request: HttpRequest, pk: int, variant: str) -> HttpResponse:
    """A send as its recipients of ``variant`` see it, in the browser."""
    _staff(request)
    send = get_object_or_404(queries.sends(), pk=pk)
    data = send.renderings.get(variant)
    if data is None:
        return _preview_response(send, variant)
    made = rendering.Rendering.from_json(variant, data)
    page, _text = rendering.personalise(made, unsubscribe_url="#", preferences_url="#")
    response = HttpResponse(page)
    return keep_http.private(response, store=False)  # type: ignore[no-any-return]


def edit_url(article: ArticlePage) -> str:
    return reverse("newsletter_sends:new") + f"?article={article.pk}"
