"""Whether a rendering may be kept for later readers: the one decision.

Rules (``CONTEXT.md`` says why):

1. Nothing rendered for a preview (``request.is_preview``: *View draft*, the
   editor's preview panel, revision views) is kept.
2. Nothing rendered from a page that is not live, has no primary key, or was
   rebuilt from a revision rather than loaded as stored is kept; what is kept
   of a page is keyed by its live revision (``keys.py``).
3. A rendering made with the request's reader in its context (templates that
   read ``user``) is kept only when that reader is anonymous: a signed-in
   reader, a staff account or a reader with a metered pass may see more than an
   anonymous one. Renderings made for nobody (body parts, article head and
   foot, head tags) are *reader-neutral* and may be kept whoever asked; the
   paywall gate decides on every request which of them a reader gets.
"""

from __future__ import annotations

from typing import Any


def is_preview(request: Any) -> bool:
    return bool(getattr(request, "is_preview", False))


def reader_is_anonymous(request: Any) -> bool:
    """Whether the request's reader sees what any anonymous reader sees."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    # Metering personalises the page (a pass, or a count of what is left).
    return not getattr(request, "herald_personalised", False)


def page_may_be_kept(page: Any) -> bool:
    """Whether ``page`` is a live page as stored: not one built from a revision.

    A page rebuilt from a revision (``Revision.as_object``, what *View draft*
    and scheduled revisions give) keeps the live page's id, ``live`` flag and
    revision ids, so only Django's ``_state.adding`` (True for an object not
    loaded from the database) tells it apart from the stored page.
    """
    if not getattr(page, "pk", None) or not getattr(page, "live", False):
        return False
    state = getattr(page, "_state", None)
    return state is None or not state.adding


def may_keep(request: Any = None, page: Any = None, *, neutral: bool = True) -> bool:
    """Whether what is rendered now, for ``request`` and ``page``, may be kept.

    ``neutral`` says the rendering does not depend on the request's reader.
    """
    if request is not None and is_preview(request):
        return False
    if page is not None and not page_may_be_kept(page):
        return False
    return neutral or request is None or reader_is_anonymous(request)
