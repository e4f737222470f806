"""The newsroom's push screens: send an article, see every push's report.

Thin: parse the form, call one action, render. Sending needs the right to
publish the article.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from herald.newsroom.models import ArticlePage

from . import actions, queries
from .forms import PushForm
from .models import Notification, NotificationState


def _article_for(request: HttpRequest, article_id: int) -> ArticlePage:
    article = ArticlePage.objects.filter(pk=article_id).first()
    if article is None:
        raise Http404
    if not article.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    return article


def _can_push_somewhere(user: Any) -> bool:
    from wagtail.models import Page

    root = Page.get_first_root_node()
    return user.is_superuser or any(
        page.permissions_for_user(user).can_publish()
        for page in ([root, *root.get_children()] if root else [])
    )


@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    """Every push, newest first, with its report."""
    if not _can_push_somewhere(request.user):
        raise PermissionDenied
    pushes = list(queries.notifications_with_counts()[:200])
    return TemplateResponse(
        request,
        "notifications/admin/index.html",
        {"pushes": pushes, "page_title": _("Push notifications")},
    )


@require_http_methods(["GET", "POST"])
def push_article(request: HttpRequest, article_id: int) -> HttpResponse:
    """Choose a topic, check the words and the reach, and send."""
    article = _article_for(request, article_id)
    topics = queries.topics_for_article(article)
    reach = {t.key: queries.reach(t.key) for t in topics}
    choices = [
        (
            t.key,
            _("%(topic)s (%(count)d subscribers)")
            % {
                "topic": t.label,
                "count": reach[t.key],
            },
        )
        for t in topics
    ]
    offered = (
        Notification.objects.filter(article=article, state=NotificationState.OFFERED)
        .order_by("-created_at")
        .first()
    )
    initial = {
        "title": offered.title if offered else article.title,
        "body": offered.body if offered else article.dek,
        "topic": offered.topic if offered else (topics[0].key if topics else ""),
    }
    if request.method == "POST":
        form = PushForm(request.POST, topics=choices)
        if form.is_valid() and article.live:
            data = form.cleaned_data
            try:
                notification = actions.push_article(
                    article,
                    topic=data["topic"],
                    user=request.user,
                    title=data["title"],
                    body=data["body"],
                    resend=data["resend"],
                )
            except actions.AlreadyPushed:
                form.add_error(
                    "resend",
                    _(
                        "This story was pushed to that topic already. Tick the box "
                        "to send it again on purpose."
                    ),
                )
            else:
                messages.success(
                    request,
                    _("Sending to %(count)d subscribers.")
                    % {"count": reach.get(notification.topic, 0)},
                )
                return redirect("notifications_admin:index")
        elif not article.live:
            form.add_error(None, _("Publish the story before pushing it."))
    else:
        form = PushForm(initial=initial, topics=choices)
    history = [
        (n, queries.report(n))
        for n in Notification.objects.filter(article=article).order_by("-created_at")
    ]
    return TemplateResponse(
        request,
        "notifications/admin/push.html",
        {
            "article": article,
            "form": form,
            "reach": reach,
            "history": history,
            "page_title": _("Push notification"),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def cancel(request: HttpRequest, notification_id: str) -> HttpResponse:
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    _article_for(request, notification.article_id)
    if actions.cancel_push(notification):
        messages.success(request, _("The push was not sent."))
    return redirect(reverse("notifications_admin:index"))
