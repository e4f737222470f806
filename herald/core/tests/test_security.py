"""Security headers on reader pages, error pages and the admin (standards.md §6)."""

from __future__ import annotations

import re

import pytest
from django.urls import path
from lxml import html as lxml_html

from herald.newsroom.testing import make_article, make_author, make_section
from herald.urls import urlpatterns as herald_urlpatterns

pytestmark = pytest.mark.django_db

NONCE_RE = re.compile(r"'nonce-([A-Za-z0-9+/=]+)'")


def parse_csp(header: str) -> dict[str, list[str]]:
    policy: dict[str, list[str]] = {}
    for directive in header.split(";"):
        parts = directive.split()
        if parts:
            policy[parts[0]] = parts[1:]
    return policy


def script_nonce(policy: dict[str, list[str]]) -> str:
    nonces = [m.group(1) for v in policy["script-src"] if (m := NONCE_RE.fullmatch(v))]
    assert len(nonces) == 1, policy["script-src"]
    return nonces[0]


@pytest.fixture
def reader_urls():
    """A URL for every kind of reader page, with content on it."""
    section = make_section("World")
    author = make_author("Ada Reporter")
    article = make_article(
        section, "A harbour reopens", authors=[author], tags=["ports"]
    )
    return {
        "home": "/",
        "section": section.url,
        "article": article.url,
        "author": f"/author/{author.slug}/",
        "tag": "/tag/ports/",
        "search": "/search/?q=harbour",
    }


def assert_reader_headers(response) -> dict[str, list[str]]:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    policy = parse_csp(response["Content-Security-Policy"])
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    script_src = policy["script-src"]
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert not any(s in ("*", "https:", "http:", "data:") for s in script_src)
    script_nonce(policy)
    return policy


@pytest.mark.parametrize(
    "kind", ["home", "section", "article", "author", "tag", "search"]
)
def test_reader_page_carries_security_headers_and_nonce_csp(client, reader_urls, kind):
    response = client.get(reader_urls[kind])

    assert response.status_code == 200
    assert_reader_headers(response)


@pytest.mark.parametrize(
    "kind", ["home", "section", "article", "author", "tag", "search"]
)
def test_every_inline_script_on_reader_page_carries_the_response_nonce(
    client, reader_urls, kind
):
    response = client.get(reader_urls[kind])

    nonce = script_nonce(parse_csp(response["Content-Security-Policy"]))
    tree = lxml_html.fromstring(response.content.decode())
    for script in tree.iter("script"):
        if script.get("src"):
            continue
        assert script.get("nonce") == nonce, lxml_html.tostring(script)[:200]
    # Inline event handlers and javascript: URLs would ignore the nonce entirely.
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        assert not [a for a in element.attrib if a.lower().startswith("on")]
        for attr in ("href", "src", "action", "formaction"):
            value = (element.get(attr) or "").strip().lower()
            assert not value.startswith("javascript:"), (element.tag, value)


def test_nonce_differs_from_one_response_to_the_next(client, reader_urls):
    nonces = {
        script_nonce(parse_csp(client.get(url)["Content-Security-Policy"]))
        for url in [reader_urls["home"], reader_urls["home"], reader_urls["article"]]
    }

    assert len(nonces) == 3


def test_nonce_used_in_a_template_is_the_one_in_the_header(rf):
    from django.template import engines

    from herald.core.middleware import NonceCSPMiddleware

    template = engines["django"].from_string(
        '<script nonce="{{ request.csp_nonce }}">1</script>'
    )

    def view(request):
        from django.http import HttpResponse

        return HttpResponse(template.render({}, request))

    request = rf.get("/")
    response = NonceCSPMiddleware(view)(request)

    nonce = script_nonce(parse_csp(response["Content-Security-Policy"]))
    assert f'nonce="{nonce}"'.encode() in response.content


def test_unknown_page_is_branded_404_with_the_same_headers(client):
    response = client.get("/no-such-page-anywhere/")

    assert response.status_code == 404
    assert_reader_headers(response)
    assert b"<main" in response.content


def test_bad_method_on_reader_view_keeps_the_headers(client):
    response = client.post("/search/?q=x")

    assert response.status_code in (403, 405)
    assert "Content-Security-Policy" in response


def test_admin_login_page_gets_the_admin_policy_not_the_reader_one(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    policy = parse_csp(response["Content-Security-Policy"])
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert not any(s in ("*", "https:", "http:") for s in policy["script-src"])
    assert policy["form-action"] == ["'self'"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]


def test_signed_in_admin_dashboard_gets_the_admin_policy(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "editor@example.org", "a-long-password-1"
    )
    client.force_login(user)

    response = client.get("/admin/")

    assert response.status_code == 200
    policy = parse_csp(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"


# A URLconf with one view that fails, to reach the 500 handler.
def _broken_view(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("boom/", _broken_view), *herald_urlpatterns]
handler404 = "herald.core.views.page_not_found"
handler500 = "herald.core.views.server_error"


@pytest.mark.urls("herald.core.tests.test_security")
def test_view_that_raises_returns_the_branded_500_page(client):
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    body = response.content.decode()
    assert "<main" in body
    assert "a bug in a view" not in body
    assert "Traceback" not in body
    assert_reader_headers(response)


def test_admin_preview_may_be_framed_by_the_admin_but_the_live_page_may_not(
    client, django_user_model
):
    # given: an editor and a live article
    editor = django_user_model.objects.create_superuser(
        "editor@example.org", "a-long-password-1"
    )
    article = make_article(make_section("World"), "A harbour reopens")
    client.force_login(editor)

    # when: the admin renders its preview of the page
    preview = client.get(f"/admin/pages/{article.pk}/view_draft/")

    # then: the admin (same origin) may frame it, nobody else may
    assert preview.status_code == 200
    assert b"A harbour reopens" in preview.content
    policy = parse_csp(preview["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'self'"]
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    script_nonce(policy)

    # and the published page, read by the same editor, still refuses all framing
    live = client.get(article.url)
    assert live.status_code == 200
    assert parse_csp(live["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]
    assert live["X-Frame-Options"] == "DENY"
