"""Production: PostgreSQL, Redis, Celery workers, HTTPS behind nginx or a CDN."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
if not env.SECRET_KEY or len(env.SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "HERALD_SECRET_KEY must be set to a random string of at least 50 characters."
    )
SECRET_KEY = env.SECRET_KEY

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.SECURE
SECURE_HSTS_SECONDS = 31_536_000 if env.SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.SECURE
SECURE_HSTS_PRELOAD = env.SECURE
SESSION_COOKIE_SECURE = env.SECURE
CSRF_COOKIE_SECURE = env.SECURE
if env.SECURE:
    # __Host- cookies: Secure, Path=/ and no Domain, so no subdomain can set them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SESSION_COOKIE_DOMAIN = None
    CSRF_COOKIE_DOMAIN = None
    SESSION_COOKIE_PATH = "/"
    CSRF_COOKIE_PATH = "/"
LANGUAGE_COOKIE_SECURE = env.SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = [env.BASE_URL]
HERALD_INPROCESS_SCHEDULER = env.INPROCESS_SCHEDULER
# herald.core.checks refuses the dummy checkout and console/in-memory mail here.
HERALD_REQUIRE_LIVE_PROVIDERS = True
