"""Reader views of public reaction: thin, parse input, call an action, answer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from herald.core.http import client_ip
from herald.core.sitecache import setting_for_request
from herald.newsroom.models import ArticlePage

from . import actions, queries, readers
from .models import ReactionSettings

RATES = {"react_ip": "30/10m", "comment_ip": "10/10m", "report_ip": "20/10m"}


def _rate(name: str) -> str:
    return getattr(settings, "HERALD_REACTIONS_RATES", {}).get(name, RATES[name])


def _limited(request: HttpRequest, group: str) -> bool:
    ip = client_ip(request)
    return is_ratelimited(
        request,
        group=f"reactions.{group}",
        key=lambda _group, _request: ip,
        rate=_rate(group),
        increment=True,
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if _wants_json(request):
        response: HttpResponse = JsonResponse(
            {"error": {"code": code, "message": message, "fields": {}}}, status=status
        )
    else:
        response = render(
            request,
            "reactions/error.html",
            {"message": message},
            status=status,
        )
    response["Cache-Control"] = "private, no-store"
    return response


def _csrf_ok(request: HttpRequest) -> bool:
    def _view(*_args: Any, **_kwargs: Any) -> None:  # pragma: no cover
        return None

    checker = CsrfViewMiddleware(lambda _request: HttpResponse())
    return checker.process_view(request, _view, (), {}) is None


@csrf_exempt  # checked below: without a token the reader is asked to confirm
@require_POST
def react(request: HttpRequest, article_id: int) -> HttpResponse:
    """Set or take back the reader's reaction, then go back to the article.

    Anonymous article pages are shared by caches, so their reaction buttons
    carry no CSRF token: such a POST changes nothing and shows a confirmation
    form with this reader's own token instead.
    """
    if _limited(request, "react_ip"):
        response = _error(
            request, 429, "rate_limited", "Too many reactions. Try again later."
        )
        response["Retry-After"] = "600"
        return response
    article = get_object_or_404(ArticlePage.objects.live(), pk=article_id)
    config = setting_for_request(ReactionSettings, request)
    kinds = {kind.slug: kind for kind in config.kinds()}
    kind = request.POST.get("kind", "")
    if not config.reactions_enabled or kind not in kinds:
        return _error(request, 400, "invalid_kind", "That reaction is not offered.")
    if not _csrf_ok(request):
        if _wants_json(request):
            return _error(request, 403, "csrf", "Reload the page and try again.")
        response = render(
            request,
            "reactions/confirm.html",
            {"article": article, "kind": kinds[kind]},
        )
        response["Cache-Control"] = "private, no-store"
        return response
    reader, new_cookie = readers.ensure_reader(request)
    mine = actions.react(article, reader=reader, kind=kind)
    if _wants_json(request):
        response = JsonResponse(
            {
                "counts": queries.reaction_counts(article.pk),
                "mine": mine,
            }
        )
    else:
        response = redirect(f"{article.get_url(request)}#reactions", permanent=False)
        response.status_code = 303
    response["Cache-Control"] = "private, no-store"
    if new_cookie:
        readers.set_reader_cookie(response, new_cookie)
    return response


@require_POST
def comment(request: HttpRequest, article_id: int) -> HttpResponse:
    """Post a member's comment or reply, then go back to the thread."""
    from .forms import CommentForm
    from .models import Comment, CommentState

    if _limited(request, "comment_ip"):
        response = _error(
            request, 429, "rate_limited", "Too many comments. Wait a bit."
        )
        response["Retry-After"] = "600"
        return response
    article = get_object_or_404(ArticlePage.objects.live(), pk=article_id)
    if not request.user.is_authenticated:
        return _error(request, 403, "sign_in", "Sign in as a member to comment.")
    config = setting_for_request(ReactionSettings, request)
    form = CommentForm(request.POST)
    if not form.is_valid():
        response = render(
            request,
            "reactions/comment_form_page.html",
            {"article": article, "form": form},
            status=400,
        )
        response["Cache-Control"] = "private, no-store"
        return response
    parent = None
    if form.cleaned_data.get("parent"):
        parent = Comment.objects.filter(
            uuid=form.cleaned_data["parent"], state=CommentState.PUBLISHED
        ).first()
        if parent is None:
            return _error(
                request, 400, "no_parent", "That comment cannot be replied to."
            )
    try:
        posted = actions.post_comment(
            article,
            author=request.user,
            text=form.cleaned_data["text"],
            config=config,
            parent=parent,
            client_ip=client_ip(request),
        )
    except actions.CommentRefused as refused:
        return _error(request, 403, refused.code, refused.message)
    anchor = "comments-held" if posted.state == CommentState.PENDING else "comments"
    response = redirect(f"{article.get_url(request)}?posted=1#{anchor}")
    response.status_code = 303
    response["Cache-Control"] = "private, no-store"
    return response


def _too_many(request: HttpRequest, group: str) -> HttpResponse | None:
    if not _limited(request, group):
        return None
    response = _error(request, 429, "rate_limited", "Too many requests. Wait a bit.")
    response["Retry-After"] = "600"
    return response


def _back_to(request: HttpRequest, comment: Any, notice: str = "") -> HttpResponse:
    url = comment.article.get_url(request)
    query = f"?posted={notice}" if notice else ""
    response = redirect(f"{url}{query}#c-{comment.uuid}")
    response.status_code = 303
    response["Cache-Control"] = "private, no-store"
    return response


def _own_comment(request: HttpRequest, comment_uuid: Any) -> Any:
    """The signed-in reader's own live comment (404 for anyone else's: V8.2.2)."""
    from .models import Comment, CommentState

    return get_object_or_404(
        Comment.objects.select_related("article"),
        uuid=comment_uuid,
        author=request.user,
        state__in=[CommentState.PENDING, CommentState.PUBLISHED],
        article__live=True,
    )


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def edit_comment(request: HttpRequest, comment_uuid: Any) -> HttpResponse:
    """The author changes their comment within ten minutes of posting it."""
    from .forms import CommentForm

    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    if request.method == "POST" and (limited := _too_many(request, "comment_ip")):
        return limited
    if not request.user.is_authenticated:
        return _error(request, 403, "sign_in", "Sign in to edit your comments.")
    comment = _own_comment(request, comment_uuid)
    if request.method == "GET":
        if timezone.now() - comment.created_at > actions.EDIT_WINDOW:
            return _error(
                request,
                403,
                "too_late",
                "Comments can be edited for ten minutes after posting.",
            )
        form = CommentForm(initial={"text": comment.text})
        status = 200
    else:
        form = CommentForm(request.POST)
        if form.is_valid():
            config = setting_for_request(ReactionSettings, request)
            try:
                actions.edit_comment(
                    comment,
                    editor=request.user,
                    text=form.cleaned_data["text"],
                    config=config,
                )
            except actions.CommentRefused as refused:
                return _error(request, 403, refused.code, refused.message)
            return _back_to(request, comment, "edited")
        status = 400
    return _private(
        render(
            request,
            "reactions/edit_page.html",
            {"article": comment.article, "comment": comment, "form": form},
            status=status,
        )
    )


@require_POST
def delete_comment(request: HttpRequest, comment_uuid: Any) -> HttpResponse:
    """The author takes their own comment down."""
    if limited := _too_many(request, "comment_ip"):
        return limited
    if not request.user.is_authenticated:
        return _error(request, 403, "sign_in", "Sign in to delete your comments.")
    comment = _own_comment(request, comment_uuid)
    actions.delete_own_comment(comment, author=request.user)
    response = redirect(f"{comment.article.get_url(request)}?posted=deleted#comments")
    response.status_code = 303
    return _private(response)


@require_POST
def report_comment(request: HttpRequest, comment_uuid: Any) -> HttpResponse:
    """A member flags someone else's comment for the moderators."""
    from .models import Comment, CommentState

    if limited := _too_many(request, "report_ip"):
        return limited
    if not request.user.is_authenticated:
        return _error(request, 403, "sign_in", "Sign in to report a comment.")
    comment = get_object_or_404(
        Comment.objects.select_related("article"),
        uuid=comment_uuid,
        state=CommentState.PUBLISHED,
        article__live=True,
    )
    reason = " ".join(request.POST.get("reason", "").split())[:500]
    try:
        actions.report_comment(comment, reporter=request.user, reason=reason)
    except actions.CommentRefused as refused:
        return _error(request, 403, refused.code, refused.message)
    return _back_to(request, comment, "reported")


@require_POST
def reply_emails(request: HttpRequest) -> HttpResponse:
    """Turn emails about replies to the member's comments on or off."""
    if not request.user.is_authenticated:
        return _error(request, 403, "sign_in", "Sign in to change your emails.")
    actions.set_reply_emails(request.user, wanted=request.POST.get("wanted") == "1")
    response = redirect(f"{reverse('members:account')}#comment-emails")
    response.status_code = 303
    return _private(response)
