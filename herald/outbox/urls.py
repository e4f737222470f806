"""Anymail's tracking webhooks, at /email/webhooks/<esp>/tracking/.

Anymail checks the basic-auth secret and the ESP's signature (a bad one is a
400 and changes nothing) and sends ``anymail.signals.tracking``; the outbox
records the event (receivers.py). Without a configured secret anymail would
accept anyone's POST with a warning: here such a request is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from anymail import urls as anymail_urls
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

app_name = "outbox"


def _require_secret(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (getattr(settings, "ANYMAIL", None) or {}).get("WEBHOOK_SECRET"):
            return JsonResponse(
                {
                    "error": {
                        "code": "webhooks_not_configured",
                        "message": "Set HERALD_EMAIL_WEBHOOK_SECRET to receive "
                        "email events.",
                        "fields": {},
                    }
                },
                status=400,
            )
        return view(request, *args, **kwargs)

    return csrf_exempt(guarded)


def _tracking_patterns() -> list[URLPattern]:
    patterns = []
    for pattern in anymail_urls.urlpatterns:
        name = pattern.name or ""
        if not (
            name.endswith("_tracking_webhook") or name == "mandrill_tracking_webhook"
        ):
            continue
        if not isinstance(pattern, URLPattern):
            continue
        route = str(pattern.pattern)
        if route.startswith("^"):  # re_path aliases (old ESP names): skip
            continue
        patterns.append(path(route, _require_secret(pattern.callback), name=name))
    return patterns


urlpatterns = _tracking_patterns()
