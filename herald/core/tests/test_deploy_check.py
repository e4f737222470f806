"""Production settings: `check --deploy` is clean and HTTPS protections are on."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[3]

SETTINGS_TO_READ = [
    "DEBUG",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_DOMAIN",
    "SESSION_COOKIE_PATH",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_DOMAIN",
    "CSRF_COOKIE_PATH",
    "CSRF_TRUSTED_ORIGINS",
    "ALLOWED_HOSTS",
]


def production_env(tmp: Path, **overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HERALD_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="herald.settings.production",
        HERALD_SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters
        HERALD_ALLOWED_HOSTS="news.example.org",
        HERALD_BASE_URL="https://news.example.org",
        HERALD_SQLITE_PATH=str(tmp / "prod.sqlite3"),
        HERALD_MEDIA_ROOT=str(tmp / "media"),
        HERALD_STATIC_ROOT=str(tmp / "static"),
        # A real payment provider and a real mail backend: production needs both.
        HERALD_STRIPE_SECRET_KEY="sk_live_" + "0" * 24,
        HERALD_STRIPE_WEBHOOK_SECRET="whsec_" + "0" * 24,
        HERALD_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # a guard against a hung process, generous on a busy machine
    )


@cache
def production_settings() -> dict[str, object]:
    import tempfile

    script = (
        "import django, json, sys; django.setup(); from django.conf import settings; "
        "sys.stdout.write(json.dumps("
        f"{{k: getattr(settings, k) for k in {SETTINGS_TO_READ!r}}}) + '\\n')"
    )
    with tempfile.TemporaryDirectory() as tmp:
        result = run(["-c", script], production_env(Path(tmp)))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(tmp_path),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_web_server_loads_the_application_with_production_settings(tmp_path):
    # what gunicorn --preload does in its master: import herald.wsgi, which also
    # compiles every template of Herald's and freezes what it loaded
    code = (
        "import gc, sys, herald.wsgi; "
        "assert callable(herald.wsgi.application); "
        "assert gc.get_freeze_count() > 0; sys.stdout.write('loaded')"
    )
    result = run(["-c", code], production_env(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "loaded" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"HERALD_STRIPE_SECRET_KEY": "", "HERALD_PAYMENTS_PROVIDER": ""},
            "herald.E001",
        ),
        ({"HERALD_PAYMENTS_PROVIDER": "dummy"}, "herald.E001"),
        (
            {"HERALD_STRIPE_SECRET_KEY": "", "HERALD_PAYMENTS_PROVIDER": "stripe"},
            "herald.E001",
        ),
        ({"HERALD_STRIPE_WEBHOOK_SECRET": ""}, "herald.E001"),
        ({"HERALD_EMAIL_BACKEND": ""}, "herald.E002"),
        (
            {"HERALD_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
            "herald.E002",
        ),
        (
            {"HERALD_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"},
            "herald.E002",
        ),
        ({"HERALD_EMAIL_PROVIDER": "console"}, "herald.E002"),
        ({"HERALD_EMAIL_PROVIDER": "test"}, "herald.E002"),
        (
            {"HERALD_EMAIL_PROVIDER": "postmark", "HERALD_EMAIL_API_KEY": "pm-key"},
            "herald.E003",
        ),
        ({"HERALD_EMAIL_PROVIDER": "postmork"}, "'postmork' is not a provider"),
    ],
    ids=[
        "no-stripe-key",
        "dummy-provider",
        "stripe-without-key",
        "stripe-without-webhook-secret",
        "no-email-backend",
        "locmem-email",
        "dummy-email",
        "console-provider",
        "anymail-test-provider",
        "esp-without-webhook-secret",
        "unknown-provider",
    ],
)
def test_production_refuses_a_test_payment_provider_or_mail_backend(
    tmp_path, overrides, message
):
    # given: production settings missing a real provider or mail backend
    env = production_env(tmp_path, **overrides)

    # when: the web server loads the WSGI application (gunicorn runs no checks)
    web = run(["-c", "import herald.wsgi"], env)

    # then: it refuses, naming the problem and the setting to fix
    assert web.returncode != 0
    assert message in web.stderr and "ImproperlyConfigured" in web.stderr
    assert "HERALD_" in web.stderr


@pytest.mark.parametrize(
    "overrides",
    [{"HERALD_PAYMENTS_PROVIDER": "dummy"}, {"HERALD_EMAIL_PROVIDER": "console"}],
    ids=["dummy-provider", "console-provider"],
)
def test_django_checks_refuse_what_the_web_server_refuses(tmp_path, overrides):
    # given: production settings with a test provider (each kind above is
    # refused when the application loads; the checks go through the same code)
    env = production_env(tmp_path, **overrides)

    # when: Django runs its checks (as migrate and runserver do before starting)
    plain = run(["manage.py", "check"], env)
    deploy = run(["manage.py", "check", "--deploy"], env)

    # then: both refuse with the same message
    for result in (plain, deploy):
        assert result.returncode != 0
        assert "herald.E00" in result.stderr
        assert "HERALD_" in result.stderr


def test_demo_and_tests_keep_the_test_checkout_and_console_mail(tmp_path):
    env = production_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="herald.settings.dev",
        HERALD_STRIPE_SECRET_KEY="",
        HERALD_STRIPE_WEBHOOK_SECRET="",
        HERALD_EMAIL_BACKEND="",
    )

    result = run(["manage.py", "check"], env)

    assert result.returncode == 0, result.stderr
    assert "herald.E00" not in result.stderr


@pytest.mark.parametrize("key", ["", "short-secret", "x" * 49])
def test_production_refuses_to_start_without_a_long_secret(tmp_path, key):
    result = run(
        ["-c", "import herald.settings.production"],
        production_env(tmp_path, HERALD_SECRET_KEY=key),
    )

    assert result.returncode != 0
    assert "HERALD_SECRET_KEY" in result.stderr


def test_production_sends_hsts_for_a_year_with_subdomains():
    values = production_settings()

    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True


def test_production_cookies_are_secure_host_prefixed_and_lax():
    values = production_settings()

    for kind in ("SESSION", "CSRF"):
        assert values[f"{kind}_COOKIE_NAME"].startswith("__Host-")
        assert values[f"{kind}_COOKIE_SECURE"] is True
        assert values[f"{kind}_COOKIE_SAMESITE"] == "Lax"
        assert values[f"{kind}_COOKIE_DOMAIN"] is None
        assert values[f"{kind}_COOKIE_PATH"] == "/"
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://news.example.org"]
    assert values["ALLOWED_HOSTS"] == ["news.example.org"]


@pytest.mark.django_db
def test_response_under_production_https_settings_carries_hsts(client):
    values = production_settings()
    https = {
        k: values[k]
        for k in (
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "SECURE_SSL_REDIRECT",
        )
    }

    with override_settings(**https):
        plain = client.get("/")
        response = client.get("/", secure=True)

    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    assert response.status_code == 200
    hsts = {
        part.strip().partition("=")[0].lower(): part.strip().partition("=")[2]
        for part in response["Strict-Transport-Security"].split(";")
    }
    assert int(hsts["max-age"]) >= 31_536_000
    assert "includesubdomains" in hsts
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "'nonce-" in response["Content-Security-Policy"]
