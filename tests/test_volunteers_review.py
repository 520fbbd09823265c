"""Review mends of volunteers (weiyuan/volunteers): a day holds at most 24 hours over all of a person's entries (a
double submit included), a form that did not parse writes nothing, a qualification removed twice is one deletion."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import ApplicantFactory, staff
from tests.volunteers_support import make_registration
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.volunteers import services
from weiyuan.volunteers.models import HoursState, StaffQualification, VolunteerHours

pytestmark = pytest.mark.django_db


def hours(value: str, day: dt.date | None = None) -> services.HoursInput:
    return services.HoursInput(worked_on=day or timezone.localdate(), hours=value, activity="outreach")


@pytest.fixture
def serving(network: dict[str, Any]) -> Any:
    return make_registration(ApplicantFactory(display_name="林同学"), network["shanghai"], network["sh_director"])


def test_a_day_holds_at_most_24_hours_over_all_entries_and_centres(network: dict[str, Any], serving: Any) -> None:
    person = serving.user
    services.hours_log(registration=serving, actor=person, data=hours("20"))
    with pytest.raises(ValidationError) as caught:
        services.hours_log(registration=serving, actor=person, data=hours("5"))
    assert "24" in caught.value.message_dict["hours"][0]
    # The same person serving a second centre: the day is still the same day.
    other = make_registration(person, network["zhejiang"], network["zj_director"])
    with pytest.raises(ValidationError):
        services.hours_log(registration=other, actor=person, data=hours("4.5"))
    services.hours_log(registration=other, actor=person, data=hours("4"))
    # Another day is another 24 hours; a rejected entry no longer counts.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.hours_log(registration=serving, actor=person, data=hours("24", yesterday))
    first = VolunteerHours.objects.get(user=person, hours=20)
    services.hours_transition(entry=first, actor=network["sh_director"], action="reject", reason="与签到表不符")
    services.hours_log(registration=serving, actor=person, data=hours("20"))
    assert VolunteerHours.objects.filter(user=person).exclude(state=HoursState.REJECTED).count() == 3


def test_a_double_submit_on_the_page_logs_once(serving: Any) -> None:
    client = Client()
    client.force_login(serving.user)
    url = reverse("volunteers:log_hours", args=[serving.pk])
    form = {"worked_on": timezone.localdate().isoformat(), "hours": "16", "activity": "outreach"}
    assert client.post(url, form).status_code == 302
    again = client.post(url, form)
    assert again.status_code == 400 and "24" in again.content.decode()
    assert VolunteerHours.objects.filter(user=serving.user).count() == 1


def test_a_form_that_did_not_parse_writes_nothing(serving: Any) -> None:
    client = Client()
    client.force_login(serving.user)
    url = reverse("volunteers:log_hours", args=[serving.pk])
    # Eleven characters: over the form's limit, a fine number for the service; the 400 used to come with a row.
    form = {"worked_on": timezone.localdate().isoformat(), "hours": "2.000000000", "activity": "outreach"}
    response = client.post(url, form)
    assert response.status_code == 400
    assert not VolunteerHours.objects.exists()


def test_the_director_posting_hours_is_refused_before_the_form(network: dict[str, Any], serving: Any) -> None:
    client = Client()
    client.force_login(network["sh_director"])
    response = client.post(reverse("volunteers:log_hours", args=[serving.pk]), {"hours": "x"})
    assert response.status_code == 403
    assert not VolunteerHours.objects.exists()


def test_a_qualification_removed_twice_is_one_deletion(network: dict[str, Any]) -> None:
    director = network["sh_director"]
    holder = staff(network["shanghai"], Role.HANDLER)
    data = services.QualificationInput(user_id=holder.pk, kind="lawyer", number="13101200000001")
    qualification = services.qualification_add(centre=network["shanghai"], actor=director, data=data)
    services.qualification_remove(qualification=qualification, actor=director)
    with pytest.raises(TransitionRefused) as refused:
        services.qualification_remove(qualification=qualification, actor=director)
    assert refused.value.status == 404
    assert not StaffQualification.objects.exists()
    assert AuditEvent.objects.filter(action="volunteers.qualification.delete").count() == 1
    client = Client()
    client.force_login(director)
    response = client.post(reverse("volunteers:qualification_delete", args=[qualification.pk]))
    assert response.status_code == 404
