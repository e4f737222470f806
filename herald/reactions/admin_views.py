"""The moderation desk in Wagtail's admin: the queue, one comment, one member.

For anyone with ``reactions.moderate_comments`` (the "Moderators" group has it
and nothing but admin access). Thin: parse, call an action, redirect (303).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from herald.core.sitecache import setting_for_request

from . import actions, queries
from .forms import CommentForm
from .models import Comment, CommentState, ReactionSettings

PERMISSION = "reactions.moderate_comments"
DECISIONS = {
    CommentState.PUBLISHED: _("Approve"),
    CommentState.REJECTED: _("Reject"),
    CommentState.SPAM: _("Mark as spam"),
}


class ReasonField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("label", _("Reason (kept in the history)"))
        super().__init__(**kwargs)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=list(DECISIONS.items()))
    reason = ReasonField()


class BulkForm(DecisionForm):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=())

    def __init__(self, *args: Any, allowed: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(i, i) for i in allowed]
        self.fields["ids"].error_messages["required"] = _("Tick at least one comment.")


class EditForm(CommentForm):
    reason = ReasonField()


class BanForm(forms.Form):
    until = forms.DateField(
        label=_("Banned until (end of that day)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=_("Reason (shown to the member)"), max_length=500, required=True
    )

    def clean_until(self) -> Any:
        until = self.cleaned_data["until"]
        if until < timezone.localdate():
            raise forms.ValidationError(_("Pick today or a later day."))
        return until


class DeskView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "comment"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        items = [{"url": reverse("reactions_desk"), "label": _("Comments")}]
        if self.get_page_title() != _("Comments"):
            items.append({"url": "", "label": self.get_page_title()})
        return [*self.breadcrumbs_items, *items]

    def back(self, url: str) -> HttpResponse:
        response = redirect(url)
        response.status_code = 303
        return response


class QueueView(DeskView):
    template_name = "reactions/admin/queue.html"
    page_title = _("Comments")

    def queue_name(self) -> str:
        name = self.request.GET.get("queue", "pending")
        return name if name in queries.QUEUES else "pending"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        name = self.queue_name()
        paginator = Paginator(queries.moderation_queue(name), 50)
        page = paginator.get_page(self.request.GET.get("p"))
        context.update(
            queue=name,
            queues=[
                (key, label, count)
                for (key, label), count in zip(
                    queries.QUEUES.items(),
                    queries.queue_counts(),
                    strict=True,
                )
            ],
            page_obj=page,
            comments=list(page.object_list),
            decisions=DECISIONS.items(),
            form=kwargs.get("form") or DecisionForm(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        here = f"{reverse('reactions_desk')}?queue={self.queue_name()}"
        one = request.POST.get("one", "")
        if one:  # a row's own button: "<id>:<decision>"
            pk, _sep, decision = one.partition(":")
            form = DecisionForm(
                {"decision": decision, "reason": request.POST.get("reason", "")}
            )
            if not (pk.isdigit() and form.is_valid()):
                messages.error(request, _("That decision is not offered."))
                return self.back(here)
            comment = get_object_or_404(Comment, pk=int(pk))
            try:
                actions.moderate_comment(
                    comment,
                    actor=request.user,
                    to_state=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                )
            except actions.CommentRefused as refused:
                messages.error(request, refused.message)
            else:
                messages.success(
                    request,
                    _("Comment %(decision)s.")
                    % {"decision": comment_state_label(form.cleaned_data["decision"])},
                )
            return self.back(here)
        posted = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        bulk = BulkForm(
            {
                "decision": request.POST.get("bulk", ""),
                "reason": request.POST.get("reason", ""),
                "ids": posted,
            },
            allowed=posted,
        )
        if not bulk.is_valid():
            for errors in bulk.errors.values():
                for error in errors:
                    messages.error(request, error)
            return self.back(here)
        moved, skipped = actions.moderate_comments(
            bulk.cleaned_data["ids"],
            actor=request.user,
            to_state=bulk.cleaned_data["decision"],
            reason=bulk.cleaned_data["reason"],
        )
        message = ngettext(
            "%(count)d comment %(decision)s.",
            "%(count)d comments %(decision)s.",
            moved,
        ) % {
            "count": moved,
            "decision": comment_state_label(bulk.cleaned_data["decision"]),
        }
        if skipped:
            message += " " + ngettext(
                "%(count)d could not change.", "%(count)d could not change.", skipped
            ) % {"count": skipped}
        messages.success(request, message)
        return self.back(here)


def comment_state_label(state: str) -> str:
    return {
        CommentState.PUBLISHED: str(_("approved")),
        CommentState.REJECTED: str(_("rejected")),
        CommentState.SPAM: str(_("marked as spam")),
    }.get(state, state)


class CommentView(DeskView):
    template_name = "reactions/admin/comment.html"
    page_title = _("Comment")

    def get_comment(self) -> Comment:
        return get_object_or_404(
            Comment.objects.select_related("author", "article", "parent"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        comment = kwargs.get("comment") or self.get_comment()
        context.update(
            comment=comment,
            events=list(comment.events.select_related("actor")),
            reports=list(comment.reports.select_related("reporter")),
            replies=list(comment.replies.select_related("author")),
            standing=actions.standing_of(comment.author),
            decisions=[
                (state, label)
                for state, label in DECISIONS.items()
                if state in actions.COMMENT_TRANSITIONS[comment.state]
            ],
            decision_form=DecisionForm(),
            edit_form=kwargs.get("edit_form")
            or EditForm(initial={"text": comment.text}, prefix="edit"),
            reply_form=kwargs.get("reply_form") or CommentForm(prefix="reply"),
            ban_form=BanForm(prefix="ban"),
            now=timezone.now(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        comment = self.get_comment()
        here = reverse("reactions_desk_comment", args=[comment.pk])
        action = request.POST.get("action", "")
        if action == "decide":
            form = DecisionForm(request.POST)
            if form.is_valid():
                try:
                    actions.moderate_comment(
                        comment,
                        actor=request.user,
                        to_state=form.cleaned_data["decision"],
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(request, _("Decision recorded."))
                except actions.CommentRefused as refused:
                    messages.error(request, refused.message)
            else:
                messages.error(request, _("That decision is not offered."))
            return self.back(here)
        if action == "edit":
            edit_form = EditForm(request.POST, prefix="edit")
            if not edit_form.is_valid():
                context = self.get_context_data(comment=comment, edit_form=edit_form)
                return self.render_to_response(context, status=400)
            try:
                actions.edit_comment(
                    comment,
                    editor=request.user,
                    text=edit_form.cleaned_data["text"],
                    config=setting_for_request(ReactionSettings, request),
                    reason=edit_form.cleaned_data["reason"],
                )
                messages.success(request, _("Comment changed."))
            except actions.CommentRefused as refused:
                messages.error(request, refused.message)
            return self.back(here)
        if action == "reply":
            reply_form = CommentForm(request.POST, prefix="reply")
            if not reply_form.is_valid():
                context = self.get_context_data(comment=comment, reply_form=reply_form)
                return self.render_to_response(context, status=400)
            try:
                actions.reply_as_publication(
                    comment, actor=request.user, text=reply_form.cleaned_data["text"]
                )
                messages.success(request, _("Reply published."))
            except actions.CommentRefused as refused:
                messages.error(request, refused.message)
            return self.back(here)
        messages.error(request, _("Nothing was changed."))
        return self.back(here)


class MemberView(DeskView):
    """Ban, lift a ban, hold or release one member's comments (POST only)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = get_object_or_404(get_user_model(), pk=self.kwargs["user_id"])
        back_to = request.POST.get("next", "")
        if not back_to.startswith("/admin/"):
            back_to = reverse("reactions_desk")
        action = request.POST.get("action", "")
        reason = " ".join(request.POST.get("reason", "").split())[:500]
        if action == "ban":
            form = BanForm(request.POST, prefix="ban")
            if not form.is_valid():
                for field, errors in form.errors.items():
                    for error in errors:
                        messages.error(request, f"{form[field].label}: {error}")
                return self.back(back_to)
            end = timezone.make_aware(
                datetime.combine(form.cleaned_data["until"], time.max)
            )
            actions.ban_member(
                member,
                actor=request.user,
                until=end,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Member banned from commenting."))
        elif action == "unban":
            actions.lift_ban(member, actor=request.user, reason=reason)
            messages.success(request, _("Ban lifted."))
        elif action in ("hold", "release"):
            actions.hold_member(
                member, actor=request.user, held=action == "hold", reason=reason
            )
            messages.success(
                request,
                _("New comments by this member wait for review.")
                if action == "hold"
                else _("This member's comments are no longer held."),
            )
        else:
            messages.error(request, _("Nothing was changed."))
        return self.back(back_to)
