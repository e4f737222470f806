"""The public reaction block under an article: reactions and the thread.

Rendered outside the kept head and foot. For a reader-neutral request (an
anonymous reader without a reaction cookie, first page) the block is kept
through ``core.keep`` under the article's live revision, the thread's order
(a known one: anything else is the default) and whether it is open; the
models are watched so a reaction or comment drops that article's copy. Anyone
else gets it rendered per request, with CSRF tokens only for signed-in readers
(whose pages are private).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from herald.core import keep
from herald.core.sitecache import setting_for_request
from herald.newsroom.models import PublicationSettings
from herald.reactions import queries, readers
from herald.reactions.actions import EDIT_WINDOW
from herald.reactions.forms import CommentForm
from herald.reactions.models import ReactionSettings
from herald.reactions.policy import commenting, kept_vary

register = template.Library()

_PER_READER_PARAMETERS = ("cpage", "posted")


def _neutral(request: Any, article: Any) -> bool:
    return (
        keep.may_keep(request, article, neutral=False)
        and readers.reader_id(request) is None
        and not any(name in request.GET for name in _PER_READER_PARAMETERS)
    )


def _render(request: Any, article: Any, *, neutral: bool) -> str:
    config = setting_for_request(ReactionSettings, request)
    user = getattr(request, "user", None)
    signed_in = not neutral and bool(user is not None and user.is_authenticated)
    order = queries.thread_order(request.GET.get("comments"))
    allowed = commenting(article, config)
    try:
        page = 1 if neutral else int(request.GET.get("cpage", "1"))
    except ValueError:
        page = 1
    context = {
        "article": article,
        "signed_in": signed_in,
        "reactions_enabled": config.reactions_enabled,
        "summary": queries.reaction_summary(
            config.kinds(), article.pk, None if neutral else readers.reader_id(request)
        )
        if config.reactions_enabled
        else [],
        "open": allowed.open,
        "closed_because": allowed.closed_because,
        "orders": queries.ORDERS,
        "form": CommentForm(),
        "posted": request.GET.get("posted", "") if signed_in else "",
        "edit_since": timezone.now() - EDIT_WINDOW,
        "publication_name": setting_for_request(PublicationSettings, request).name,
        **queries.comment_page(article.pk, order=order, page=min(page, 1000)),
    }
    return render_to_string(
        "reactions/public_reaction.html",
        context,
        request=None if neutral else request,
    )


@register.simple_tag(takes_context=True)
def public_reaction(context: template.Context, article: Any) -> SafeString:
    """Reactions and comments for ``article`` (kept only when reader-neutral)."""
    request = context.get("request")
    if request is None or getattr(article, "pk", None) is None:
        return mark_safe("")  # noqa: S308 -- empty string
    if _neutral(request, article):
        html = keep.get_or_build(
            keep.rendering_key("reactions", article, *kept_vary(request, article)),
            lambda: _render(request, article, neutral=True),
            shared=True,
            page=article,
        )
    else:
        html = _render(request, article, neutral=False)
    return mark_safe(html)  # noqa: S308 -- our template's output, escaped there
