"""The per-request public reaction block under an article (never kept)."""

from __future__ import annotations

from typing import Any

from django import template

from herald.core.sitecache import setting_for_request
from herald.reactions import queries, readers
from herald.reactions.models import ReactionSettings

register = template.Library()


@register.inclusion_tag("reactions/block.html", takes_context=True)
def reactions_block(context: template.Context, article: Any) -> dict[str, Any]:
    """Counts and buttons for ``article``: one or two queries, per request.

    Rendered outside the kept head and foot. Only signed-in readers (whose
    pages are private) get a CSRF token in the form; anonymous pages may be
    shared by caches, so their buttons lead to a confirmation with a token.
    """
    request = context.get("request")
    if request is None or getattr(article, "pk", None) is None:
        return {"enabled": False}
    config = setting_for_request(ReactionSettings, request)
    if not config.reactions_enabled:
        return {"enabled": False}
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "enabled": True,
        "request": request,
        "article": article,
        "signed_in": signed_in,
        "csrf_token": context.get("csrf_token") if signed_in else None,
        "summary": queries.reaction_summary(
            config.kinds(), article.pk, readers.reader_id(request)
        ),
    }
