"""Branded error pages and the sign-in lockout page."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    template = loader.get_template("404.html")
    return HttpResponse(template.render({}, request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may be in the database or a context processor.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({}))


def lockout(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """Explain a django-axes lockout (AXES_LOCKOUT_CALLABLE) with status 429.

    The page does not repeat the username that was typed, and it says the same
    thing whether or not that account exists.
    """
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else 15
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    response = render(request, "core/lockout.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
