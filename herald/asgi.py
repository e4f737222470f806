"""ASGI entry point."""

from django.core.asgi import get_asgi_application

from herald.settings import env

env.ensure_settings_module("herald.settings.production")
application = get_asgi_application()
