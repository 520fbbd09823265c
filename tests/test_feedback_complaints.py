"""Opinions and complaints about a centre's service: filed by the applicant of a case there, handled by the parent
level with a stored reply due date in working days, the declared table walked (every action from every state), a
reply after closing refused, the overdue reminder swept once, and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import ApplicantFactory, make_case, staff
from tests.feedback_support import client_of, concluded_case
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.calendar import WorkingCalendar
from weiyuan.clocks.rules import CHINA_TZ
from weiyuan.core.choices import Role
from weiyuan.feedback import services
from weiyuan.feedback.flow import TRANSITIONS, allowed_complaint_actions, check_complaint_transition
from weiyuan.feedback.models import ComplaintState, ServiceComplaint
from weiyuan.feedback.sweep import sweep_feedback
from weiyuan.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
S = ComplaintState
BODY = "工作站电话多次无人接听，提交材料后一周没有任何回复。"


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    w = dict(network)
    w["applicant"] = ApplicantFactory()
    w["case"] = concluded_case(network, w["applicant"])  # at the Shanghai centre, whose parent is the national centre
    w["national_director"] = staff(network["national"], Role.DIRECTOR)
    return w


def file(w: dict[str, Any], **changes: Any) -> ServiceComplaint:
    data = {"kind": "complaint", "subject": "接待不及时", "body": BODY, **changes}
    return services.complaint_file(case=w["case"], actor=w["applicant"], **data)


def test_filed_with_the_parent_level_and_a_working_day_due_date(w):
    complaint = file(w)
    assert complaint.centre == w["shanghai"] and complaint.handling_centre == w["national"]
    assert complaint.state == S.FILED
    expected = WorkingCalendar().add_working_days(complaint.filed_at.astimezone(CHINA_TZ).date(), 15)
    assert complaint.reply_due_at.astimezone(CHINA_TZ).date() == expected
    assert OutboxMessage.objects.filter(recipient=w["national_director"], kind="complaint.filed").exists()
    # The complained-about centre is not told and does not see it.
    assert not OutboxMessage.objects.filter(recipient=w["sh_director"], kind="complaint.filed").exists()
    assert (
        client_of(w["sh_director"]).get(reverse("feedback:complaint", kwargs={"pk": complaint.pk})).status_code == 404
    )
    assert AuditEvent.objects.filter(action="complaint.file", object_id=str(complaint.pk)).count() == 1


def test_a_centre_without_parent_answers_itself(network):
    applicant = ApplicantFactory()
    case = make_case(network["national"], applicant, service_type_code="consultation", rights=[], respondent_name="")
    complaint = services.complaint_file(case=case, actor=applicant, kind="opinion", subject="建议", body=BODY)
    assert complaint.handling_centre == network["national"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "rant"}, "kind"),
        ({"subject": ""}, "subject"),
        ({"body": "太慢"}, "body"),
        ({"body": "x\x00" * 10}, "body"),
    ],
)
def test_bad_input_is_named(w, changes, field):
    with pytest.raises(ValidationError) as err:
        file(w, **changes)
    assert field in err.value.message_dict


def test_only_the_applicant_files(w):
    with pytest.raises(TransitionRefused) as err:
        services.complaint_file(case=w["case"], actor=w["sh_handler"], kind="opinion", subject="建议", body=BODY)
    assert err.value.status == 403
    with pytest.raises(TransitionRefused) as err:
        services.complaint_file(case=w["case"], actor=ApplicantFactory(), kind="opinion", subject="建议", body=BODY)
    assert err.value.status == 404


def test_reply_then_close_and_reply_after_close_is_refused(w):
    complaint = file(w)
    with pytest.raises(ValidationError) as err:
        services.complaint_reply(complaint=complaint, actor=w["national_director"], reply="已阅")
    assert "reply" in err.value.message_dict
    complaint = services.complaint_reply(
        complaint=complaint, actor=w["national_director"], reply="经核查，该工作站人员不足，已责令整改并安排专人回复。"
    )
    assert complaint.state == S.REPLIED and complaint.replied_by == w["national_director"]
    assert OutboxMessage.objects.filter(recipient=w["applicant"], kind="complaint.replied").exists()
    complaint = services.complaint_close(complaint=complaint, actor=w["applicant"], note="满意。")
    assert complaint.state == S.CLOSED
    with pytest.raises(TransitionRefused) as err:
        services.complaint_reply(complaint=complaint, actor=w["national_director"], reply="补充答复内容，供参考。")
    assert err.value.status == 409 and "已办结" in err.value.reason
    assert AuditEvent.objects.filter(object_id=str(complaint.pk), action__startswith="complaint.").count() == 3


def test_every_action_from_every_state(w):
    """Allowed (state, action, actor) combinations work; everything else is refused with a reason."""
    actors = {"reply": "national_director", "close": "applicant", "withdraw": "applicant"}
    for state in S.values:
        for transition in TRANSITIONS:
            complaint = file(w)
            ServiceComplaint.objects.filter(pk=complaint.pk).update(state=state)
            complaint.refresh_from_db()
            actor = w[actors[transition.action]]
            text = "处理意见：已责令整改并专人跟进。"
            if state in transition.from_states:
                done = services.COMPLAINT_ACTIONS[transition.action](complaint, actor, text)
                assert done.state == transition.to_state, (state, transition.action)
            else:
                with pytest.raises(TransitionRefused) as err:
                    services.COMPLAINT_ACTIONS[transition.action](complaint, actor, text)
                assert err.value.status == 409 and err.value.reason, (state, transition.action)
    # And the wrong people: the complainant cannot reply, the director cannot withdraw, an outsider sees nothing.
    complaint = file(w)
    for action, who, status in (
        ("reply", "applicant", 403),
        ("withdraw", "national_director", 403),
        ("reply", "sh_director", 404),
        ("close", "zj_director", 404),
    ):
        with pytest.raises(TransitionRefused) as err:
            check_complaint_transition(complaint, action, w[who])
        assert err.value.status == status, (action, who)
    with pytest.raises(TransitionRefused) as err:
        check_complaint_transition(complaint, "escalate", w["applicant"])
    assert err.value.status == 400
    assert [t.action for t in allowed_complaint_actions(complaint, w["applicant"])] == ["withdraw"]
    assert [t.action for t in allowed_complaint_actions(complaint, w["national_director"])] == ["reply"]
    assert allowed_complaint_actions(complaint, w["national_supervisor"]) == []


def test_overdue_reminder_once_to_the_handling_directors(w):
    complaint = file(w)
    assert sweep_feedback(now=complaint.reply_due_at - dt.timedelta(minutes=1))["complaints_overdue"] == 0
    later = complaint.reply_due_at + dt.timedelta(minutes=1)
    assert sweep_feedback(now=later)["complaints_overdue"] == 1
    assert sweep_feedback(now=later + dt.timedelta(days=3))["complaints_overdue"] == 0
    assert OutboxMessage.objects.filter(recipient=w["national_director"], kind="complaint.overdue").count() >= 1
    replied = services.complaint_reply(
        complaint=file(w), actor=w["national_director"], reply="已核实并答复申请人的意见。"
    )
    assert sweep_feedback(now=replied.reply_due_at + dt.timedelta(days=1))["complaints_overdue"] == 0


def test_pages(w):
    applicant = client_of(w["applicant"])
    new_url = reverse("feedback:complaint_new", kwargs={"tracking_number": w["case"].tracking_number})
    assert applicant.get(new_url).status_code == 200
    assert applicant.post(new_url, {"kind": "complaint", "subject": "", "body": BODY}).status_code == 400
    response = applicant.post(new_url, {"kind": "complaint", "subject": "接待不及时", "body": BODY})
    assert response.status_code == 302
    complaint = ServiceComplaint.objects.get()
    assert client_of(w["sh_handler"]).get(new_url).status_code == 403
    director = client_of(w["national_director"])
    listed = director.get(reverse("feedback:complaints") + "?state=open")
    assert [c.pk for c in listed.context["page"].object_list] == [complaint.pk]
    act = reverse("feedback:complaint_act", kwargs={"pk": complaint.pk, "action": "reply"})
    assert director.post(act, {"text": ""}).status_code == 400
    assert director.post(act, {"text": "已核实并责令整改，感谢您的监督。"}).status_code == 302
    assert director.post(act, {"text": "再次答复的内容。"}).status_code == 409
    page = applicant.get(reverse("feedback:complaint", kwargs={"pk": complaint.pk})).content.decode()
    assert "已核实并责令整改" in page and 'id="complaint-actions"' in page
