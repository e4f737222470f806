"""Settings for the test suite (pytest). HERALD_DATABASE_URL selects PostgreSQL."""

from .base import *  # noqa: F403
from .base import STORAGES, env

DEBUG = False
SECRET_KEY = "herald-test-secret-key-not-for-production-use-0123456789"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# pytest's own process always uses locmem (Django's test set-up); a worker
# subprocess started by a test may be given a real backend (the crash test).
EMAIL_BACKEND = env.EMAIL_BACKEND or "django.core.mail.backends.locmem.EmailBackend"
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
