"""Production settings: PostgreSQL, RabbitMQ + Celery, HTTPS behind a reverse proxy.

Every value still comes from the environment; this module only turns on what a public deployment requires.
"""

import os

os.environ.setdefault("WEIYUAN_DEBUG", "false")

from weiyuan.settings.base import *  # noqa: F403
from weiyuan.settings.base import env_bool, env_int

DEBUG = False
if "WEIYUAN_SECRET_KEY" not in os.environ:
    raise RuntimeError("WEIYUAN_SECRET_KEY must be set in production")
SECRET_KEY = os.environ["WEIYUAN_SECRET_KEY"]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("WEIYUAN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("WEIYUAN_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}  # noqa: F405
EMAIL_BACKEND = os.environ.get("WEIYUAN_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
