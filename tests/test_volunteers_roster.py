"""Staff qualifications on the director's roster (weiyuan/training roster, weiyuan/volunteers): added and removed
by the centre's director only, bad input named by field, expired ones marked, the certificate read by the director
and the holder (audited), the volunteers as the roster's second part, and a query count that does not grow with the
number of people."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import ApplicantFactory, pdf_upload, staff
from tests.volunteers_support import make_registration
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.volunteers import services
from weiyuan.volunteers.models import StaffQualification

pytestmark = pytest.mark.django_db


def qualification(user: Any, **overrides: Any) -> services.QualificationInput:
    data: dict[str, Any] = {
        "user_id": user.pk,
        "kind": "patent_attorney",
        "number": "3101201812345",
        "issuer": "中华全国专利代理师协会",
    }
    data.update(overrides)
    return services.QualificationInput(**data)


def test_only_the_director_adds_for_the_centres_staff(network: dict[str, Any]) -> None:
    sh, director = network["shanghai"], network["sh_director"]
    with pytest.raises(TransitionRefused) as refused:
        services.qualification_add(centre=sh, actor=network["sh_handler"], data=qualification(network["sh_handler"]))
    assert refused.value.status == 404
    with pytest.raises(TransitionRefused):
        services.qualification_add(centre=sh, actor=network["zj_director"], data=qualification(network["sh_handler"]))
    with pytest.raises(ValidationError) as bad:
        services.qualification_add(
            centre=sh, actor=director, data=qualification(network["zj_intake"], kind="astronaut", number="9" * 61)
        )
    assert set(bad.value.message_dict) == {"user", "kind", "number"}
    with pytest.raises(ValidationError) as bad:
        services.qualification_add(centre=sh, actor=director, data=qualification(network["sh_handler"], kind="other"))
    assert "note" in bad.value.message_dict
    volunteer = make_registration(ApplicantFactory(), sh, director).user
    with pytest.raises(ValidationError) as bad:  # volunteers are not staff
        services.qualification_add(centre=sh, actor=director, data=qualification(volunteer))
    assert "user" in bad.value.message_dict
    added = services.qualification_add(
        centre=sh, actor=director, data=qualification(network["sh_handler"]), certificate=pdf_upload("证书.pdf")
    )
    assert added.certificate is not None and added.certificate.kind == "certificate"
    assert AuditEvent.objects.filter(action="volunteers.qualification.create").count() == 1
    services.qualification_remove(qualification=added, actor=director)
    assert not StaffQualification.objects.exists()
    assert AuditEvent.objects.filter(action="volunteers.qualification.delete").count() == 1


def test_roster_shows_qualifications_expired_marked_and_volunteers(network: dict[str, Any]) -> None:
    sh, director, handler = network["shanghai"], network["sh_director"], network["sh_handler"]
    today = timezone.localdate()
    services.qualification_add(
        centre=sh, actor=director, data=qualification(handler, kind="lawyer", valid_until=today + dt.timedelta(days=90))
    )
    services.qualification_add(
        centre=sh,
        actor=director,
        data=qualification(handler, kind="mediator", number="TJ-2019-88", valid_until=today - dt.timedelta(days=1)),
        certificate=pdf_upload("调解员证.pdf"),
    )
    make_registration(ApplicantFactory(display_name="林同学"), sh, director)
    client = Client()
    client.force_login(director)
    page = client.get(reverse("training:roster", args=["sh"])).content.decode()
    staff_part, volunteer_part = page.split('id="roster-table"')[1].split('id="volunteer-table"')
    assert "律师" in staff_part and "调解员" in staff_part
    assert staff_part.count("已过期") == 1 and 'class="qualification expired"' in staff_part
    assert "林同学" in volunteer_part and "林同学" not in staff_part
    quals = StaffQualification.objects.filter(kind="mediator").get()
    # The certificate: the director and the holder (each download audited); anyone else 404.
    assert client.get(reverse("volunteers:certificate", args=[quals.pk])).status_code == 200
    holder = Client()
    holder.force_login(handler)
    assert holder.get(reverse("volunteers:certificate", args=[quals.pk])).status_code == 200
    other = Client()
    other.force_login(network["sh_intake"])
    assert other.get(reverse("volunteers:certificate", args=[quals.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="evidence.download").count() == 2
    # Removing from the roster page.
    response = client.post(reverse("volunteers:qualification_delete", args=[quals.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("training:roster", args=["sh"])


def test_roster_query_count_is_constant(network: dict[str, Any]) -> None:
    sh, director = network["shanghai"], network["sh_director"]
    url = reverse("training:roster", args=["sh"])
    client = Client()
    client.force_login(director)

    def add_people(n: int) -> None:
        for _ in range(n):
            person = staff(sh, Role.HANDLER)
            services.qualification_add(centre=sh, actor=director, data=qualification(person))
            services.qualification_add(centre=sh, actor=director, data=qualification(person, kind="examiner"))
            make_registration(ApplicantFactory(), sh, director)

    add_people(1)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_people(20)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries) <= 14
    assert page.count('<div class="qualification') == 42 and page.count("审查员经历") == 21


def test_qualification_page_bad_input_and_saving(network: dict[str, Any]) -> None:
    client = Client()
    client.force_login(network["sh_director"])
    url = reverse("volunteers:qualification_new", args=["sh"])
    page = client.get(url).content.decode()
    assert network["sh_handler"].display_name in page
    response = client.post(url, {"user": str(network["zj_intake"].pk), "kind": "lawyer"})
    assert response.status_code == 400
    form = {"user": str(network["sh_handler"].pk), "kind": "trademark_attorney", "valid_until": "2030-06-30"}
    response = client.post(url, {**form, "certificate": pdf_upload("商标代理证.pdf")})
    assert response.status_code == 302
    saved = StaffQualification.objects.get()
    assert saved.valid_until == dt.date(2030, 6, 30) and saved.certificate is not None
