"""WSGI entry point (gunicorn herald.wsgi)."""

from django.core.wsgi import get_wsgi_application

from herald.settings import env

env.ensure_settings_module("herald.settings.production")
application = get_wsgi_application()
