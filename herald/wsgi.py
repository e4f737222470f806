"""WSGI entry point (gunicorn herald.wsgi)."""

import gc

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from herald.core import prefork
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


def _load_reader_code() -> None:
    # What every worker would otherwise build on its first requests, in its own
    # memory: the URL resolver and Herald's compiled templates. Built here, in
    # the master (with --preload), it is shared by every worker. No database or
    # cache is touched, so no connection crosses the fork.
    from pathlib import Path

    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver()._populate()
    root = Path(__file__).resolve().parent
    for folder in root.glob("**/templates"):
        for path in folder.rglob("*.html"):
            try:
                get_template(str(path.relative_to(folder)))
            except TemplateDoesNotExist:  # shadowed or not on the loader's path
                continue


_load_reader_code()


def _reader_paths() -> list[str]:
    from herald.newsroom.queries import live_articles

    newest = live_articles().first()
    url = newest.get_url() if newest else None
    return ["/", "/feed/"] + ([url] if url and url.startswith("/") else [])


# Serve the home page, the feed and the newest article once here, so that what
# a first request does to the shared code happens before the fork, not in each
# worker (herald/core/prefork.py). Anonymous reads, as any reader's.
prefork.warm(application, _reader_paths)

# gunicorn --preload imports this module once, in the master, before forking
# the workers: freezing what is loaded now keeps the workers' garbage collector
# from writing to those objects, so their memory pages stay shared with the
# master instead of being copied into every worker.
gc.freeze()
