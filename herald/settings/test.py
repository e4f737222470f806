"""Settings for the test suite (pytest). HERALD_DATABASE_URL selects PostgreSQL."""

from .base import *  # noqa: F403
from .base import ANYMAIL, STORAGES, env

DEBUG = False
SECRET_KEY = "herald-test-secret-key-not-for-production-use-0123456789"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Mail goes through the outbox and, after commit, straight into
# django.core.mail.outbox (no worker needed, whatever the broker).
# (A Celery worker that a test starts is told its provider through the
# environment.) pytest-django's test environment swaps EMAIL_BACKEND for locmem:
# the root conftest.py puts the outbox back.
HERALD_EMAIL_PROVIDER = env.EMAIL_PROVIDER or env.EMAIL_BACKEND or "locmem"
HERALD_OUTBOX_SEND_IN_PROCESS = True
ANYMAIL = {**ANYMAIL, "WEBHOOK_SECRET": "hook:test-webhook-secret"}
CELERY_TASK_ALWAYS_EAGER = env.CELERY_EAGER
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
WAGTAILADMIN_BASE_URL = "http://testserver"
BASE_URL = "http://testserver"

# Tests send traffic only to 127.0.0.1: no public WebSub hub unless a test sets one.
HERALD_WEBSUB_DEFAULT_HUBS = ""
# Every request reads the shared generation (tests of the reuse set it).
HERALD_LOCAL_GENERATION_TTL = 0

# The tests' local push service listens on 127.0.0.1 over plain http.
HERALD_PUSH_SERVICE_HOSTS = [*HERALD_PUSH_SERVICE_HOSTS, "127.0.0.1"]  # noqa: F405
HERALD_PUSH_INSECURE_HOSTS = ["127.0.0.1"]
