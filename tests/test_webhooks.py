"""Webhooks to cooperating organisations: queued in the caller's transaction, signed, delivered by the sweep to a
real local HTTP receiver, retried with back-off, given up with a notice, redelivered; bad input refused."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tests.partners_support import local_receiver, make_endpoint, make_org
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.notifications.models import OutboxMessage
from weiyuan.webhooks.delivery import RETRY_SCHEDULE, webhooks_deliver
from weiyuan.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery
from weiyuan.webhooks.outbound import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    UnsafeUrl,
    body_bytes,
    signature_header,
    signature_verify,
    url_check,
)
from weiyuan.webhooks.services import (
    webhook_delivery_redeliver,
    webhook_endpoint_create,
    webhook_endpoint_ping,
    webhook_endpoint_set_active,
    webhook_enqueue,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _allow_local(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1


@pytest.fixture
def org(network: dict[str, Any]) -> Any:
    return make_org(network["sh_director"], network["shanghai"])


def _due(delivery: WebhookDelivery) -> WebhookDelivery:
    return WebhookDelivery.objects.get(pk=delivery.pk)


def test_fails_first_then_succeeds_with_backoff_signature_and_attempts_logged(
    network: dict[str, Any], org: Any
) -> None:
    with local_receiver(script=[500]) as receiver:
        _endpoint, secret = make_endpoint(network["sh_director"], org, receiver.url)
        receiver.secret = secret
        with transaction.atomic():
            (delivery,) = webhook_enqueue(
                organisation=org, event="referral.created", payload={"referral": 17, "case": "WY-TEST"}
            )
        now = timezone.now()

        counts = webhooks_deliver(now=now)
        assert counts == {"delivered": 0, "retry": 1, "failed": 0}
        d = _due(delivery)
        assert d.state == DeliveryState.PENDING and d.attempts == 1 and d.last_status_code == 500
        # The first back-off step: one minute.
        assert d.next_attempt_at == now + dt.timedelta(seconds=RETRY_SCHEDULE[0])

        # Not due yet: nothing is sent.
        assert webhooks_deliver(now=now + dt.timedelta(seconds=30)) == {"delivered": 0, "retry": 0, "failed": 0}
        assert len(receiver.received) == 1

        later = now + dt.timedelta(seconds=RETRY_SCHEDULE[0] + 1)
        assert webhooks_deliver(now=later) == {"delivered": 1, "retry": 0, "failed": 0}

    d = _due(delivery)
    assert d.state == DeliveryState.DELIVERED and d.delivered_at == later and d.last_status_code == 200
    attempts = list(WebhookAttempt.objects.filter(delivery=d).order_by("at"))
    assert [a.status_code for a in attempts] == [500, 200]
    assert attempts[0].error == "HTTP 500" and attempts[1].error == ""
    assert '"ok": false' in attempts[0].response_excerpt or '"ok":false' in attempts[0].response_excerpt

    # Both requests were signed with the endpoint's secret, carried the same delivery id, the same bytes.
    first, second = receiver.received
    assert first.verified and second.verified
    assert first.headers[EVENT_HEADER] == "referral.created"
    assert first.headers[DELIVERY_HEADER] == second.headers[DELIVERY_HEADER] == str(d.uuid)
    assert first.body == second.body
    envelope = json.loads(second.body)
    assert envelope["event"] == "referral.created" and envelope["data"] == {"referral": 17, "case": "WY-TEST"}
    assert envelope["delivery_id"] == str(d.uuid) and envelope["organisation_id"] == org.pk
    # A receiver with another secret, or a tampered body, would reject it.
    assert not signature_verify(secret="whsec_other", body=second.body, header=second.headers[SIGNATURE_HEADER])
    assert not signature_verify(secret=secret, body=second.body + b" ", header=second.headers[SIGNATURE_HEADER])


def test_the_receiver_rejects_old_timestamps() -> None:
    body = body_bytes({"event": "ping"})
    old = int(time.time()) - 3600
    header = signature_header(secret="whsec_x", body=body, timestamp=old)
    assert not signature_verify(secret="whsec_x", body=body, header=header)
    assert signature_verify(secret="whsec_x", body=body, header=header, now=old + 10)
    fresh_header = signature_header(secret="whsec_x", body=body, timestamp=int(time.time()))
    assert signature_verify(secret="whsec_x", body=body, header=fresh_header)
    assert not signature_verify(secret="whsec_x", body=body, header="garbage")
    assert not signature_verify(secret="whsec_x", body=body, header="t=abc,v1=00")


def test_rollback_of_the_callers_transaction_leaves_no_delivery(network: dict[str, Any], org: Any) -> None:
    make_endpoint(network["sh_director"], org, "http://127.0.0.1:9/hook")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        assert len(webhook_enqueue(organisation=org, event="referral.created", payload={"n": 1})) == 1
        raise Boom
    assert not WebhookDelivery.objects.exists()


def test_only_active_endpoints_subscribed_to_the_event_get_a_delivery(network: dict[str, Any], org: Any) -> None:
    director = network["sh_director"]
    a, _ = make_endpoint(director, org, "http://127.0.0.1:9/a", ["referral.created", "referral.withdrawn"])
    make_endpoint(director, org, "http://127.0.0.1:9/b", ["referral.withdrawn"])
    c, _ = make_endpoint(director, org, "http://127.0.0.1:9/c", ["referral.created"])
    webhook_endpoint_set_active(actor=director, endpoint=c, active=False)
    other = make_org(director, network["shanghai"])
    make_endpoint(director, other, "http://127.0.0.1:9/d", ["referral.created"])

    deliveries = webhook_enqueue(organisation=org, event="referral.created", payload={})
    assert [d.endpoint_id for d in deliveries] == [a.pk]
    assert webhook_enqueue(organisation=make_org(director, network["shanghai"]), event="ping", payload={}) == []
    from weiyuan.partners.services import organisation_set_active

    organisation_set_active(actor=director, organisation=org, active=False)
    assert webhook_enqueue(organisation=org, event="referral.created", payload={}) == []  # retired: nothing


def test_unknown_event_and_bad_payload_are_refused(org: Any) -> None:
    with pytest.raises(ValueError, match="unknown webhook event"):
        webhook_enqueue(organisation=org, event="referral.exploded", payload={})
    with pytest.raises(ValueError):
        webhook_enqueue(organisation=org, event="referral.created", payload=["not", "a", "dict"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "请填写"),
        ("ftp://partner.example.cn/hook", "http"),
        ("javascript:alert(1)", "http"),
        ("https://user:pass@partner.example.cn/hook", "用户名或密码"),
        ("https:///nohost", "主机名"),
        ("https://partner.example.cn:99999/hook", "格式"),
        ("https://partner.example.cn/a b", "空格"),
    ],
)
def test_bad_urls_are_refused_naming_the_field(network: dict[str, Any], org: Any, url: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as err:
        webhook_endpoint_create(actor=network["sh_director"], organisation=org, url=url, events=["referral.created"])
    assert "url" in err.value.message_dict
    assert fragment in " ".join(err.value.message_dict["url"])


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.20/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_private_addresses_are_refused_unless_allowed(
    settings: Any, network: dict[str, Any], org: Any, url: str
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    settings.DEBUG = False
    with pytest.raises(ValidationError) as err:
        webhook_endpoint_create(actor=network["sh_director"], organisation=org, url=url, events=["referral.created"])
    assert "内网" in " ".join(err.value.message_dict["url"]) or "解析" in " ".join(err.value.message_dict["url"])
    settings.DEBUG = True
    assert url_check(url) == url


def test_a_public_literal_address_passes_the_check(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    settings.DEBUG = False
    assert url_check("https://8.8.8.8/hook") == "https://8.8.8.8/hook"
    with pytest.raises(UnsafeUrl):
        url_check("https://100.64.0.1/hook")  # carrier-grade NAT is not public


def test_the_address_is_checked_again_before_sending(settings: Any, network: dict[str, Any], org: Any) -> None:
    """An endpoint saved while private addresses were allowed is not POSTed to once they are not."""
    _endpoint, _ = make_endpoint(network["sh_director"], org, "http://127.0.0.1:9/hook")
    (delivery,) = webhook_enqueue(organisation=org, event="referral.created", payload={})
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    settings.DEBUG = False
    webhooks_deliver()
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None and "内网" in attempt.error


def test_unknown_events_and_no_events_refused(network: dict[str, Any], org: Any) -> None:
    for events in ([], ["referral.exploded"]):
        with pytest.raises(ValidationError) as err:
            webhook_endpoint_create(
                actor=network["sh_director"], organisation=org, url="https://partner.example.cn/h", events=events
            )
        assert "events" in err.value.message_dict


def test_gives_up_after_the_schedule_notifies_keeper_staff_and_redelivers(network: dict[str, Any], org: Any) -> None:
    director, handler = network["sh_director"], network["sh_handler"]
    with local_receiver(script=[503] * len(RETRY_SCHEDULE) + [500, 500, 200]) as receiver:
        _endpoint, secret = make_endpoint(director, org, receiver.url)
        receiver.secret = secret
        (delivery,) = webhook_enqueue(organisation=org, event="referral.created", payload={"n": 1})
        now = timezone.now()
        for step in [0, *RETRY_SCHEDULE]:
            now = now + dt.timedelta(seconds=step + 1)
            webhooks_deliver(now=now)
        d = _due(delivery)
        assert d.state == DeliveryState.FAILED and d.attempts == len(RETRY_SCHEDULE) + 1 == 6
        assert WebhookAttempt.objects.filter(delivery=d).count() == 6
        # The keeping centre's staff are told (in-app, through the outbox); other centres' staff are not.
        told = set(OutboxMessage.objects.filter(kind="webhook_failed").values_list("recipient_id", flat=True))
        assert {director.pk, handler.pk, network["sh_intake"].pk} <= told
        assert network["zj_director"].pk not in told
        assert webhooks_deliver(now=now + dt.timedelta(days=2)) == {"delivered": 0, "retry": 0, "failed": 0}

        # Redelivery: by keeper staff only, only a failed delivery, a fresh round with the same delivery id.
        with pytest.raises(TransitionRefused) as refused:
            webhook_delivery_redeliver(actor=network["zj_director"], delivery=d)
        assert refused.value.status == 403
        webhook_delivery_redeliver(actor=handler, delivery=d, now=now)
        with pytest.raises(TransitionRefused) as again:
            webhook_delivery_redeliver(actor=handler, delivery=_due(d))
        assert again.value.status == 409
        assert webhooks_deliver(now=now)["retry"] == 1  # the 500
        assert webhooks_deliver(now=now + dt.timedelta(seconds=61))["delivered"] == 1
    d = _due(delivery)
    assert d.state == DeliveryState.DELIVERED and WebhookAttempt.objects.filter(delivery=d).count() == 8
    assert len({r.headers[DELIVERY_HEADER] for r in receiver.received}) == 1
    assert all(r.verified for r in receiver.received)


def test_no_answer_is_a_failed_attempt(network: dict[str, Any], org: Any) -> None:
    # Port 9 (discard) on the loopback: nothing listens, the connection is refused.
    make_endpoint(network["sh_director"], org, "http://127.0.0.1:9/hook")
    (delivery,) = webhook_enqueue(organisation=org, event="referral.created", payload={})
    assert webhooks_deliver()["retry"] == 1
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None and attempt.error


def test_redirects_are_not_followed(network: dict[str, Any], org: Any) -> None:
    with local_receiver(script=[302]) as receiver:
        _e, receiver.secret = make_endpoint(network["sh_director"], org, receiver.url)
        (delivery,) = webhook_enqueue(organisation=org, event="referral.created", payload={})
        webhooks_deliver()
    assert _due(delivery).last_status_code == 302 and _due(delivery).state == DeliveryState.PENDING


def test_a_deactivated_endpoint_fails_its_pending_deliveries_without_posting(network: dict[str, Any], org: Any) -> None:
    with local_receiver() as receiver:
        endpoint, receiver.secret = make_endpoint(network["sh_director"], org, receiver.url)
        (delivery,) = webhook_enqueue(organisation=org, event="referral.created", payload={})
        webhook_endpoint_set_active(actor=network["sh_director"], endpoint=endpoint, active=False)
        assert webhooks_deliver()["failed"] == 1
    assert receiver.received == [] and _due(delivery).state == DeliveryState.FAILED
    assert not OutboxMessage.objects.filter(kind="webhook_failed").exists()


def test_claims_are_exclusive_and_a_lost_lease_is_taken_over(network: dict[str, Any], org: Any) -> None:
    from weiyuan.webhooks.delivery import _claim_batch

    make_endpoint(network["sh_director"], org, "http://127.0.0.1:9/hook")
    (delivery,) = webhook_enqueue(organisation=org, event="referral.created", payload={})
    now = timezone.now()
    assert [d.pk for d in _claim_batch(limit=10, now=now)] == [delivery.pk]
    assert _claim_batch(limit=10, now=now) == []  # held by the first worker
    # The first worker died: after its lease the row is due again and another worker claims it.
    later = now + dt.timedelta(seconds=121)
    (taken,) = _claim_batch(limit=10, now=later)
    assert taken.attempts == 2


def test_ping_and_the_management_command(network: dict[str, Any], org: Any) -> None:
    from io import StringIO

    with local_receiver() as receiver:
        endpoint, receiver.secret = make_endpoint(network["sh_director"], org, receiver.url)
        webhook_endpoint_ping(actor=network["sh_director"], endpoint=endpoint)
        out = StringIO()
        call_command("webhooks_deliver", stdout=out)
    assert "delivered 1" in out.getvalue()
    assert receiver.received[0].headers[EVENT_HEADER] == "ping" and receiver.received[0].verified


def test_the_celery_task_is_registered_and_runs(settings: Any) -> None:
    from weiyuan.webhooks.tasks import deliver_webhooks_task

    assert "deliver-webhooks" in settings.CELERY_BEAT_SCHEDULE
    assert settings.CELERY_BEAT_SCHEDULE["deliver-webhooks"]["task"] == deliver_webhooks_task.name
    assert deliver_webhooks_task.delay().get() == {"delivered": 0, "retry": 0, "failed": 0}


def test_endpoint_management_is_for_the_keeper_director(network: dict[str, Any], org: Any) -> None:
    for actor in ("sh_handler", "sh_intake", "zj_director", "sh_supervisor"):
        with pytest.raises(TransitionRefused) as refused:
            webhook_endpoint_create(
                actor=network[actor], organisation=org, url="https://partner.example.cn/h", events=["ping"]
            )
        assert refused.value.status == 403
    endpoint, secret = webhook_endpoint_create(
        actor=network["sh_director"], organisation=org, url="https://partner.example.cn/h", events=["ping"]
    )
    assert secret.startswith("whsec_") and endpoint.secret == secret


def test_a_worker_that_outlived_its_lease_does_not_overwrite_the_takeover(network: dict[str, Any], org: Any) -> None:
    from weiyuan.webhooks.delivery import _claim_batch, _deliver_one

    with local_receiver(script=[200, 500]) as receiver:
        _e, receiver.secret = make_endpoint(network["sh_director"], org, receiver.url)
        (delivery,) = webhook_enqueue(organisation=org, event="referral.created", payload={})
        start = timezone.now()
        (worker_a,) = _claim_batch(limit=10, now=start)
        # Worker A stalls past its lease; worker B takes the row over and delivers it.
        later = start + dt.timedelta(seconds=121)
        (worker_b,) = _claim_batch(limit=10, now=later)
        assert _deliver_one(worker_b, lease_until=worker_b.next_attempt_at, now=later) == DeliveryState.DELIVERED
        # Worker A wakes up, its POST gets a 500: its result is logged but does not undo the delivery.
        assert _deliver_one(worker_a, lease_until=worker_a.next_attempt_at, now=start) == ""
    d = _due(delivery)
    assert d.state == DeliveryState.DELIVERED and d.last_status_code == 200
    assert WebhookAttempt.objects.filter(delivery=d).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_sweeps_send_each_delivery_once(network: dict[str, Any]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no real race to test")
    org = make_org(network["sh_director"], network["shanghai"])
    with local_receiver() as receiver:
        _e, receiver.secret = make_endpoint(network["sh_director"], org, receiver.url)
        for n in range(30):
            webhook_enqueue(organisation=org, event="referral.created", payload={"n": n})

        def sweep(_: int) -> dict[str, int]:
            try:
                return webhooks_deliver(limit=5)
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=4) as pool:
            while WebhookDelivery.objects.filter(state=DeliveryState.PENDING).exists():
                list(pool.map(sweep, range(4)))
    assert len(receiver.received) == 30
    assert len({r.headers[DELIVERY_HEADER] for r in receiver.received}) == 30
    assert WebhookAttempt.objects.count() == 30
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {DeliveryState.DELIVERED}
