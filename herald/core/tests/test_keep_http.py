"""core.keep.http: the one place that says what a shared cache may keep."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from herald.core.keep import http as keep_http


class Member:
    is_authenticated = True


def request(*, user=None, preview=False, metered=False):  # type: ignore[no-untyped-def]
    req = RequestFactory().get("/harbour/ferries-return/")
    req.user = user or AnonymousUser()
    if preview:
        req.is_preview = True
    if metered:
        req.herald_personalised = True
    return req


def test_an_anonymous_readers_page_is_public_for_a_minute():
    response = keep_http.reader_page(request(), HttpResponse("page"))

    assert response["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in response["Vary"]
    assert keep_http.is_public(response)


@pytest.mark.parametrize(
    "who",
    [
        {"user": Member()},
        {"preview": True},
        {"metered": True},
    ],
    ids=["member or staff", "preview", "metered reader"],
)
def test_anyone_else_gets_a_private_page(who):
    response = keep_http.reader_page(request(**who), HttpResponse("page"))

    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert not keep_http.is_public(response)


def test_a_page_that_sets_a_cookie_is_private_even_for_an_anonymous_reader():
    response = HttpResponse("page")
    response.set_cookie("csrftoken", "abc")

    keep_http.reader_page(request(), response)

    assert not keep_http.is_public(response)


def test_other_statuses_are_left_without_cache_control():
    response = keep_http.reader_page(request(), HttpResponse("gone", status=404))

    assert "Cache-Control" not in response


def test_private_replaces_every_shareable_directive_and_keeps_no_store():
    response = HttpResponse("page")
    response["Cache-Control"] = "public, max-age=300, s-maxage=600, no-store"

    keep_http.private(response)

    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"no-store", "private", "no-cache", "max-age=0"}


def test_the_cookie_guard_makes_a_public_response_with_a_cookie_private():
    def view(req):  # type: ignore[no-untyped-def]
        response = keep_http.neutral(HttpResponse("feed"), max_age=300)
        response.set_cookie("sessionid", "xyz")  # as a middleware would, later
        return response

    response = keep_http.CookieGuardMiddleware(view)(request())

    assert not keep_http.is_public(response)
    assert "private" in response["Cache-Control"]


def test_the_cookie_guard_leaves_a_public_response_without_cookies_alone():
    guarded = keep_http.CookieGuardMiddleware(
        lambda req: keep_http.neutral(HttpResponse("feed"), max_age=300)
    )

    assert guarded(request())["Cache-Control"] == "public, max-age=300"
