"""The only module that reads the process environment.

Every setting an operator can change is a ``HERALD_*`` variable listed here, with
what it does. Other modules import the values from here; nothing else touches
``os.environ`` (``tools/check_conventions.py`` enforces it).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}


def _get(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _bool(name: str, default: bool = False) -> bool:
    raw = _get(name)
    return raw.lower() in _TRUE if raw else default


def _list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in _get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Which settings module manage.py, wsgi and celery load when none is given.
SETTINGS_MODULE = _get("DJANGO_SETTINGS_MODULE", "herald.settings.dev")

# Secret used for signing sessions, tokens and links. Required in production.
SECRET_KEY = _get("HERALD_SECRET_KEY")

# Turn on Django's debug pages. Never in production.
DEBUG = _bool("HERALD_DEBUG", default=False)

# Host names the site answers to, comma-separated (e.g. "news.example.org").
ALLOWED_HOSTS = _list("HERALD_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

# Public base URL of the site, used in emails, feeds and the admin (no trailing slash).
BASE_URL = _get("HERALD_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Names the deployed code; renderings kept in the database by another release
# are not read (the code and templates are hashed besides, core.keep.keys).
RELEASE = _get("HERALD_RELEASE", "")

# Database URL; empty means the embedded SQLite file below.
# Example: postgres://herald:secret@127.0.0.1:5432/herald
DATABASE_URL = _get("HERALD_DATABASE_URL")

# Where the embedded SQLite database lives when HERALD_DATABASE_URL is empty.
SQLITE_PATH = _get("HERALD_SQLITE_PATH", str(BASE_DIR / "var" / "herald.sqlite3"))

# Redis URL for the cache and the Celery broker; empty means a local memory
# cache and Celery tasks run eagerly in-process (fine for a laptop).
REDIS_URL = _get("HERALD_REDIS_URL")

# Prefix of every key Herald writes to Redis's cache database, so that two
# installs (or two test runs) sharing one Redis never read or clear each other's.
CACHE_KEY_PREFIX = _get("HERALD_CACHE_KEY_PREFIX", "herald")

# Celery broker URL override (defaults to HERALD_REDIS_URL).
CELERY_BROKER_URL = _get("HERALD_CELERY_BROKER_URL")

# The Celery queue tasks go to and workers read by default.
CELERY_QUEUE = _get("HERALD_CELERY_QUEUE", "celery")

# Newsletters: recipients handed to the provider per batch (one connection or
# one API call), how long a worker may hold a batch before the beat tick
# decides it died (its recipients then show as "unknown"; keep it well above
# the time a batch takes), how many workers share one send, how often the tick
# runs (seconds), and the mailto: of List-Unsubscribe (default: the
# newsletter's reply-to or sender address).
NEWSLETTER_BATCH_SIZE = int(_get("HERALD_NEWSLETTER_BATCH_SIZE", "100") or 100)
NEWSLETTER_LEASE_SECONDS = float(_get("HERALD_NEWSLETTER_LEASE_SECONDS", "300") or 300)
NEWSLETTER_PARALLEL = int(_get("HERALD_NEWSLETTER_PARALLEL", "2") or 2)
NEWSLETTER_TICK_SECONDS = float(_get("HERALD_NEWSLETTER_TICK_SECONDS", "15") or 15)
NEWSLETTER_UNSUBSCRIBE_MAILTO = _get("HERALD_NEWSLETTER_UNSUBSCRIBE_MAILTO")

# Run Celery tasks in-process instead of on a worker. Defaults to on when no broker.
CELERY_EAGER = _bool(
    "HERALD_CELERY_EAGER", default=not (REDIS_URL or CELERY_BROKER_URL)
)

# Check for due scheduled articles inside the web process (demo, no Celery beat).
INPROCESS_SCHEDULER = _bool("HERALD_INPROCESS_SCHEDULER", default=False)

# Directory for uploaded media (images, documents).
MEDIA_ROOT = _get("HERALD_MEDIA_ROOT", str(BASE_DIR / "var" / "media"))

# Directory collectstatic writes to.
STATIC_ROOT = _get("HERALD_STATIC_ROOT", str(BASE_DIR / "var" / "static"))

# Seconds without a request after which a newsroom (staff) session ends.
ADMIN_IDLE_TIMEOUT = int(_get("HERALD_ADMIN_IDLE_TIMEOUT", "1800") or 1800)

# Password for the admin user that `make demo` creates; generated when empty.
ADMIN_PASSWORD = _get("HERALD_ADMIN_PASSWORD")

# Email address that site mail comes from.
DEFAULT_FROM_EMAIL = _get("HERALD_DEFAULT_FROM_EMAIL", "Herald <news@localhost>")

# Who delivers Herald's email. Every email is first kept in the outbox and sent
# by a Celery worker through this provider: smtp, postmark, mailgun, sendgrid,
# amazon_ses, brevo, resend, mailjet, mailersend, mailtrap, mandrill, postal,
# scaleway, sparkpost, unisender_go (the ESPs through django-anymail), or console
# (prints; the demo's default). An unknown name stops Herald at start-up.
EMAIL_PROVIDER = _get("HERALD_EMAIL_PROVIDER").lower()

# Older name: a Django email backend path used as the provider when
# HERALD_EMAIL_PROVIDER is empty (e.g. django.core.mail.backends.smtp.EmailBackend).
EMAIL_BACKEND = _get("HERALD_EMAIL_BACKEND")

# SMTP server for the smtp provider.
EMAIL_HOST = _get("HERALD_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(_get("HERALD_EMAIL_PORT", "25") or 25)
EMAIL_HOST_USER = _get("HERALD_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = _get("HERALD_EMAIL_HOST_PASSWORD")
# STARTTLS on the SMTP connection (port 587), or implicit TLS (port 465).
EMAIL_USE_TLS = _bool("HERALD_EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = _bool("HERALD_EMAIL_USE_SSL", default=False)
# SMTP only: the envelope sender (Return-Path) of every message, where receiving
# servers send bounces (DSNs). Pipe that mailbox to `manage.py record_dsn`.
# Empty: the From address.
EMAIL_BOUNCE_ADDRESS = _get("HERALD_EMAIL_BOUNCE_ADDRESS")
# Seconds to wait for the provider (SMTP or API) before the outcome is unknown.
EMAIL_TIMEOUT = int(_get("HERALD_EMAIL_TIMEOUT", "30") or 30)

# API key or token of the ESP named in HERALD_EMAIL_PROVIDER (Postmark server
# token, Mailgun/SendGrid/Brevo/Resend API key...). Amazon SES reads the usual
# AWS credentials instead.
EMAIL_API_KEY = _get("HERALD_EMAIL_API_KEY")
# Second secret some ESPs need (Mailjet's secret key).
EMAIL_API_SECRET = _get("HERALD_EMAIL_API_SECRET")
# The ESP's API base URL when not its default (Mailgun EU:
# https://api.eu.mailgun.net/v3); tests point it at a local server.
EMAIL_API_URL = _get("HERALD_EMAIL_API_URL")
# Mailgun's sending domain when it differs from the From address's domain.
EMAIL_SENDER_DOMAIN = _get("HERALD_EMAIL_SENDER_DOMAIN")
# "user:password" the ESP's tracking webhooks must send (HTTP basic auth) to
# /email/webhooks/<esp>/tracking/. Webhooks are refused while it is empty.
EMAIL_WEBHOOK_SECRET = _get("HERALD_EMAIL_WEBHOOK_SECRET")
# The ESP's webhook signing key, for ESPs that sign (Mailgun, Resend, Postal,
# Mandrill, SparkPost...).
EMAIL_WEBHOOK_SIGNING_KEY = _get("HERALD_EMAIL_WEBHOOK_SIGNING_KEY")

# Serve over HTTPS only: HSTS, secure cookies, redirect. On in production.
SECURE = _bool("HERALD_SECURE", default=True)

# Addresses or networks (CIDR) of the reverse proxies in front of the app,
# comma-separated. X-Forwarded-For is believed only when the request comes from
# one of them; rate limits and lockouts then key on the reader's own address.
# The default fits the shipped nginx config (nginx on the same host). Set
# "none" when nothing proxies the app. Example: "127.0.0.1,::1,10.0.0.0/8".
TRUSTED_PROXIES = _list("HERALD_TRUSTED_PROXIES", "127.0.0.1,::1")
if [p.lower() for p in TRUSTED_PROXIES] == ["none"]:
    TRUSTED_PROXIES = []
for _proxy in TRUSTED_PROXIES:
    try:
        if _proxy.isdigit():  # the old "number of proxies" form
            raise ValueError(_proxy)
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ValueError(
            f"HERALD_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network; "
            "give the proxies' addresses, e.g. 127.0.0.1,::1"
        ) from None

# Where Herald sends PURGE requests for nginx's page cache: the purge server of
# docs/deploy/nginx.conf (e.g. "http://127.0.0.1:8081"). When an article is
# published, republished (a correction) or unpublished, its page, the home and
# section pages and its feeds are purged at once. Empty: nothing is purged, and
# anonymous pages show a change within their max-age (60 s).
CACHE_PURGE_URL = _get("HERALD_CACHE_PURGE_URL").rstrip("/")

# Log level for Herald's own loggers (DEBUG, INFO, WARNING, ERROR).
LOG_LEVEL = _get("HERALD_LOG_LEVEL", "INFO")

# Serve the site with gzip and hashed static files through WhiteNoise.
WHITENOISE = _bool("HERALD_WHITENOISE", default=True)

# Let Django serve uploaded media under /media/ (the demo: one process, no nginx).
# Leave off in production, where nginx or a CDN serves HERALD_MEDIA_ROOT.
SERVE_MEDIA = _bool("HERALD_SERVE_MEDIA", default=False)


# Payments: "stripe" or "dummy" (a local test checkout for development). Defaults
# to stripe when a Stripe secret key is set.
STRIPE_SECRET_KEY = _get("HERALD_STRIPE_SECRET_KEY")
PAYMENTS_PROVIDER = _get(
    "HERALD_PAYMENTS_PROVIDER", "stripe" if STRIPE_SECRET_KEY else "dummy"
)

# Signing secret of the Stripe webhook endpoint (whsec_...).
STRIPE_WEBHOOK_SECRET = _get("HERALD_STRIPE_WEBHOOK_SECRET")

# Base URL of the Stripe API; empty means Stripe itself. Tests point it at a
# local Stripe-compatible server.
STRIPE_API_BASE = _get("HERALD_STRIPE_API_BASE")


def ensure_settings_module(default: str = "herald.settings.dev") -> None:
    """Point Django at the settings module from the environment, or ``default``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default)


# Web Push (herald.notifications). Contact the push services may write to about
# this site's pushes: a mailto: address or an https: URL (RFC 8292 "sub"). Empty
# means HERALD_BASE_URL when that is https.
PUSH_CONTACT = _get("HERALD_PUSH_CONTACT")

# Send a push to the "breaking" topic as soon as an article flagged breaking is
# first published (otherwise the editors are offered one to check and send).
PUSH_BREAKING_AUTOSEND = _bool("HERALD_PUSH_BREAKING_AUTOSEND", default=False)

# Push services the site will send to (host names; a name also covers its
# subdomains). Subscriptions whose endpoint is elsewhere are refused: the
# endpoint comes from a browser, and the server POSTs to it.
PUSH_SERVICE_HOSTS = _list(
    "HERALD_PUSH_SERVICE_HOSTS",
    "fcm.googleapis.com,updates.push.services.mozilla.com,push.services.mozilla.com,"
    "notify.windows.com,push.apple.com",
)

# Celery queue of push delivery tasks (fan-out and batches). Default: Celery's
# default queue. A queue of its own lets dedicated workers send pushes without
# holding up other tasks: run them with `celery -A herald worker -Q <name>`.
PUSH_QUEUE = _get("HERALD_PUSH_QUEUE")

# The comment spam check: a dotted path to a herald.reactions.providers.base
# SpamCheck subclass. Empty: the built-in heuristic. A wrong path stops start-up.
COMMENT_SPAM_CHECK = _get("HERALD_COMMENT_SPAM_CHECK")
