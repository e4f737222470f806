"""Metering: a few free gated articles per 30 days for readers who are not signed in.

The count is kept on the server (the cache), keyed by a random id in a signed,
first-party, HttpOnly cookie; the cookie holds no count, so editing or copying it
gains nothing. A reader who drops the cookie gets a new id, but one address can
only start a limited number of new meters a day. Responses that consulted the
meter are marked personalised; ``MeterMiddleware`` makes them private and sets
the cookie.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers

from herald.core.http import client_ip
from herald.core.keep import http as keep_http

from .models import MembershipSettings

COOKIE_NAME = "herald_meter"
COOKIE_SALT = "herald.members.meter"
WINDOW = 30 * 24 * 3600
NEW_METERS_PER_ADDRESS_PER_DAY = 20


def settings_for(request: HttpRequest) -> MembershipSettings | None:
    try:
        return MembershipSettings.for_request(request)
    except Exception:  # no site configured (fresh install)
        return None


def _meter_id(request: HttpRequest) -> str | None:
    try:
        value = request.get_signed_cookie(
            COOKIE_NAME, default=None, salt=COOKIE_SALT, max_age=WINDOW
        )
    except signing.BadSignature:
        return None
    return value if value and len(value) <= 64 else None


def _address_key(request: HttpRequest) -> str:
    address = client_ip(request)
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()
    return f"herald:meter:new:{digest[:32]}"


def _seen(meter_id: str, now: float) -> dict[int, float]:
    raw = cache.get(f"herald:meter:{meter_id}") or {}
    return {int(k): v for k, v in raw.items() if v > now - WINDOW}


def meter_pass(request: HttpRequest, article: Any) -> bool:
    """Count ``article`` against the reader's meter; True if it may be read in full."""
    config = settings_for(request)
    if config is None or not config.meters(article.access_level):
        return False
    request.herald_personalised = True  # type: ignore[attr-defined]
    now = time.time()
    meter_id = _meter_id(request)
    if meter_id is None:
        address_key = _address_key(request)
        cache.add(address_key, 0, 24 * 3600)
        try:
            started = cache.incr(address_key)
        except ValueError:
            started = 1
        if started > NEW_METERS_PER_ADDRESS_PER_DAY:
            request.herald_meter_wall = True  # type: ignore[attr-defined]
            return False
        meter_id = secrets.token_urlsafe(18)
        request.herald_meter_new = meter_id  # type: ignore[attr-defined]
    seen = _seen(meter_id, now)
    if article.pk not in seen:
        if len(seen) >= config.metered_articles:
            request.herald_meter_wall = True  # type: ignore[attr-defined]
            request.herald_meter_left = 0  # type: ignore[attr-defined]
            return False
        seen[article.pk] = now
        cache.set(f"herald:meter:{meter_id}", seen, WINDOW)
    request.herald_meter_left = max(  # type: ignore[attr-defined]
        0, config.metered_articles - len(seen)
    )
    return True


class MeterMiddleware:
    """Keep personalised responses out of shared caches and set the meter cookie."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if getattr(request, "herald_personalised", False):
            # core.keep's rule: a reader with a metering pass sees more than
            # an anonymous one; replace any public marking set by the view.
            keep_http.private(response)
            patch_vary_headers(response, ("Cookie",))
            new_id = getattr(request, "herald_meter_new", None)
            if new_id:
                response.set_signed_cookie(
                    COOKIE_NAME,
                    new_id,
                    salt=COOKIE_SALT,
                    max_age=WINDOW,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
        return response
