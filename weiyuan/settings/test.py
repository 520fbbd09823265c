"""Test settings: fast hashing, in-memory mail, temporary media; the database comes from DATABASE_URL."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("WEIYUAN_DEBUG", "false")

from weiyuan.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="weiyuan-test-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
# Tests log staff in with force_login; the two-factor requirement is switched on explicitly by the tests of it
# (tests/test_accounts_2fa.py), so other view tests need no TOTP device.
OTP_REQUIRED_FOR_PRIVILEGED = False
CELERY_TASK_ALWAYS_EAGER = True
LANGUAGE_CODE = "zh-hans"
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="weiyuan-test-static-"))
