"""Issue #6: measures taken on many listings at once tell the rights holder once per batch (one outbox row per
recipient and channel), while every listing keeps its own step and audit event."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.ecommerce_support import platform_world, sent_notice
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.ecommerce import listing_services as ls
from weiyuan.ecommerce.models import ListingState, ListingStep
from weiyuan.ecommerce.notices import positions_text
from weiyuan.notifications.models import OutboxChannel, OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    return platform_world(network)


def measure_rows(**filters: Any) -> Any:
    return OutboxMessage.objects.filter(kind="ecommerce.measures", **filters)


def test_positions_are_written_as_runs():
    assert positions_text([7, 1, 2, 3, 5, 8, 2]) == "1-3、5、7-8"
    assert positions_text([4]) == "4"


def test_a_batch_of_measures_sends_one_notice_per_recipient(w: dict[str, Any]) -> None:
    notice = sent_notice(w, listings=40)
    holder = w["holder"]
    before = OutboxMessage.objects.count()
    done = ls.measures_record_many(
        notice=notice, actor=w["platform_user"], positions=list(range(1, 31)), measures=["delete", "block"]
    )
    assert len(done) == 30
    # One in-app row and one e-mail row (the holder's address is verified), not 30 of each.
    assert OutboxMessage.objects.count() - before == 2
    rows = list(measure_rows(recipient=holder))
    assert {r.channel for r in rows} == {OutboxChannel.IN_APP, OutboxChannel.EMAIL}
    assert "30 条链接" in rows[0].subject and "1-30" in rows[0].body and "删除" in rows[0].body
    # Each listing keeps its own record.
    assert set(notice.listings.filter(position__lte=30).values_list("state", flat=True)) == {
        ListingState.MEASURES_TAKEN
    }
    assert ListingStep.objects.filter(listing__notice=notice, action="take_measures").count() == 30
    assert AuditEvent.objects.filter(action="ecommerce.listing_take_measures").count() == 30

    # A second batch is a new notice; the single-listing action keeps its own notice.
    ls.measures_record_many(notice=notice, actor=w["platform_user"], positions=[31, 33], measures=["delete"])
    last = notice.listings.get(position=40)
    ls.listing_measures_record(listing=last, actor=w["platform_user"], measures=["block"])
    assert measure_rows(recipient=holder, channel=OutboxChannel.IN_APP).count() == 3
    assert any("31、33" in r.body for r in measure_rows(recipient=holder))


def test_a_refused_batch_sends_nothing_and_changes_nothing(w: dict[str, Any]) -> None:
    notice = sent_notice(w, listings=3)
    ls.listing_measures_record(listing=notice.listings.get(position=2), actor=w["platform_user"], measures=["delete"])
    before = OutboxMessage.objects.count()
    with pytest.raises(TransitionRefused):  # position 2 already has its measures
        ls.measures_record_many(notice=notice, actor=w["platform_user"], positions=[1, 2, 3], measures=["delete"])
    with pytest.raises(ValidationError) as missing:
        ls.measures_record_many(notice=notice, actor=w["platform_user"], positions=[1, 9], measures=["delete"])
    assert "9" in str(missing.value.message_dict["listings"])
    with pytest.raises(ValidationError) as unknown:
        ls.measures_record_many(notice=notice, actor=w["platform_user"], positions=[1], measures=["burn"])
    assert "measures" in unknown.value.message_dict
    assert OutboxMessage.objects.count() == before
    assert notice.listings.get(position=1).state == ListingState.NOTIFIED


def test_the_inbox_bulk_form_tells_the_holder_once(w: dict[str, Any], client: Any) -> None:
    notice = sent_notice(w, listings=5)
    client.force_login(w["platform_user"])
    response = client.post(
        f"/ecommerce/notices/{notice.pk}/measures/", {"positions": ["1", "2", "3", "4"], "measures": ["delete"]}
    )
    assert response.status_code == 302
    assert measure_rows(recipient=w["holder"], channel=OutboxChannel.IN_APP).count() == 1
