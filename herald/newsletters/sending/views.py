"""Open and click tracking (only for newsletters that turned it on)."""

from __future__ import annotations

import base64

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from herald.core.http import client_ip

from . import actions, queries, rendering
from .models import Variant

# A transparent 1×1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _limited(request: HttpRequest) -> bool:
    return is_ratelimited(
        request,
        group="newsletters.track",
        key=lambda _g, r: client_ip(r),
        rate="300/m",
        increment=True,
    )


@never_cache
def track_open(request: HttpRequest, token: str) -> HttpResponse:
    delivery = queries.delivery_by_token(token)
    if delivery is not None and delivery.send.track_opens and not _limited(request):
        actions.record_open(delivery)
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
def track_click(request: HttpRequest, token: str, number: int) -> HttpResponse:
    delivery = queries.delivery_by_token(token)
    if delivery is None:
        raise Http404
    data = delivery.send.renderings.get(delivery.variant or Variant.FULL) or {}
    links = data.get("links") or []
    if number >= len(links):
        raise Http404
    url = links[number]
    if not url.startswith(("https://", "http://")):
        url = rendering.absolute(url)
    if delivery.send.track_clicks and not _limited(request):
        actions.record_click(delivery, url=url)
    return HttpResponseRedirect(url)
