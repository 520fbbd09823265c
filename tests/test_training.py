"""Training and seminars 培训 (weiyuan/training): the declared table walked from every state, registration with the
capacity under the event's lock, attendance and credited hours, the pages (my training, the director's roster) with
their query counts, and bad input named by field."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import ApplicantFactory, UserFactory, staff
from tests.knowledge_support import draft_item, published_item
from tests.training_support import event_input, make_event
from weiyuan.accounts.models import Membership
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.training import services
from weiyuan.training.flow import TRANSITIONS
from weiyuan.training.models import EventState, Registration, TrainingCredit, TrainingEvent

pytestmark = pytest.mark.django_db


def volunteer() -> Any:
    user = UserFactory()
    Membership.objects.create(user=user, centre=None, role=Role.VOLUNTEER, organisation="华东政法大学知识产权法律诊所")
    return user


def test_the_declared_table_walked_from_every_state(network: dict[str, Any]) -> None:
    sh, organiser = network["shanghai"], network["sh_handler"]
    event = make_event(sh, organiser, "draft")
    past = timezone.now() - dt.timedelta(hours=4)
    TrainingEvent.objects.filter(pk=event.pk).update(starts_at=past, ends_at=past + dt.timedelta(hours=2))
    for state in EventState.values:
        for t in TRANSITIONS:
            TrainingEvent.objects.filter(pk=event.pk).update(state=state)
            event.refresh_from_db()
            if state in t.from_states:
                assert services.event_transition(event=event, actor=organiser, action=t.action).state == t.to_state
            else:
                with pytest.raises(TransitionRefused) as refused:
                    services.event_transition(event=event, actor=organiser, action=t.action)
                assert refused.value.status == 409, (state, t.action)
            # Another centre's staff: a draft is not seen (404), otherwise they may not manage it (403).
            TrainingEvent.objects.filter(pk=event.pk).update(state=state)
            event.refresh_from_db()
            with pytest.raises(TransitionRefused) as refused:
                services.event_transition(event=event, actor=network["zj_intake"], action=t.action)
            assert refused.value.status == (404 if state == EventState.DRAFT else 403)
    with pytest.raises(TransitionRefused) as refused:
        services.event_transition(event=event, actor=organiser, action="publish")
    assert refused.value.status == 400
    assert AuditEvent.objects.filter(action="training.event.open").exists()


def test_hold_waits_for_the_start(network: dict[str, Any]) -> None:
    event = make_event(network["shanghai"], network["sh_handler"], "closed")
    with pytest.raises(TransitionRefused, match="尚未开始"):
        services.event_transition(event=event, actor=network["sh_handler"], action="hold")


def test_register_twice_cancel_again_and_after_close(network: dict[str, Any]) -> None:
    event = make_event(network["shanghai"], network["sh_handler"], "open")
    member = network["zj_intake"]
    services.registration_create(event=event, actor=member)
    with pytest.raises(TransitionRefused, match="已报名"):
        services.registration_create(event=event, actor=member)
    services.registration_cancel(event=event, actor=member)
    with pytest.raises(TransitionRefused, match="尚未报名"):
        services.registration_cancel(event=event, actor=member)
    services.registration_create(event=event, actor=member)  # the cancelled row is reused
    assert Registration.objects.filter(event=event).count() == 1
    event = services.event_transition(event=event, actor=network["sh_handler"], action="close")
    with pytest.raises(TransitionRefused, match="报名已截止"):
        services.registration_cancel(event=event, actor=member)
    with pytest.raises(TransitionRefused, match="不在报名期内"):
        services.registration_create(event=event, actor=volunteer())
    actions = set(
        AuditEvent.objects.filter(action__startswith="training.registration").values_list("action", flat=True)
    )
    assert actions == {"training.registration.create", "training.registration.cancel"}


def test_the_last_seat_goes_once(network: dict[str, Any]) -> None:
    event = make_event(network["shanghai"], network["sh_handler"], "open", capacity=2)
    services.registration_create(event=event, actor=network["sh_intake"])
    services.registration_create(event=event, actor=volunteer())  # the last seat
    with pytest.raises(TransitionRefused, match="名额已满"):
        services.registration_create(event=event, actor=network["zj_intake"])
    # A cancelled seat is free again.
    services.registration_cancel(event=event, actor=network["sh_intake"])
    services.registration_create(event=event, actor=network["zj_intake"])
    assert Registration.objects.filter(event=event, state="registered").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_people_at_once_for_the_last_three_seats(network: dict[str, Any]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no real race to test")
    event = make_event(network["shanghai"], network["sh_handler"], "open", capacity=3)
    people = [volunteer() for _ in range(20)]

    def register(user: Any) -> str:
        try:
            services.registration_create(event=event, actor=user)
            return "ok"
        except TransitionRefused as exc:
            return exc.reason
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(register, people))
    assert results.count("ok") == 3
    assert all("名额已满" in r for r in results if r != "ok")
    assert Registration.objects.filter(event=event, state="registered").count() == 3


def test_who_may_register(network: dict[str, Any]) -> None:
    closed_to_public = make_event(network["shanghai"], network["sh_handler"], "open")
    public = make_event(network["shanghai"], network["sh_handler"], "open", public=True)
    applicant = ApplicantFactory()
    with pytest.raises(TransitionRefused) as refused:
        services.registration_create(event=closed_to_public, actor=applicant)
    assert refused.value.status == 404
    services.registration_create(event=public, actor=applicant)
    with pytest.raises(TransitionRefused) as refused:
        services.registration_create(event=public, actor=network["sh_supervisor"])
    assert refused.value.status == 403
    draft = make_event(network["shanghai"], network["sh_handler"], "draft")
    with pytest.raises(TransitionRefused) as refused:
        services.registration_create(event=draft, actor=volunteer())
    assert refused.value.status == 404


def test_attendance_credits_hours_after_the_event_is_held(network: dict[str, Any]) -> None:
    organiser = network["sh_handler"]
    event = make_event(network["shanghai"], organiser, "open", hours="2.5")
    helper = volunteer()
    for user in (network["sh_intake"], helper):
        services.registration_create(event=event, actor=user)
    with pytest.raises(TransitionRefused, match="举办后才能登记出勤"):
        services.attendance_record(event=event, actor=organiser, attendee_ids=[helper.pk], hours="")
    event = services.event_transition(event=event, actor=organiser, action="close")
    past = timezone.now() - dt.timedelta(hours=3)
    TrainingEvent.objects.filter(pk=event.pk).update(starts_at=past)
    event.refresh_from_db()
    event = services.event_transition(event=event, actor=organiser, action="hold")
    with pytest.raises(ValidationError) as bad:
        services.attendance_record(event=event, actor=organiser, attendee_ids=[helper.pk], hours="-1")
    assert bad.value.message_dict["hours"] == ["学时不能为负数。"]
    with pytest.raises(ValidationError) as bad:
        services.attendance_record(event=event, actor=organiser, attendee_ids=[network["zj_intake"].pk], hours="")
    assert "attendees" in bad.value.message_dict
    with pytest.raises(ValidationError) as bad:
        services.attendance_record(event=event, actor=organiser, attendee_ids=[], hours="")
    assert "attendees" in bad.value.message_dict
    with pytest.raises(TransitionRefused) as refused:
        services.attendance_record(event=event, actor=network["zj_intake"], attendee_ids=[helper.pk], hours="")
    assert refused.value.status == 403
    n = services.attendance_record(
        event=event, actor=organiser, attendee_ids=[helper.pk, network["sh_intake"].pk], hours=""
    )
    assert n == 2
    assert TrainingCredit.objects.get(user=helper).hours == Decimal("2.5")
    # Recording again replaces the hours (one credit per registration).
    services.attendance_record(event=event, actor=organiser, attendee_ids=[helper.pk], hours="2")
    assert TrainingCredit.objects.filter(user=helper).count() == 1
    assert TrainingCredit.objects.get(user=helper).hours == Decimal("2.0")
    assert AuditEvent.objects.filter(action="training.credit.record").count() == 3

    client = Client()
    client.force_login(helper)
    page = client.get(reverse("training:mine")).content.decode()
    assert "2.0" in page and event.title in page


def test_event_bad_input_named_by_field(network: dict[str, Any]) -> None:
    sh, organiser = network["shanghai"], network["sh_handler"]
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as bad:
        services.event_create(
            centre=sh,
            actor=organiser,
            data=event_input(hours="-2", capacity=0, place="", ends_at=start, starts_at=start, title="x"),
        )
    errors = bad.value.message_dict
    assert set(errors) >= {"hours", "capacity", "place", "ends_at", "title"}
    assert errors["hours"] == ["学时不能为负数。"]
    unpublished = draft_item(sh, network["sh_director"])
    with pytest.raises(ValidationError) as bad:
        services.event_create(centre=sh, actor=organiser, data=event_input(material_ids=[unpublished.pk]))
    assert "materials" in bad.value.message_dict
    with pytest.raises(TransitionRefused) as refused:
        services.event_create(centre=sh, actor=network["zj_intake"], data=event_input())
    assert refused.value.status == 403
    # The capacity cannot fall below the people registered.
    event = make_event(sh, organiser, "open")
    services.registration_create(event=event, actor=network["zj_intake"])
    services.registration_create(event=event, actor=network["sh_intake"])
    with pytest.raises(ValidationError) as bad:
        services.event_update(event=event, actor=organiser, data=event_input(capacity=1))
    assert "capacity" in bad.value.message_dict


def test_pages_create_with_materials_edit_and_act(network: dict[str, Any]) -> None:
    sh = network["shanghai"]
    editor = staff(sh, Role.EDITOR)
    item = published_item(sh, network["sh_director"], editor, title="展会维权培训讲义")
    client = Client()
    client.force_login(network["sh_handler"])
    start = timezone.localtime(timezone.now() + dt.timedelta(days=5))
    form = {
        "centre": "sh",
        "title": "电商维权研讨会",
        "kind": "seminar",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "online_url": "https://meeting.example.cn/123",
        "capacity": "50",
        "hours": "-1",
        "materials": str(item.pk),
    }
    response = client.post(reverse("training:new"), form)
    assert response.status_code == 400 and "学时不能为负数" in response.content.decode()
    form["hours"] = "2"
    response = client.post(reverse("training:new"), form)
    assert response.status_code == 302
    event = TrainingEvent.objects.get(title="电商维权研讨会")
    page = client.get(reverse("training:event", args=[event.pk])).content.decode()
    assert "展会维权培训讲义" in page and "开放报名" in page
    response = client.post(reverse("training:edit", args=[event.pk]), {**form, "capacity": "40"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.capacity == 40
    assert client.post(reverse("training:act", args=[event.pk, "open"])).status_code == 302
    other = Client()
    other.force_login(network["zj_intake"])
    assert other.post(reverse("training:register", args=[event.pk])).status_code == 302
    assert other.post(reverse("training:register", args=[event.pk])).status_code == 409


def test_list_roster_and_their_query_counts(network: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    sh = network["shanghai"]
    organiser = network["sh_handler"]
    for i in range(3):
        make_event(sh, organiser, "open", title=f"培训 {i}")
    event = make_event(sh, organiser, "open", capacity=100)
    people = [staff(sh, Role.HANDLER) for _ in range(30)]
    for user in people:
        services.registration_create(event=event, actor=user)
    event = services.event_transition(event=event, actor=organiser, action="close")
    TrainingEvent.objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(hours=3))
    event.refresh_from_db()
    event = services.event_transition(event=event, actor=organiser, action="hold")
    services.attendance_record(event=event, actor=organiser, attendee_ids=[u.pk for u in people], hours="3")

    client = Client()
    client.force_login(network["sh_director"])
    client.get(reverse("training:list"))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(reverse("training:list"))
    assert response.status_code == 200 and "培训 2" in response.content.decode()
    # Two more than the list: the staff's qualifications and the volunteers' part (weiyuan/volunteers).
    with django_assert_max_num_queries(14):
        response = client.get(reverse("training:roster", args=["sh"]))
    page = response.content.decode()
    assert response.status_code == 200 and "3.0" in page and "第 1 / 2 页" in page
    with django_assert_max_num_queries(14):
        assert client.get(reverse("training:roster", args=["sh"]) + "?page=2").status_code == 200
    assert client.get(reverse("training:roster", args=["sh"]) + "?year=abc").status_code == 400
    assert client.get(reverse("training:roster", args=["zj"])).status_code == 404
    handler = Client()
    handler.force_login(organiser)
    assert handler.get(reverse("training:roster", args=["sh"])).status_code == 404
