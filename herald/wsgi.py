"""WSGI entry point (gunicorn herald.wsgi)."""

import gc

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from herald.settings import env

env.ensure_settings_module("herald.settings.production")
application = get_wsgi_application()


def _refuse_test_providers() -> None:
    # gunicorn runs no system checks: run the one that keeps production from
    # taking payments through the test checkout or mailing codes to the logs, so
    # a half-configured web server refuses to start instead of serving.
    from herald.core.checks import live_providers

    errors = live_providers()
    if errors:
        raise ImproperlyConfigured(
            "; ".join(f"{e.id}: {e.msg} {e.hint or ''}".strip() for e in errors)
        )


_refuse_test_providers()

# gunicorn --preload imports this module once, in the master, before forking
# the workers: freezing what is loaded now keeps the workers' garbage collector
# from writing to those objects, so their memory pages stay shared with the
# master instead of being copied into every worker.
gc.freeze()
