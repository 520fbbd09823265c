from __future__ import annotations

import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from weiyuan.notifications.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_reports_database_and_worker(client):
    body = client.get("/healthz").json()
    assert body["database"]["ok"] is True
    assert body["worker"] == {"ok": False, "state": "never seen"}
    assert body["status"] == "degraded"

    WorkerHeartbeat.objects.create(name="embedded", last_seen=timezone.now(), pid=1)
    body = client.get("/healthz").json()
    assert body["worker"]["ok"] is True and body["worker"]["state"] == "running"
    assert body["status"] == "ok"

    WorkerHeartbeat.objects.filter(name="embedded").update(last_seen=timezone.now() - timedelta(hours=1))
    assert client.get("/healthz").json()["worker"]["state"] == "stale"


def test_production_settings_pass_check_deploy():
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a production check.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "weiyuan.settings.production",
        "WEIYUAN_SECRET_KEY": secrets.token_urlsafe(60),
        "WEIYUAN_ALLOWED_HOSTS": "weiyuan.example.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "WEIYUAN_SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "weiyuan.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "WEIYUAN_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_system_checks_pass_including_the_database_ones() -> None:
    """`migrate` runs the checks that need a database (index name lengths, for one); `check` alone skips them."""
    from django.core.management import call_command

    call_command("check", databases=["default"], fail_level="ERROR")
