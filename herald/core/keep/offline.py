"""What a reader's own device may keep for offline reading (the service worker).

The HTTP side of offline reading: Herald says on each page whether the service
worker (``/sw.js``, in ``notifications``) may store it, and for whom. The
service worker stores nothing else; it trusts no ``Cache-Control`` of its own
reading. The ``Herald-Offline`` header of a page (GET, 200, HTML) lists:

- ``reader=<id>``: who the page was made for: ``anonymous``, or a keyed hash
  of the signed-in account (never its id or email). On a page for another
  reader than the stored pages', the service worker deletes every stored page.
- ``keep``: this page may be stored on this device for that reader. Given for
  a page every anonymous reader is shown (a public page: no cookie, no metering
  pass, no preview); for a signed-in reader only when the view says so
  (``allow``): an article they may read in full, a listing. Never for a page
  that shows a signed-in reader a paywall, a preview, an account page.
- ``access=<id>``: on article pages, a keyed hash of what the paywall gate knew
  of the reader (kind, paid, tiers). On a page with another ``access`` than a
  stored page's, the service worker deletes that stored page: a reader who lost
  (or gained) access is never shown an old decision.

A response to a request that signed the reader out also carries
``Clear-Site-Data: "cache"`` (the browser's HTTP cache of the reader's private
pages); the service worker deletes its stored pages on the sign-out request
itself and on the next page (another ``reader``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.functional import empty

from .http import is_public

HEADER = "Herald-Offline"
ANONYMOUS = "anonymous"
_SALT = "herald.core.keep.offline"


def allow(response: Any, *, access: str = "") -> Any:
    """Let a signed-in reader's device store ``response`` for offline reading.

    ``access`` is ``access_id`` of the reader the gate decided for (article
    pages). An anonymous reader's page needs no call: it is stored when public.
    """
    response.herald_offline = True
    response.herald_offline_access = access
    return response


def refuse(response: Any, *, access: str = "") -> Any:
    """Never store ``response`` offline, even when it is public (a page with a
    paywall, search results); ``access`` as for ``allow``."""
    response.herald_offline = False
    response.herald_offline_access = access
    return response


def access_id(reader: Any) -> str:
    """A keyed hash of what the paywall gate knows of ``reader`` (``Reader``)."""
    tiers = ",".join(str(t) for t in sorted(getattr(reader, "tier_ids", ()) or ()))
    value = f"{reader.kind}|{int(bool(getattr(reader, 'has_paid', False)))}|{tiers}"
    return salted_hmac(f"{_SALT}.access", value).hexdigest()[:16]


def reader_id(request: Any) -> str:
    """``anonymous``, or a keyed hash of the request's signed-in account.

    Reads no session that the request did not bring: a request without a
    session cookie is anonymous without a lookup.
    """
    user = getattr(request, "user", None)
    if user is None:
        return ANONYMOUS
    # Not read yet (a SimpleLazyObject) and no session cookie: no account.
    if getattr(user, "_wrapped", None) is empty and (
        settings.SESSION_COOKIE_NAME not in getattr(request, "COOKIES", {})
    ):
        return ANONYMOUS
    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    return "m-" + salted_hmac(f"{_SALT}.reader", str(user.pk)).hexdigest()[:16]


def _is_page(request: Any, response: Any) -> bool:
    return (
        request.method == "GET"
        and response.status_code == 200
        and not getattr(response, "streaming", False)
        and response.get("Content-Type", "").startswith("text/html")
    )


def mark(request: Any, response: Any) -> Any:
    """Write ``Herald-Offline`` (and ``Clear-Site-Data`` after a sign-out)."""
    if getattr(request, "herald_signed_out", False):
        response["Clear-Site-Data"] = '"cache"'
    if not _is_page(request, response) or getattr(request, "is_preview", False):
        return response
    reader = ANONYMOUS if getattr(request, "herald_signed_out", False) else None
    reader = reader or reader_id(request)
    wanted = getattr(response, "herald_offline", None)
    cache_control = response.get("Cache-Control", "").lower()
    if wanted is False or "no-store" in cache_control:
        keep = False
    elif reader == ANONYMOUS:
        keep = is_public(response) and not response.cookies
    else:
        keep = wanted is True
    parts = [f"reader={reader}"]
    if keep:
        parts.append("keep")
    access = getattr(response, "herald_offline_access", "")
    if access:
        parts.append(f"access={access}")
    response[HEADER] = ", ".join(parts)
    return response


def note_sign_out(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """``user_logged_out``: the response to this request clears the device."""
    if request is not None:
        request.herald_signed_out = True


class OfflineMiddleware:
    """Marks what a reader's device may keep (see the module docstring).

    First in ``MIDDLEWARE``, so it sees the response as it leaves Herald, after
    ``CookieGuardMiddleware`` made its last word on ``Cache-Control``.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        return mark(request, self.get_response(request))
