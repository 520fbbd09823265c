"""Issue #6 with #8: a trademark complaint at a fair is checked against the register of weiyuan.marks (exists,
owner, classes, status and term) and, when the exhibitor's sign is given, scored by the similarity engine. The
result is recorded and shown to the station's staff and those on duty; it never blocks the filing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.exhibitions_support import fair_world, file_complaint
from tests.marks_support import make_mark
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.exhibitions import complaint_services as cs
from weiyuan.exhibitions.mark_check import registration_key, trademark_check
from weiyuan.marks.models import Mark, MarkStatus

pytestmark = pytest.mark.django_db

OWNER = "上海飞科电器股份有限公司"


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    today = timezone.localdate()
    Mark.objects.bulk_create(
        [
            make_mark("飞科", "12345678", [8, 11], owner=OWNER, expires_on=today + dt.timedelta(days=900)),
            make_mark("飞科", "22222222", [11], owner="另一家电器有限公司", expires_on=today + dt.timedelta(days=900)),
            make_mark("飞科", "33333333", [11], owner=OWNER, expires_on=today - dt.timedelta(days=3)),
            make_mark("飞科", "44444444", [11], owner=OWNER, status=MarkStatus.INVALID),
            make_mark("飞科", "55555555", [11], owner=OWNER, status=MarkStatus.APPLIED, expires_on=None),
        ]
    )
    return fair_world(network)


def tm(w: dict[str, Any], number: str, **extra: Any) -> Any:
    return file_complaint(w, right_type="trademark", right_number=number, right_title="飞科", **extra)


def test_registration_numbers_are_read_as_the_register_spells_them():
    assert registration_key(" 第１２３４５６７８号 ") == "12345678"
    assert registration_key("g 1234") == "G1234"


def test_a_matching_registration_with_a_similar_sign(w: dict[str, Any]) -> None:
    complaint = tm(w, "第12345678号", accused_mark="飞利科")
    assert complaint.mark_check_status == "found"
    check = complaint.mark_check
    assert check["problems"] == [] and check["number"] == "12345678"
    assert check["register"]["owner"] == OWNER and check["register"]["classes"] == [8, 11]
    similarity = check["similarity"]
    assert similarity["registered_mark"] == "飞科" and similarity["accused_mark"] == "飞利科"
    assert 0 < similarity["score"] <= 1 and similarity["reasons"]
    identical = tm(w, "12345678", accused_mark="飞科")
    assert identical.mark_check["similarity"]["identical"] is True
    assert identical.mark_check["similarity"]["score"] == 1.0


@pytest.mark.parametrize(
    ("number", "status", "problems"),
    [
        ("99999999", "not_found", ["not_found"]),
        ("22222222", "owner_differs", ["owner_differs"]),
        ("33333333", "expired", ["expired"]),
        ("44444444", "expired", ["expired"]),
        ("55555555", "not_registered", ["not_registered"]),
    ],
)
def test_each_finding_is_recorded_and_filing_goes_on(w: dict[str, Any], number: str, status: str, problems: list):
    complaint = tm(w, number, accused_mark="FLYCO")
    assert complaint.pk and complaint.state == "filed"  # never blocked by the register
    assert complaint.mark_check_status == status and complaint.mark_check["problems"] == problems


def test_without_the_register_entry_the_sign_is_compared_with_the_named_mark(w: dict[str, Any]) -> None:
    complaint = tm(w, "99999999", accused_mark="飞科")
    assert complaint.mark_check["register"] is None
    assert complaint.mark_check["similarity"]["registered_mark"] == "飞科"


def test_a_sign_of_only_punctuation_has_no_score(w: dict[str, Any]) -> None:
    complaint = tm(w, "12345678", accused_mark="！！")
    assert complaint.mark_check_status == "found" and complaint.mark_check["similarity"] is None


def test_other_rights_are_not_checked_and_take_no_sign(w: dict[str, Any]) -> None:
    design = file_complaint(w)
    assert design.mark_check_status == "" and design.mark_check == {}
    with pytest.raises(ValidationError) as refused:
        file_complaint(w, accused_mark="飞科")
    assert "accused_mark" in refused.value.message_dict
    with pytest.raises(ValidationError) as too_long:
        tm(w, "12345678", accused_mark="飞" * 61)
    assert "accused_mark" in too_long.value.message_dict


def test_the_check_on_the_complaint_date(w: dict[str, Any]) -> None:
    check = trademark_check(
        right_number="33333333",
        right_owner=OWNER,
        right_title="",
        accused_mark="",
        on=timezone.localdate() - dt.timedelta(days=10),
    )
    assert check["status"] == "found" and check["similarity"] is None


def test_the_page_shows_the_check_to_staff_and_duty_only(w: dict[str, Any], client: Any) -> None:
    complaint = tm(w, "22222222", accused_mark="飞利科")
    complaint = cs.complaint_serve(complaint=complaint, actor=w["sh_handler"])
    url = f"/exhibitions/complaints/{complaint.pk}/"
    for user in (w["sh_handler"], w["expert"]):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert 'id="mark-check"' in page and "注册人不一致" in page and "另一家电器有限公司" in page, user
        assert 'id="mark-similarity"' in page
    client.force_login(w["expert"])
    assert "重新核对注册簿" not in client.get(url).content.decode()
    for user in (w["respondent"], w["sh_supervisor"]):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and 'id="mark-check"' not in response.content.decode()


def test_staff_check_again_once_the_register_is_completed(w: dict[str, Any], client: Any) -> None:
    complaint = tm(w, "66666666")
    assert complaint.mark_check_status == "not_found"
    Mark.objects.bulk_create([make_mark("飞科", "66666666", [11], owner=OWNER)])
    client.force_login(w["sh_handler"])
    response = client.post(f"/exhibitions/complaints/{complaint.pk}/mark-check/")
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.mark_check_status == "found" and complaint.state == "filed"
    assert AuditEvent.objects.filter(action="exhibition.complaint_mark_check", object_id=str(complaint.pk)).exists()
    # Not for a design; not for the expert on duty (403); another centre's staff do not see it (404).
    design = file_complaint(w)
    assert client.post(f"/exhibitions/complaints/{design.pk}/mark-check/").status_code == 409
    client.force_login(w["expert"])
    assert client.post(f"/exhibitions/complaints/{complaint.pk}/mark-check/").status_code == 403
    client.force_login(w["zj_director"])
    assert client.post(f"/exhibitions/complaints/{complaint.pk}/mark-check/").status_code == 404
    with pytest.raises(TransitionRefused):
        cs.complaint_mark_recheck(complaint=design, actor=w["sh_handler"])
