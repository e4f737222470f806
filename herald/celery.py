"""Celery application: `celery -A herald worker` and `celery -A herald beat`."""

from celery import Celery

from herald.settings import env

env.ensure_settings_module()

app = Celery("herald")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
