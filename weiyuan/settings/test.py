"""Test settings: fast hashing, in-memory mail, temporary media; the database comes from DATABASE_URL."""

import os
import tempfile

os.environ.setdefault("WEIYUAN_DEBUG", "false")

from weiyuan.settings.base import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="weiyuan-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
CELERY_TASK_ALWAYS_EAGER = True
LANGUAGE_CODE = "zh-hans"
