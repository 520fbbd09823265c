"""A worker whose claim expired (a slow batch) must not send a message another worker has taken over."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import UserFactory
from weiyuan.notifications.models import Notification, OutboxMessage, OutboxStatus
from weiyuan.notifications.services import Notice, _claim_batch, _deliver_claimed, outbox_enqueue


@pytest.mark.django_db
def test_stale_claim_is_not_delivered_twice(settings):
    settings.OUTBOX_CLAIM_SECONDS = 60
    user = UserFactory()
    outbox_enqueue(recipients=[user], notice=Notice(kind="t", subject="主题", body="正文"), dedupe_key="claim-test")
    start = timezone.now()
    worker_a = _claim_batch(limit=10, now=start)
    assert len(worker_a) == 2  # in-app and e-mail
    # Worker A stalls past its claim; worker B reclaims both messages and delivers them.
    worker_b = _claim_batch(limit=10, now=start + dt.timedelta(seconds=61))
    assert {m.pk for m in worker_b} == {m.pk for m in worker_a}
    assert _deliver_claimed(worker_b) == 2
    # Worker A wakes up with its stale claims: nothing is sent again.
    assert _deliver_claimed(worker_a) == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=user).count() == 1
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


@pytest.mark.django_db
def test_notices_are_written_in_each_recipients_language(network):
    from django.utils import translation

    from tests.factories import ApplicantFactory, make_case
    from weiyuan.cases import services

    english = ApplicantFactory(preferred_language="en")
    case = make_case(network["shanghai"], english)
    with translation.override("zh-hans"):  # the officer works in Chinese
        services.case_accept(case=case, actor=network["sh_intake"])
    notice = OutboxMessage.objects.get(recipient=english, kind="case.accepted", channel="in_app")
    assert notice.subject.startswith("Accepted"), notice.subject
    officer_notice = OutboxMessage.objects.filter(recipient=network["sh_intake"], kind="case.submitted").first()
    assert officer_notice is not None and "新申请待受理" in officer_notice.subject
