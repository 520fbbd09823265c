"""The Celery tasks (production) run the same functions as the embedded worker; eager mode in tests."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from weiyuan.clocks.tasks import sweep_clocks_task
from weiyuan.notifications.models import Notification, WorkerHeartbeat
from weiyuan.notifications.services import Notice, outbox_enqueue
from weiyuan.notifications.tasks import deliver_outbox_task


@pytest.mark.django_db
def test_deliver_task_sends_and_records_a_heartbeat():
    user = UserFactory()
    outbox_enqueue(recipients=[user], notice=Notice(kind="t", subject="主题", body="正文"), dedupe_key="celery-test")
    assert deliver_outbox_task.delay().get() == 2
    assert Notification.objects.filter(recipient=user).count() == 1
    assert WorkerHeartbeat.objects.get(name="celery").delivered_total == 2


@pytest.mark.django_db
def test_sweep_task_returns_the_stage_counts():
    assert sweep_clocks_task.delay().get() == {"due_soon": 0, "overdue": 0, "escalated": 0}
