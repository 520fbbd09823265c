"""The outbox: queued in the caller's transaction, idempotent by dedupe key, delivered at least once, retried with
back-off, and not one notice lost when the worker is killed mid-run (a real `outbox_worker` process, SIGKILLed)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from smtplib import SMTPException
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from tests.factories import UserFactory
from weiyuan.notifications.models import Notification, OutboxChannel, OutboxMessage, OutboxStatus
from weiyuan.notifications.services import Notice, outbox_deliver, outbox_enqueue

BASE_DIR = Path(django_settings.BASE_DIR)


class FailingEmailBackend(BaseEmailBackend):
    """An SMTP relay that refuses everything."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        raise SMTPException("550 relay refused")


class SlowFileEmailBackend(FileEmailBackend):
    """The file backend, slowed down (WEIYUAN_TEST_EMAIL_DELAY seconds per message) so a worker can be killed
    mid-run. Used by the `outbox_worker` subprocess of the crash test."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        time.sleep(float(os.environ.get("WEIYUAN_TEST_EMAIL_DELAY", "0")) * len(email_messages))
        return super().send_messages(email_messages)


def _notice(n: int = 1) -> Notice:
    return Notice(
        kind="case.accepted", subject=f"已受理：WY-2026-00001-{n:06d}", body="您的申请已受理。", url="/cases/x/"
    )


# --- queueing ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_enqueue_is_idempotent_by_dedupe_key() -> None:
    alice, bob = UserFactory(), UserFactory()
    assert outbox_enqueue(recipients=[alice, bob], notice=_notice(), dedupe_key="case:1:accepted") == 4
    assert outbox_enqueue(recipients=[alice, bob], notice=_notice(), dedupe_key="case:1:accepted") == 0
    assert OutboxMessage.objects.count() == 4
    assert set(OutboxMessage.objects.values_list("channel", flat=True)) == {OutboxChannel.IN_APP, OutboxChannel.EMAIL}
    # A new key is a new notice; in-app only when asked; no e-mail row for a user without an address.
    no_mail = UserFactory(email=None)
    assert outbox_enqueue(recipients=[alice, no_mail], notice=_notice(2), dedupe_key="case:2", channels=["in_app"]) == 2
    assert outbox_enqueue(recipients=[no_mail], notice=_notice(3), dedupe_key="case:3") == 1
    assert not OutboxMessage.objects.filter(recipient=no_mail, channel=OutboxChannel.EMAIL).exists()
    assert OutboxMessage.objects.count() == 7


@pytest.mark.django_db
def test_enqueue_joins_the_callers_transaction() -> None:
    user = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue(recipients=[user], notice=_notice(), dedupe_key="rolled-back")
        raise RuntimeError("the write that queued the notice failed")
    assert not OutboxMessage.objects.exists()


# --- delivery ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_deliver_creates_one_notification_per_in_app_message_and_sends_email() -> None:
    users = [UserFactory() for _ in range(3)]
    outbox_enqueue(recipients=users, notice=_notice(), dedupe_key="case:7:accepted")
    assert outbox_deliver() == 6
    in_app = OutboxMessage.objects.filter(channel=OutboxChannel.IN_APP)
    assert Notification.objects.count() == in_app.count() == 3
    for msg in in_app:
        note = Notification.objects.get(outbox=msg)
        assert (note.recipient_id, note.title, note.url) == (msg.recipient_id, msg.subject, msg.url)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert mail.outbox[0].subject == _notice().subject
    assert "/cases/x/" in mail.outbox[0].body
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    # Nothing is due any more: a second run sends nothing and creates nothing.
    assert outbox_deliver() == 0
    assert Notification.objects.count() == 3 and len(mail.outbox) == 3


@pytest.mark.django_db
def test_redelivering_an_in_app_message_does_not_duplicate_it() -> None:
    user = UserFactory()
    outbox_enqueue(recipients=[user], notice=_notice(), dedupe_key="case:8", channels=["in_app"])
    outbox_deliver()
    # As if the worker died after creating the notification but before marking the row sent.
    OutboxMessage.objects.update(status=OutboxStatus.SENDING, claimed_until=timezone.now() - dt.timedelta(seconds=1))
    assert outbox_deliver() == 1
    assert Notification.objects.filter(recipient=user).count() == 1


@pytest.mark.django_db
def test_failing_email_retries_with_back_off_then_fails(settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.test_outbox.FailingEmailBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    user = UserFactory()
    outbox_enqueue(recipients=[user], notice=_notice(), dedupe_key="case:9")
    email = OutboxMessage.objects.get(channel=OutboxChannel.EMAIL)
    later = timezone.now()
    delays = []
    for attempt in (1, 2):
        before = timezone.now()
        assert outbox_deliver(now=later) == (1 if attempt == 1 else 0)  # the in-app notice goes out the first time
        email.refresh_from_db()
        assert (email.status, email.attempts) == (OutboxStatus.PENDING, attempt)
        assert "relay refused" in email.last_error and email.claimed_until is None
        delays.append((email.available_at - before).total_seconds())
        # Not retried before its back-off has passed.
        assert outbox_deliver(now=email.available_at - dt.timedelta(seconds=1)) == 0
        email.refresh_from_db()
        assert email.attempts == attempt
        later = email.available_at + dt.timedelta(seconds=1)
    assert 9 <= delays[0] <= 11 and 19 <= delays[1] <= 21  # 5 s x 2^attempt
    assert outbox_deliver(now=later) == 0
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxStatus.FAILED, 3)
    # A failed message is never picked up again; the in-app notice went out regardless.
    assert outbox_deliver(now=later + dt.timedelta(days=1)) == 0
    email.refresh_from_db()
    assert email.attempts == 3
    assert OutboxMessage.objects.get(channel=OutboxChannel.IN_APP).status == OutboxStatus.SENT


# --- crash safety ---------------------------------------------------------------------------------------------


class _Db:
    """The committed test data as the worker subprocess sees it: the PostgreSQL test database itself, or for
    SQLite (whose test database lives in memory) a file copy of it."""

    def __init__(self, tmp_path: Path) -> None:
        connection.ensure_connection()
        self.sqlite_path: Path | None = None
        db = connection.settings_dict
        if connection.vendor == "sqlite":
            if connection.is_in_memory_db():
                self.sqlite_path = tmp_path / "outbox-crash.sqlite3"
                target = sqlite3.connect(self.sqlite_path)
                connection.connection.backup(target)
                target.close()
            else:
                self.sqlite_path = Path(db["NAME"])
            self.url = f"sqlite:///{self.sqlite_path}"
        elif connection.vendor == "postgresql":
            auth = quote(db["USER"] or "")
            if db.get("PASSWORD"):
                auth += ":" + quote(db["PASSWORD"])
            self.url = f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            pytest.skip(f"no crash test for {connection.vendor}")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path, timeout=20) as conn:
                return list(conn.execute(sql).fetchall())
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())


def _worker(db: _Db, tmp_path: Path, *args: str, email_delay: float = 0.15) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "weiyuan.settings.base",
        "DATABASE_URL": db.url,
        "WEIYUAN_VAR_DIR": str(tmp_path / "var"),
        "WEIYUAN_EMAIL_BACKEND": "tests.test_outbox.SlowFileEmailBackend",
        "WEIYUAN_TEST_EMAIL_DELAY": str(email_delay),
        "WEIYUAN_OUTBOX_CLAIM_SECONDS": "2",
        "WEIYUAN_DEBUG": "false",
        "PYTHONPATH": str(BASE_DIR),
    }
    return subprocess.Popen(
        [sys.executable, str(BASE_DIR / "manage.py"), "outbox_worker", *args],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killing_the_worker_mid_run_loses_no_notice(tmp_path: Path) -> None:
    users = [UserFactory() for _ in range(30)]
    for n in (1, 2):
        outbox_enqueue(recipients=users, notice=_notice(n), dedupe_key=f"crash-test:{n}")
    total = OutboxMessage.objects.count()
    in_app_total = OutboxMessage.objects.filter(channel=OutboxChannel.IN_APP).count()
    email_total = total - in_app_total
    assert (total, in_app_total) == (120, 60)
    db = _Db(tmp_path)

    def statuses() -> dict[str, int]:
        return dict(db.rows("SELECT status, count(*) FROM notifications_outboxmessage GROUP BY status"))

    def mid_batch() -> bool:
        counts = statuses()
        return counts.get("sent", 0) >= 12 and counts.get("sending", 0) > 0

    worker = _worker(db, tmp_path, "--batch", "10", "--interval", "0.1", "--name", "crash-test")
    try:
        # Kill it while it holds a claimed batch (each batch spends ~0.75 s sending its five slow e-mails).
        assert _wait_for(lambda: mid_batch() or worker.poll() is not None, timeout=60), statuses()
        assert worker.poll() is None, worker.communicate()[0].decode()
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    # Killed mid-run: part of the queue is sent, the rest is pending or claimed by the dead worker.
    status_counts = statuses()
    assert 0 < status_counts.get("sent", 0) < total, status_counts
    assert status_counts.get("sending", 0) > 0, status_counts

    time.sleep(2.5)  # let the dead worker's claims expire (WEIYUAN_OUTBOX_CLAIM_SECONDS=2)
    second = _worker(db, tmp_path, "--once", "--batch", "1000", "--name", "crash-test-2", email_delay=0)
    output = second.communicate(timeout=120)[0].decode()
    assert second.returncode == 0, output

    assert db.rows("SELECT status, count(*) FROM notifications_outboxmessage GROUP BY status") == [("sent", total)]
    per_message = db.rows(
        "SELECT m.id, count(n.id) FROM notifications_outboxmessage m "
        "LEFT JOIN notifications_notification n ON n.outbox_id = m.id WHERE m.channel = 'in_app' GROUP BY m.id"
    )
    assert len(per_message) == in_app_total
    assert {count for _id, count in per_message} == {1}
    assert db.rows("SELECT count(*) FROM notifications_notification")[0][0] == in_app_total
    # E-mail is at least once: every e-mail row produced a message (one killed mid-send may go out twice).
    # (The file backend may append several messages to one file: count the messages, not the files.)
    mails = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "var" / "mail").glob("*.log"))
    assert mails.count("Message-ID:") >= email_total
    for user in users:
        assert mails.count(f"To: {user.email}\n") >= 2, user.email


@pytest.mark.django_db
def test_notifications_are_per_outbox_row_in_the_database() -> None:
    """The uniqueness that makes redelivery harmless is enforced by the database, not only by get_or_create."""
    from django.db import IntegrityError

    user = UserFactory()
    outbox_enqueue(recipients=[user], notice=_notice(), dedupe_key="unique", channels=["in_app"])
    outbox_deliver()
    msg = OutboxMessage.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(outbox=msg, recipient=user, kind="x", title="dup", body="dup")
    assert Notification.objects.values("outbox").annotate(n=Count("id")).filter(n__gt=1).count() == 0
