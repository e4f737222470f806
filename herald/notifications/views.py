"""Reader side of push: the service worker, the manifest, topics, the JSON API.

Views parse input, call one action or query, and answer; no ORM writes here.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited

from herald.core import keep
from herald.core.http import client_ip
from herald.core.keep import offline as offline_copy

from . import actions, queries, vapid
from .forms import InvalidInput, TopicsForm, clean_subscription, clean_topics
from .models import BREAKING, PushSubscription
from .payloads import static_url as static

MAX_BODY = 4096


def _error(
    status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> JsonResponse:
    response = JsonResponse(
        {"error": {"code": code, "message": message, "fields": fields or {}}},
        status=status,
    )
    return _private(response)


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _limited(request: HttpRequest, group: str) -> bool:
    return is_ratelimited(
        request,
        group=f"notifications.{group}",
        key=lambda _group, _request: client_ip(request),
        rate=settings.HERALD_PUSH_RATE,
        increment=True,
    )


def _too_many() -> JsonResponse:
    response = _error(
        429, "rate_limited", _("Too many requests from your address; try later.")
    )
    response["Retry-After"] = "3600"
    return response


def _json_body(request: HttpRequest) -> Any:
    if len(request.body) > MAX_BODY:
        raise InvalidInput("too_large", _("The request is too large."), {})
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("invalid_json", _("The request is not JSON."), {}) from None


def _with_cookie(response: HttpResponse, subscription: PushSubscription) -> None:
    response.set_cookie(
        queries.COOKIE,
        queries.sign_subscription_id(subscription.pk),
        max_age=queries.COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _subscription_json(subscription: PushSubscription) -> dict[str, Any]:
    return {
        "id": str(subscription.pk),
        "topics": sorted(queries.topics_of(subscription)),
        "token": queries.sign_subscription_id(subscription.pk),
        "manage_url": reverse("notifications:topics"),
    }


# --- Service worker, manifest, offline -----------------------------------------------


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``: at the site root so its scope is the whole site."""
    response = render(
        request,
        "notifications/sw.js",
        {
            "offline_url": reverse("notifications:offline"),
            "offline_list_url": reverse("notifications:offline_list"),
            "click_url": reverse("notifications:clicks"),
            "css_url": static("css/herald.css"),
            "offline_js_url": static("js/offline.js"),
            "icon_url": static("icons/icon-192.png"),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker at least daily; no-cache makes it at once.
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


def _manifest_data() -> dict[str, Any]:
    from herald.newsroom.models import PublicationSettings

    publication = PublicationSettings.objects.select_related("logo").first()
    name = publication.name if publication else "Herald"
    icons = []
    logo = publication.logo if publication else None
    if logo is not None:
        try:
            for size in (192, 512):
                rendition = logo.get_rendition(f"fill-{size}x{size}|format-png")
                icons.append(
                    {
                        "src": rendition.url,
                        "sizes": f"{size}x{size}",
                        "type": "image/png",
                        "purpose": "any",
                    }
                )
        except Exception:  # an unreadable logo file: the shipped icons
            icons = []
    if not icons:
        icons = [
            {
                "src": static(f"icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ]
    return {
        "name": name,
        "short_name": name[:12],
        "description": (publication.tagline if publication else "") or name,
        "id": "/",
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "lang": publication.language if publication else settings.LANGUAGE_CODE,
        # The layout's light and dark theme colours (base.html meta theme-color);
        # the manifest takes one, the page's media-query metas pick per scheme.
        "background_color": "#fbf9f4",
        "theme_color": "#fbf9f4",
        "icons": icons,
    }


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest (name, icons from the publication's logo, colours)."""
    data = keep.get_or_build("notifications-manifest", _manifest_data)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False),
        content_type="application/manifest+json",
    )
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """The page the service worker shows offline: what is stored to read."""
    response = render(request, "notifications/offline.html", {})
    patch_cache_control(response, public=True, max_age=3600)
    return offline_copy.refuse(response)  # stored once, as the worker's shell


@require_safe
def offline_list(request: HttpRequest) -> HttpResponse:
    """Headlines and paths of the newest free stories (stored for offline)."""
    stories = keep.get_or_build("notifications-latest", queries.latest_public_stories)
    response = JsonResponse({"stories": stories})
    patch_cache_control(response, public=True, max_age=60)
    return response


# --- Topics page (works without JavaScript) ------------------------------------------


@require_http_methods(["GET", "POST"])
def topics(request: HttpRequest) -> HttpResponse:
    """Choose topics or stop, for this browser's subscription."""
    subscription = queries.subscription_for_request(request)
    choices = [(t.key, t.label) for t in queries.available_topics()]
    current = sorted(queries.topics_of(subscription)) if subscription else []
    # ?topic=author-7 (an author's page links here): that topic ticked.
    asked = request.GET.get("topic", "")
    asked = asked if asked in {key for key, _label in choices} else ""
    if request.method == "POST" and subscription is not None:
        if _limited(request, "topics"):
            return _private(
                render(request, "notifications/ratelimited.html", status=429)
            )
        if "stop" in request.POST:
            actions.unsubscribe(subscription)
            messages.success(request, _("You will get no more notifications."))
            return redirect("notifications:topics")
        form = TopicsForm(request.POST, choices=choices)
        if form.is_valid():
            actions.set_topics(subscription, topics=form.cleaned_data["topics"])
            messages.success(request, _("Your notification topics are saved."))
            return redirect("notifications:topics")
    else:
        initial = sorted({*current, asked} - {""})
        form = TopicsForm(initial={"topics": initial}, choices=choices)
    response = render(
        request,
        "notifications/topics.html",
        {
            "form": form,
            "subscription": subscription,
            "topics": choices,
            "ticked": [asked] if asked else [BREAKING],
        },
    )
    patch_vary_headers(response, ("Cookie",))
    return _private(response)


# --- JSON API ------------------------------------------------------------------------


@require_safe
def key(request: HttpRequest) -> HttpResponse:
    """The applicationServerKey, and a CSRF token for the API calls that follow."""
    return _private(
        JsonResponse({"publicKey": vapid.public_key(), "csrfToken": get_token(request)})
    )


@require_http_methods(["POST"])
def subscriptions(request: HttpRequest) -> HttpResponse:
    """Store a browser's subscription (``PushSubscription.toJSON()`` + topics)."""
    if _limited(request, "subscribe"):
        return _too_many()
    try:
        data = clean_subscription(
            _json_body(request), allowed_topics=queries.topic_keys()
        )
    except InvalidInput as exc:
        return _error(400, exc.code, exc.message, exc.fields)
    subscription, created = actions.subscribe(data, member=request.user)
    response = JsonResponse(
        _subscription_json(subscription), status=201 if created else 200
    )
    _with_cookie(response, subscription)
    return _private(response)


def _owned(request: HttpRequest, subscription_id: str) -> PushSubscription | None:
    """The subscription if this browser holds its signed id, or its member asks."""
    token = request.headers.get("X-Push-Token") or request.COOKIES.get(queries.COOKIE)
    found = queries.subscription_by_token(token or "")
    if found is not None and str(found.pk) == subscription_id:
        return found
    user = request.user
    if user.is_authenticated:
        return (
            PushSubscription.objects.filter(pk=subscription_id, member=user)
            .prefetch_related("topics")
            .first()
        )
    return None


@require_http_methods(["GET", "PUT", "DELETE"])
def subscription(request: HttpRequest, subscription_id: str) -> HttpResponse:
    """Read, change the topics of, or remove one subscription (its holder only)."""
    if request.method != "GET" and _limited(request, "change"):
        return _too_many()
    found = _owned(request, str(subscription_id))
    if found is None:
        return _error(404, "not_found", _("No such subscription for this browser."))
    if request.method == "DELETE":
        actions.unsubscribe(found)
        response = _private(HttpResponse(status=204))
        response.delete_cookie(queries.COOKIE)
        return response
    if request.method == "PUT":
        try:
            body = _json_body(request)
            if not isinstance(body, dict) or "topics" not in body:
                raise InvalidInput("invalid", _('Send {"topics": [...]}.'), {})
            chosen = clean_topics(body["topics"], queries.topic_keys())
        except InvalidInput as exc:
            return _error(400, exc.code, exc.message, exc.fields)
        except ValueError as exc:
            return _error(400, "invalid_topics", str(exc), {"topics": str(exc)})
        actions.set_topics(found, topics=chosen)
        found = queries.subscription_by_token(queries.sign_subscription_id(found.pk))
        assert found is not None
    return _private(JsonResponse(_subscription_json(found)))


@csrf_exempt  # sent by the service worker, which has no CSRF token; counts only
@require_http_methods(["POST"])
def clicks(request: HttpRequest) -> HttpResponse:
    """Count a click on a push (``{"id": <notification id>}``)."""
    if _limited(request, "clicks"):
        return _too_many()
    try:
        body = _json_body(request)
    except InvalidInput as exc:
        return _error(400, exc.code, exc.message)
    notification_id = body.get("id") if isinstance(body, dict) else None
    if not isinstance(notification_id, str) or not actions.record_click(
        notification_id
    ):
        return _error(404, "not_found", _("No such notification."))
    return _private(HttpResponse(status=204))
