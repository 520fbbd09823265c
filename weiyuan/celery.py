"""Celery application: used in production (RabbitMQ broker) for the clock sweep and outbox delivery.

The embedded default does not need it: `manage.py outbox_worker` runs the same functions in a loop.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weiyuan.settings.base")

app = Celery("weiyuan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
