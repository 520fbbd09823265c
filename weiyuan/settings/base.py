"""Settings for every deployment, configured by environment variables (see docs/configuration.md).

The embedded default (no variables set) runs on SQLite with local files and no external services.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("WEIYUAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("WEIYUAN_DEBUG", True)
SECRET_KEY = os.environ.get("WEIYUAN_SECRET_KEY", "embedded-default-insecure-key-change-me-in-production-0123456789")
# Field-level encryption of ID and phone numbers derives its key from SECRET_KEY and this salt.
SALT_KEY = os.environ.get("WEIYUAN_FIELD_ENCRYPTION_SALT", "weiyuan-embedded-salt")
ALLOWED_HOSTS = [h for h in os.environ.get("WEIYUAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("WEIYUAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # django-ninja: its Swagger page and assets are served from our static files (no CDN).
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "weiyuan.core",
    "weiyuan.audit",
    "weiyuan.network",
    "weiyuan.accounts",
    "weiyuan.access",
    "weiyuan.clocks",
    "weiyuan.notifications",
    "weiyuan.cases",
    "weiyuan.evidence",
    "weiyuan.api",
    "weiyuan.knowledge",
    "weiyuan.search",
    "weiyuan.consultations",
    "weiyuan.experts",
    "weiyuan.opinions",
    "weiyuan.partners",
    "weiyuan.panels",
    "weiyuan.referrals",
    "weiyuan.webhooks",
    "weiyuan.ecommerce",
    "weiyuan.exhibitions",
    "weiyuan.marks",
    "weiyuan.feedback",
    "weiyuan.funds",
    "weiyuan.training",
    "weiyuan.volunteers",
    "weiyuan.kpis",
    "weiyuan.evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "weiyuan.accounts.middleware.SessionGuardMiddleware",
    "weiyuan.accounts.middleware.TwoFactorRequiredMiddleware",
    "weiyuan.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "weiyuan.urls"
WSGI_APPLICATION = "weiyuan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "weiyuan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "weiyuan.core.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'weiyuan.sqlite3'}"),
        conn_max_age=env_int("WEIYUAN_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the outbox worker and the web server write without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation adds 100-400 ms to queries the planner over-estimates (deep pages, searches) and never pays
    # off for short OLTP reads (docs/benchmarks.md); WEIYUAN_PG_JIT=on restores the server default.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c jit={os.environ.get('WEIYUAN_PG_JIT', 'off')}"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "weiyuan.accounts.backends.EmailOrPhoneBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# django-axes: lock an account + address after repeated failures.
AXES_FAILURE_LIMIT = env_int("WEIYUAN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("WEIYUAN_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# One failure counter per account whatever the spelling typed (case of the e-mail, format of the phone number).
AXES_USERNAME_CALLABLE = "weiyuan.accounts.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "weiyuan.accounts.lockout.lockout_client_ip"
# How many reverse proxies in front of the application server append to X-Forwarded-For (1 behind nginx). With 0
# the client address is REMOTE_ADDR and X-Forwarded-For is ignored; with N it is the N-th address from the right.
# Used for the login lockout and the audit trail.
WEIYUAN_TRUSTED_PROXY_COUNT = max(0, env_int("WEIYUAN_TRUSTED_PROXY_COUNT", 0))

# Two-factor (django-otp TOTP): required for directors and platform admins; optional for other users.
OTP_TOTP_ISSUER = "维援"
OTP_REQUIRED_FOR_PRIVILEGED = env_bool("WEIYUAN_2FA_REQUIRED", True)
# How long an e-mail verification link stays valid, in seconds.
ACCOUNTS_EMAIL_VERIFY_MAX_AGE = env_int("WEIYUAN_EMAIL_VERIFY_SECONDS", 3 * 24 * 60 * 60)

# Sessions end after inactivity; "log out everywhere" bumps the user's session generation.
SESSION_COOKIE_AGE = env_int("WEIYUAN_SESSION_SECONDS", 2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "weiyuan" / "static"]
MEDIA_ROOT = VAR_DIR / "private-media"

STORAGES = {
    # Evidence is private: served only through the access-checked download view, never by URL.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if os.environ.get("WEIYUAN_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["WEIYUAN_S3_BUCKET"],
            "endpoint_url": os.environ.get("WEIYUAN_S3_ENDPOINT_URL"),
            "access_key": os.environ.get("WEIYUAN_S3_ACCESS_KEY"),
            "secret_key": os.environ.get("WEIYUAN_S3_SECRET_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

EMAIL_BACKEND = os.environ.get("WEIYUAN_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("WEIYUAN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("WEIYUAN_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("WEIYUAN_FROM_EMAIL", "weiyuan@localhost")
SITE_URL = os.environ.get("WEIYUAN_SITE_URL", "http://127.0.0.1:8000")

# Evidence limits.
EVIDENCE_MAX_BYTES = env_int("WEIYUAN_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
EVIDENCE_MAX_FILES = env_int("WEIYUAN_EVIDENCE_MAX_FILES", 20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Clocks: how long before a due date a "due soon" notice goes out, in working days.
CLOCK_DUE_SOON_WORKING_DAYS = env_int("WEIYUAN_CLOCK_DUE_SOON_DAYS", 1)
# Escalation to the centre's director when a clock is this many working days overdue.
CLOCK_ESCALATE_AFTER_WORKING_DAYS = env_int("WEIYUAN_CLOCK_ESCALATE_DAYS", 2)
OUTBOX_MAX_ATTEMPTS = env_int("WEIYUAN_OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_CLAIM_SECONDS = env_int("WEIYUAN_OUTBOX_CLAIM_SECONDS", 120)
# Where the embedded outbox worker writes its heartbeat, read by /healthz.
WORKER_HEARTBEAT_STALE_SECONDS = env_int("WEIYUAN_WORKER_STALE_SECONDS", 120)

# Celery (production): RabbitMQ broker; beat runs the sweep and the outbox delivery.
CELERY_BROKER_URL = os.environ.get("WEIYUAN_CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
CELERY_TASK_ALWAYS_EAGER = env_bool("WEIYUAN_CELERY_EAGER", False)
CELERY_BEAT_SCHEDULE = {
    "sweep-clocks": {"task": "weiyuan.clocks.tasks.sweep_clocks_task", "schedule": 300.0},
    "deliver-outbox": {"task": "weiyuan.notifications.tasks.deliver_outbox_task", "schedule": 10.0},
    "deliver-webhooks": {"task": "weiyuan.webhooks.tasks.deliver_webhooks_task", "schedule": 30.0},
    # KPI aggregates (docs/kpis.md): the partitions changed since the last run, and a full rebuild at night.
    "kpi-refresh": {"task": "weiyuan.kpis.tasks.kpi_refresh_task", "schedule": 300.0},
    "kpi-rebuild": {"task": "weiyuan.kpis.tasks.kpi_rebuild_task", "schedule": crontab(hour=2, minute=30)},
}

# Webhooks to cooperating organisations (docs/partners.md). Private, loopback and reserved target addresses are
# refused unless DEBUG or this is set (development, tests with a local receiver).
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEIYUAN_WEBHOOKS_ALLOW_PRIVATE", False)
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEIYUAN_WEBHOOKS_TIMEOUT_SECONDS", 5)
WEBHOOKS_CLAIM_SECONDS = env_int("WEIYUAN_WEBHOOKS_CLAIM_SECONDS", 120)

API_IDEMPOTENCY_WAIT_SECONDS = 10

# Feedback (docs/feedback.md): one reminder for an unanswered satisfaction survey after this many working days; the
# signed survey link in the notices is valid this many days; return visits after conclusion, in days, for service
# types without their own schedule (feedback.ReturnVisitSchedule, admin); a centre's parent level replies to a
# service complaint within this many working days.
FEEDBACK_SURVEY_REMINDER_WORKING_DAYS = env_int("WEIYUAN_FEEDBACK_SURVEY_REMINDER_DAYS", 5)
FEEDBACK_SURVEY_LINK_MAX_AGE_DAYS = env_int("WEIYUAN_FEEDBACK_SURVEY_LINK_DAYS", 60)
FEEDBACK_RETURN_VISIT_DAYS = [30, 90]
FEEDBACK_COMPLAINT_REPLY_WORKING_DAYS = env_int("WEIYUAN_FEEDBACK_COMPLAINT_REPLY_DAYS", 15)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WEIYUAN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step of every PDF at INFO; its warnings (missing fonts, CSS) still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
