"""Branded error pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    template = loader.get_template("404.html")
    return HttpResponse(template.render({}, request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may be in the database or a context processor.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({}))
