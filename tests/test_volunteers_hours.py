"""Volunteer hours 志愿服务时长 (weiyuan/volunteers): logged only while serving and only on cases the volunteer holds
a task on at the centre, bad input named by field, confirmation by the director (or the case's handler for case
work, never by the volunteer), the declared table from every state, totals per year, training hours read from
weiyuan/training, and the consultation drafts counted from weiyuan/consultations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.access_rows.consultations import taken_at_shanghai
from tests.factories import ApplicantFactory, make_case, staff
from tests.training_support import make_event
from tests.volunteers_support import make_registration, volunteer_task
from weiyuan.accounts.models import Membership
from weiyuan.audit.models import AuditEvent
from weiyuan.cases import services as case_services
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.consultations import services as consultations
from weiyuan.consultations.models import Consultation
from weiyuan.core.choices import Role
from weiyuan.notifications.models import OutboxMessage
from weiyuan.training import services as training
from weiyuan.training.models import TrainingEvent
from weiyuan.volunteers import selectors, services
from weiyuan.volunteers.flow import HOURS_TRANSITIONS
from weiyuan.volunteers.models import HoursState, VolunteerHours

pytestmark = pytest.mark.django_db


def hours(**overrides: Any) -> services.HoursInput:
    data: dict[str, Any] = {"worked_on": timezone.localdate(), "hours": "2", "activity": "outreach"}
    data.update(overrides)
    return services.HoursInput(**data)


def handled_case(network: dict[str, Any], centre: str = "shanghai", prefix: str = "sh") -> Any:
    case = make_case(network[centre])
    case = case_services.case_accept(case=case, actor=network[f"{prefix}_intake"])
    return case_services.case_assign(
        case=case, actor=network[f"{prefix}_director"], handler=network[f"{prefix}_handler"]
    )


@pytest.fixture
def serving(network: dict[str, Any]) -> Any:
    return make_registration(ApplicantFactory(display_name="林同学"), network["shanghai"], network["sh_director"])


def test_hours_only_on_cases_the_volunteer_is_assigned_to(network: dict[str, Any], serving: Any) -> None:
    person = serving.user
    assigned = handled_case(network)
    volunteer_task(assigned, network["sh_handler"], person)
    not_assigned = handled_case(network)
    for number in (not_assigned.tracking_number, "WY-0000-NOPE"):
        with pytest.raises(ValidationError) as bad:
            services.hours_log(registration=serving, actor=person, data=hours(case_number=number))
        assert bad.value.message_dict["case"] == ["只能关联您在本机构承担志愿者任务的案件。"]
    # A task at another centre does not count for this registration.
    elsewhere = handled_case(network, "zhejiang", "zj")
    Membership.objects.create(user=person, centre=network["zhejiang"], role=Role.VOLUNTEER)
    volunteer_task(elsewhere, network["zj_handler"], person)
    with pytest.raises(ValidationError) as bad:
        services.hours_log(registration=serving, actor=person, data=hours(case_number=elsewhere.tracking_number))
    assert "case" in bad.value.message_dict
    entry = services.hours_log(
        registration=serving,
        actor=person,
        data=hours(activity="case_task", hours="1.5", case_number=assigned.tracking_number, description="整理证据目录"),
    )
    assert (entry.case, entry.hours, entry.state) == (assigned, Decimal("1.5"), HoursState.SUBMITTED)
    assert AuditEvent.objects.filter(action="volunteers.hours.log", object_id=str(entry.pk)).exists()


def test_bad_hours_are_named_by_field_and_only_the_serving_volunteer_logs(
    network: dict[str, Any], serving: Any
) -> None:
    person = serving.user
    today = timezone.localdate()
    cases = [
        ({"worked_on": today + dt.timedelta(days=1)}, "worked_on"),
        ({"worked_on": today - dt.timedelta(days=200)}, "worked_on"),
        ({"worked_on": None}, "worked_on"),
        ({"hours": "0"}, "hours"),
        ({"hours": "25"}, "hours"),
        ({"hours": "1.25"}, "hours"),
        ({"hours": "两小时"}, "hours"),
        ({"activity": "party"}, "activity"),
        ({"activity": "other", "description": ""}, "description"),
        ({"description": "x" * 301}, "description"),
    ]
    for overrides, name in cases:
        with pytest.raises(ValidationError) as bad:
            services.hours_log(registration=serving, actor=person, data=hours(**overrides))
        assert name in bad.value.message_dict, overrides
    with pytest.raises(TransitionRefused) as refused:
        services.hours_log(registration=serving, actor=network["sh_director"], data=hours())
    assert refused.value.status == 403
    with pytest.raises(TransitionRefused) as refused:
        services.hours_log(registration=serving, actor=network["zj_director"], data=hours())
    assert refused.value.status == 404
    pending = make_registration(ApplicantFactory(), network["shanghai"], network["sh_director"], "pending")
    with pytest.raises(TransitionRefused) as refused:
        services.hours_log(registration=pending, actor=pending.user, data=hours())
    assert refused.value.status == 409
    assert not VolunteerHours.objects.exists()


def test_confirmed_by_the_director_or_the_cases_handler(network: dict[str, Any], serving: Any) -> None:
    person, director, handler = serving.user, network["sh_director"], network["sh_handler"]
    case = handled_case(network)
    volunteer_task(case, handler, person)
    outreach = services.hours_log(registration=serving, actor=person, data=hours())
    case_work = services.hours_log(
        registration=serving, actor=person, data=hours(activity="case_task", case_number=case.tracking_number)
    )
    # The handler of the case confirms case work, but does not see the outreach entry.
    with pytest.raises(TransitionRefused) as refused:
        services.hours_transition(entry=outreach, actor=handler, action="confirm")
    assert refused.value.status == 404
    other_handler = staff(network["shanghai"], Role.HANDLER)
    with pytest.raises(TransitionRefused) as refused:
        services.hours_transition(entry=case_work, actor=other_handler, action="confirm")
    assert refused.value.status == 404
    with pytest.raises(TransitionRefused) as refused:
        services.hours_transition(entry=case_work, actor=person, action="confirm")
    assert refused.value.status == 403
    assert services.hours_transition(entry=case_work, actor=handler, action="confirm").state == HoursState.CONFIRMED
    with pytest.raises(ValidationError) as bad:
        services.hours_transition(entry=outreach, actor=director, action="reject")
    assert "reason" in bad.value.message_dict
    rejected = services.hours_transition(entry=outreach, actor=director, action="reject", reason="当天未参加宣传活动。")
    assert rejected.state == HoursState.REJECTED and rejected.decided_by == director
    assert OutboxMessage.objects.filter(recipient=person, kind="volunteers.hours_rejected").exists()
    assert list(selectors.hours_to_confirm(user=director)) == []
    # The queue lists what waits for each of them.
    waiting = services.hours_log(registration=serving, actor=person, data=hours(hours="3"))
    assert list(selectors.hours_to_confirm(user=director)) == [waiting]
    assert list(selectors.hours_to_confirm(user=handler)) == []


def test_the_hours_table_walked_from_every_state(network: dict[str, Any], serving: Any) -> None:
    entry = services.hours_log(registration=serving, actor=serving.user, data=hours())
    director = network["sh_director"]
    for state in HoursState.values:
        for t in HOURS_TRANSITIONS:
            VolunteerHours.objects.filter(pk=entry.pk).update(state=state)
            entry.refresh_from_db()
            if state in t.from_states:
                done = services.hours_transition(entry=entry, actor=director, action=t.action, reason="理由")
                assert done.state == t.to_state
            else:
                with pytest.raises(TransitionRefused) as refused:
                    services.hours_transition(entry=entry, actor=director, action=t.action, reason="理由")
                assert refused.value.status == 409, (state, t.action)


def test_totals_per_year_training_hours_and_drafts_on_the_pages(network: dict[str, Any], serving: Any) -> None:
    person, director, handler = serving.user, network["sh_director"], network["sh_handler"]
    entries = [services.hours_log(registration=serving, actor=person, data=hours(hours=h)) for h in ("2", "1.5", "4")]
    for entry in entries[:2]:
        services.hours_transition(entry=entry, actor=director, action="confirm")
    last_year = timezone.localdate().year - 1
    old = services.hours_log(registration=serving, actor=person, data=hours(hours="6"))
    services.hours_transition(entry=old, actor=director, action="confirm")
    VolunteerHours.objects.filter(pk=old.pk).update(worked_on=dt.date(last_year, 12, 20), year=last_year)
    totals = {
        row["year"]: (row["confirmed"], row["pending"])
        for row in selectors.hours_totals(selectors.my_hours(user=person))
    }
    assert totals == {last_year + 1: (Decimal("3.5"), Decimal("4.0")), last_year: (Decimal("6.0"), Decimal("0.0"))}

    # Training hours come from weiyuan/training (the volunteer attended a held event).
    event = make_event(network["shanghai"], handler, "open", hours="2.5")
    training.registration_create(event=event, actor=person)
    event = training.event_transition(event=event, actor=handler, action="close")
    TrainingEvent.objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(hours=3))
    event.refresh_from_db()
    event = training.event_transition(event=event, actor=handler, action="hold")
    training.attendance_record(event=event, actor=handler, attendee_ids=[person.pk], hours="")

    # Consultation drafts: one waiting, one returned, one approved and sent.
    states = []
    for i in range(3):
        consultation = taken_at_shanghai(network, ApplicantFactory())
        volunteer_task(consultation.case, handler, person)
        fresh = Consultation.objects.select_related("case").get(pk=consultation.pk)
        consultations.answer_submit(consultation=fresh, actor=person, body=f"答复草稿{i}：可以向市场监管部门投诉。")
        fresh = Consultation.objects.select_related("case").get(pk=consultation.pk)
        if i == 1:
            consultations.answer_return(consultation=fresh, actor=handler, reason="请补充法律依据。")
        if i == 2:
            consultations.answer_send(consultation=fresh, actor=handler)
        states.append(fresh.case.tracking_number)

    client = Client()
    client.force_login(person)
    page = client.get(reverse("volunteers:mine")).content.decode()
    year = last_year + 1
    assert f"{year} 年：已确认 3.5 小时，待确认 4.0 小时" in page
    assert f"{last_year} 年：已确认 6.0 小时" in page
    assert f"{year} 年：2.5 学时" in page
    assert "待审核 1 份，已退回修改 1 份，已批准发送 1 份" in page
    assert all(number in page for number in states)

    director_client = Client()
    director_client.force_login(director)
    detail = director_client.get(reverse("volunteers:detail", args=[serving.pk])).content.decode()
    assert "待审核 1 份，已退回修改 1 份，已批准发送 1 份" in detail and "2.5 学时" in detail
    listing = director_client.get(reverse("volunteers:list")).content.decode()
    row = listing.split('id="volunteer-table"')[1]
    assert "3.5" in row and "4.0" in row and "2.5" in row
    # Confirming from the volunteer's page goes back to it.
    response = director_client.post(
        reverse("volunteers:hours_act", args=[entries[2].pk, "confirm"]),
        {"next": reverse("volunteers:detail", args=[serving.pk])},
    )
    assert response.status_code == 302 and response["Location"] == reverse("volunteers:detail", args=[serving.pk])
    assert director_client.get(reverse("volunteers:hours")).status_code == 200


def test_logging_hours_on_the_page(network: dict[str, Any], serving: Any) -> None:
    person = serving.user
    case = handled_case(network)
    volunteer_task(case, network["sh_handler"], person)
    client = Client()
    client.force_login(person)
    url = reverse("volunteers:detail", args=[serving.pk])
    page = client.get(url).content.decode()
    assert case.tracking_number in page  # offered in the case choice
    form = {"worked_on": timezone.localdate().isoformat(), "hours": "30", "activity": "case_task"}
    response = client.post(reverse("volunteers:log_hours", args=[serving.pk]), form)
    assert response.status_code == 400 and "不超过 24 小时" in response.content.decode()
    response = client.post(
        reverse("volunteers:log_hours", args=[serving.pk]), {**form, "hours": "2", "case": case.tracking_number}
    )
    assert response.status_code == 302
    assert VolunteerHours.objects.get(user=person).case == case


def test_hours_pages_run_a_fixed_number_of_queries(network: dict[str, Any], serving: Any) -> None:
    person, director = serving.user, network["sh_director"]
    case = handled_case(network)
    volunteer_task(case, network["sh_handler"], person)
    volunteer, boss = Client(), Client()
    volunteer.force_login(person)
    boss.force_login(director)
    pages = [
        (volunteer, reverse("volunteers:mine")),
        (volunteer, reverse("volunteers:detail", args=[serving.pk])),
        (boss, reverse("volunteers:detail", args=[serving.pk])),
        (boss, reverse("volunteers:hours")),
    ]

    def log(n: int) -> None:
        for _ in range(n):
            # One entry a day: a day holds at most 24 hours over its entries.
            day = timezone.localdate() - dt.timedelta(days=VolunteerHours.objects.filter(user=person).count())
            services.hours_log(
                registration=serving,
                actor=person,
                data=hours(worked_on=day, activity="case_task", case_number=case.tracking_number),
            )

    log(1)
    for client, url in pages:
        client.get(url)  # warm the sessions
    counts = []
    for client, url in pages:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    log(12)
    for (client, url), before in zip(pages, counts, strict=True):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert len(ctx.captured_queries) == before, url
    assert max(counts) <= 20
