"""The outbox in the Wagtail admin: what was sent, to whom, in what state.

Staff with the "Can view outbound email" permission read it; "Can change
outbound email" may send a failed or unknown message again, or mark an unknown
one as sent. The HTML part is shown in a sandboxed frame under its own
Content-Security-Policy (no scripts, no forms, no requests but images).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from herald.core.keep import http as keep_http

from . import actions, mime, queries
from .models import MessageState, OutboundMessage

VIEW = "outbox.view_outboundmessage"
CHANGE = "outbox.change_outboundmessage"
PAGE_SIZE = 50
# The frame that shows an email's HTML: nothing runs, nothing is sent anywhere
# but image requests (as a mail client shows them), no frame of its own.
HTML_CSP = (
    "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; "
    "font-src https: data:; frame-ancestors 'self'; base-uri 'none'; "
    "form-action 'none'; sandbox"
)


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


class OutboxIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "outbox/admin/index.html"
    page_title = gettext_lazy("Outbox")
    header_icon = "mail"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        _require(request, VIEW)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", "")
        q = self.request.GET.get("q", "").strip()[:200]
        rows = queries.outbox_messages()
        if state in MessageState.values:
            rows = rows.filter(state=state)
        if q:
            rows = rows.filter(Q(subject__icontains=q) | Q(to__icontains=q))
        counts = queries.state_counts()
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("p"))
        context.update(
            page=page,
            state=state,
            q=q,
            states=[
                (value, label, counts.get(value, 0))
                for value, label in MessageState.choices
            ],
        )
        return context


class OutboxDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "outbox/admin/detail.html"
    header_icon = "mail"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        _require(request, VIEW)
        self.message = get_object_or_404(OutboundMessage, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return self.message.subject or _("(no subject)")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("outbox_admin:index"), "label": _("Outbox")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        text, html = mime.parts(self.message.mime)
        context.update(
            message=self.message,
            headers=mime.headers(self.message.mime),
            text=text,
            has_html=bool(html),
            events=queries.events_for_message(self.message),
            can_change=self.request.user.has_perm(CHANGE),
            can_resend=self.message.state
            in (MessageState.FAILED, MessageState.UNKNOWN),
            can_mark_sent=self.message.state == MessageState.UNKNOWN,
        )
        return context


@xframe_options_sameorigin
def html_part(request: HttpRequest, pk: str) -> HttpResponse:
    """The email's HTML alone, for the sandboxed frame of the detail page."""
    _require(request, VIEW)
    message = get_object_or_404(OutboundMessage, pk=pk)
    _text, html = mime.parts(message.mime)
    if not html:
        raise Http404
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = HTML_CSP
    response["Referrer-Policy"] = "no-referrer"
    return keep_http.private(response, store=False)  # type: ignore[no-any-return]


@require_POST
def resend(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, CHANGE)
    message = get_object_or_404(OutboundMessage, pk=pk)
    if actions.resend_message(message, by=request.user.get_username()):
        messages.success(request, _("The email was queued to be sent again."))
    else:
        messages.error(request, _("Only a failed or unknown email can be sent again."))
    return redirect("outbox_admin:detail", pk=message.pk)


@require_POST
def mark_sent(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, CHANGE)
    message = get_object_or_404(OutboundMessage, pk=pk)
    if actions.mark_message_sent(message, by=request.user.get_username()):
        messages.success(request, _("The email is recorded as sent."))
    else:
        messages.error(
            request, _("Only an email whose outcome is unknown can be marked.")
        )
    return redirect("outbox_admin:detail", pk=message.pk)
