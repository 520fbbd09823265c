"""The major mark and the panel's declared table: marking and confirming, a panel only for a major case, at least
three members and a chair, conflicts excluded unless the director overrides them in writing, meetings with
attendance and minutes, views, the sign-off guards, cancelling and dissolving with a reason, audit and notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.experts_support import make_expert
from tests.factories import ApplicantFactory, make_case
from tests.panels_support import (
    expert_account,
    formed_panel,
    held_meeting,
    major_case,
    ready_to_sign,
    seat_experts,
)
from weiyuan.audit.models import AuditEvent
from weiyuan.cases import services as cases
from weiyuan.cases.models import Case
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.experts.models import ExpertConflictOverride
from weiyuan.notifications.models import OutboxMessage
from weiyuan.panels import designation as major
from weiyuan.panels import services as panels
from weiyuan.panels.flow import ACTIVITIES, TRANSITIONS, check_panel_transition
from weiyuan.panels.models import DesignationState, MajorCriterion, PanelState, PanelView

pytestmark = pytest.mark.django_db
S = PanelState


def accepted_case(w: dict[str, Any], **overrides: Any) -> Case:
    case = make_case(w["shanghai"], ApplicantFactory(), **overrides)
    case = cases.case_accept(case=case, actor=w["sh_intake"])
    return cases.case_assign(case=case, actor=w["sh_director"], handler=w["sh_handler"])


# --- the major mark --------------------------------------------------------------------------------------------


def test_criteria_are_seeded_by_migration() -> None:
    rows = {c.code: c for c in MajorCriterion.objects.all()}
    assert set(rows) == {"amount_5m", "party_abroad", "rights_5", "industry_impact"}
    assert rows["amount_5m"].threshold == 5000000 and rows["rights_5"].threshold == 5


def test_staff_propose_and_the_director_confirms(network: dict[str, Any]) -> None:
    w = network
    case = accepted_case(w)
    facts = major.case_facts(case=case, party_abroad=True, abroad_note="被请求人在德国")
    d = major.major_mark(case=case, actor=w["sh_handler"], facts=facts, reason="境外当事人")
    assert d.state == DesignationState.PROPOSED and [m["code"] for m in d.matched] == ["party_abroad"]
    assert d.inputs["party_abroad"] is True and d.inputs["rights_count"] == 1
    case.refresh_from_db()
    assert not case.is_major
    with pytest.raises(TransitionRefused) as refused:
        major.major_confirm(designation=d, actor=w["sh_handler"])
    assert refused.value.status == 403
    major.major_confirm(designation=d, actor=w["sh_director"])
    case.refresh_from_db()
    assert case.is_major
    actions = list(AuditEvent.objects.filter(case_id=case.pk).values_list("action", flat=True))
    assert {"major.mark", "major.confirm", "case.major_flag"} <= set(actions)


def test_marking_needs_a_matching_criterion_and_a_reason(network: dict[str, Any]) -> None:
    w = network
    case = accepted_case(w)
    with pytest.raises(TransitionRefused, match="不符合任何一项"):
        major.major_mark(case=case, actor=w["sh_director"], facts=major.case_facts(case=case), reason="理由充分")
    with pytest.raises(ValidationError) as bad:
        major.major_mark(
            case=case, actor=w["sh_director"], facts=major.case_facts(case=case, amount="6000000"), reason=""
        )
    assert "reason" in bad.value.message_dict
    with pytest.raises(ValidationError) as bad:
        major.case_facts(case=case, amount="abc", industry_impact=True)
    assert set(bad.value.message_dict) == {"amount", "industry_impact_reason"}


def test_other_centre_staff_cannot_mark(network: dict[str, Any]) -> None:
    w = network
    case = accepted_case(w)
    with pytest.raises(TransitionRefused) as refused:
        major.major_mark(
            case=case, actor=w["zj_director"], facts=major.case_facts(case=case, amount="9000000"), reason="金额"
        )
    assert refused.value.status == 403


def test_unmark_with_a_reason_and_not_while_a_panel_works(network: dict[str, Any]) -> None:
    w = network
    case = major_case(w)
    panel = panels.panel_create(case=case, actor=w["sh_handler"], task="会商")
    with pytest.raises(TransitionRefused, match="专家组仍在工作"):
        major.major_unmark(case=case, actor=w["sh_director"], reason="金额核实后不足")
    panels.panel_close(panel=panel, actor=w["sh_handler"], action="cancel", reason="重新评估")
    with pytest.raises(ValidationError):
        major.major_unmark(case=case, actor=w["sh_director"], reason="")
    d = major.major_unmark(case=case, actor=w["sh_director"], reason="金额核实后不足")
    assert d.state == DesignationState.UNMARKED and d.unmark_reason == "金额核实后不足"
    case.refresh_from_db()
    assert not case.is_major


# --- forming the panel -----------------------------------------------------------------------------------------


def test_only_a_major_case_gets_a_panel(network: dict[str, Any]) -> None:
    w = network
    with pytest.raises(TransitionRefused, match="只有重大案件"):
        panels.panel_create(case=accepted_case(w), actor=w["sh_handler"], task="会商")
    case = major_case(w)
    panels.panel_create(case=case, actor=w["sh_handler"], task="会商")
    with pytest.raises(TransitionRefused, match="不能重复组建"):
        panels.panel_create(case=case, actor=w["sh_handler"], task="再次会商")


def test_two_members_cannot_convene(network: dict[str, Any]) -> None:
    w = network
    panel = formed_panel(w, major_case(w), seat_experts(w, 2))
    with pytest.raises(TransitionRefused, match="至少需要 3 名专家"):
        panels.panel_convene(panel=panel, actor=w["sh_handler"])
    third = make_expert(w["sh_director"], w["shanghai"], name="第三位专家")
    panels.panel_member_add(panel=panel, actor=w["sh_handler"], expert=third)
    panel = panels.panel_convene(panel=panel, actor=w["sh_handler"])
    assert panel.state == S.CONVENED


def test_a_chair_is_needed_and_there_is_one(network: dict[str, Any]) -> None:
    w = network
    panel = panels.panel_create(case=major_case(w), actor=w["sh_handler"], task="会商")
    members = [panels.panel_member_add(panel=panel, actor=w["sh_handler"], expert=e) for e, _a in seat_experts(w, 3)]
    with pytest.raises(TransitionRefused, match="组长"):
        panels.panel_convene(panel=panel, actor=w["sh_handler"])
    panels.panel_chair_set(member=members[0], actor=w["sh_handler"])
    panels.panel_chair_set(member=members[1], actor=w["sh_handler"])
    assert list(panel.members.filter(is_chair=True)) == [members[1]]


def test_a_conflicted_expert_is_excluded(network: dict[str, Any]) -> None:
    w = network
    case = major_case(w)
    panel = panels.panel_create(case=case, actor=w["sh_handler"], task="会商")
    conflicted = make_expert(w["sh_director"], w["shanghai"], name="冲突专家", organisation_name=case.respondent_name)
    with pytest.raises(TransitionRefused, match="利益冲突"):
        panels.panel_member_add(panel=panel, actor=w["sh_handler"], expert=conflicted)
    # A handler cannot override, even with a reason.
    with pytest.raises(TransitionRefused) as refused:
        panels.panel_member_add(
            panel=panel, actor=w["sh_handler"], expert=conflicted, override_reason="该专家已离职多年，不影响判断"
        )
    assert refused.value.status == 403
    assert not panel.members.exists()


def test_the_director_overrides_only_with_a_written_reason(network: dict[str, Any]) -> None:
    w = network
    case = major_case(w)
    panel = panels.panel_create(case=case, actor=w["sh_handler"], task="会商")
    conflicted = make_expert(w["sh_director"], w["shanghai"], name="冲突专家", organisation_name=case.respondent_name)
    with pytest.raises(ValidationError) as bad:
        panels.panel_member_add(panel=panel, actor=w["sh_director"], expert=conflicted, override_reason="短")
    assert "reason" in bad.value.message_dict
    member = panels.panel_member_add(
        panel=panel, actor=w["sh_director"], expert=conflicted, override_reason="该专家已于五年前离职，不影响其独立判断"
    )
    assert "名称相同" in member.conflict_overridden
    override = ExpertConflictOverride.objects.get(case=case, expert=conflicted)
    assert override.decided_by == w["sh_director"]
    actions = set(AuditEvent.objects.filter(case_id=case.pk).values_list("action", flat=True))
    assert {"expert.conflict_override", "panel.member.add"} <= actions


def test_removing_below_three_is_refused_once_convened(network: dict[str, Any]) -> None:
    w = network
    panel = formed_panel(w, major_case(w), seat_experts(w, 3))
    panel = panels.panel_convene(panel=panel, actor=w["sh_handler"])
    member = panel.members.last()
    with pytest.raises(TransitionRefused, match="不能少于 3 名"):
        panels.panel_member_remove(member=member, actor=w["sh_handler"])


def test_convening_notifies_members_with_accounts(network: dict[str, Any]) -> None:
    w = network
    seats = seat_experts(w, 3, with_accounts=2)
    panel = formed_panel(w, major_case(w), seats)
    panels.panel_convene(panel=panel, actor=w["sh_handler"])
    notified = set(OutboxMessage.objects.filter(kind="panel.invited").values_list("recipient_id", flat=True))
    assert notified == {seats[0][1].pk, seats[1][1].pk}
    panels.meeting_schedule(
        panel=panel,
        actor=w["sh_handler"],
        scheduled_at=timezone.now() + dt.timedelta(days=3),
        place="",
        online_link="https://meeting.example.cn/abc",
        agenda="讨论",
    )
    assert OutboxMessage.objects.filter(kind="panel.meeting").values("recipient_id").distinct().count() == 2


def test_meeting_input_is_checked(network: dict[str, Any]) -> None:
    w = network
    panel = formed_panel(w, major_case(w), seat_experts(w, 3))
    with pytest.raises(TransitionRefused, match="不能安排会商"):
        panels.meeting_schedule(
            panel=panel,
            actor=w["sh_handler"],
            scheduled_at=timezone.now(),
            place="会议室",
            online_link="",
            agenda="议程",
        )
    panel = panels.panel_convene(panel=panel, actor=w["sh_handler"])
    with pytest.raises(ValidationError) as bad:
        panels.meeting_schedule(
            panel=panel, actor=w["sh_handler"], scheduled_at=None, place="", online_link="", agenda=""
        )
    assert set(bad.value.message_dict) == {"scheduled_at", "place", "agenda"}


def test_recording_a_meeting_needs_every_attendance_and_minutes(network: dict[str, Any]) -> None:
    w = network
    panel = formed_panel(w, major_case(w), seat_experts(w, 3))
    panel = panels.panel_convene(panel=panel, actor=w["sh_handler"])
    meeting = panels.meeting_schedule(
        panel=panel, actor=w["sh_handler"], scheduled_at=timezone.now(), place="会议室", online_link="", agenda="议程"
    )
    first = panel.members.first()
    with pytest.raises(ValidationError) as bad:
        panels.meeting_record(meeting=meeting, actor=w["sh_handler"], attendance={first.pk: "present"}, minutes="")
    assert "minutes" in bad.value.message_dict and len(bad.value.message_dict) == 3
    held_meeting(w, panel)
    panel.refresh_from_db()
    assert panel.state == S.MEETING_HELD


def test_staff_record_views_on_behalf_but_do_not_overwrite_the_experts_own(network: dict[str, Any]) -> None:
    w = network
    seats = seat_experts(w, 3, with_accounts=1)
    panel = panels.panel_convene(panel=formed_panel(w, major_case(w), seats), actor=w["sh_handler"])
    held_meeting(w, panel)
    chair = panel.members.get(is_chair=True)
    other = panel.members.exclude(pk=chair.pk).first()
    view = panels.view_write(member=other, actor=w["sh_handler"], text="电话中口述：建议调解。")
    assert view.on_behalf and view.written_by == w["sh_handler"]
    own = panels.view_write(member=chair, actor=seats[0][1], text="本人意见：建议调解。")
    assert not own.on_behalf
    with pytest.raises(TransitionRefused, match="专家本人撰写"):
        panels.view_write(member=chair, actor=w["sh_handler"], text="改写")
    # Another member's account may not write the chair's view; an expert of no panel does not see it at all.
    stranger = expert_account()
    with pytest.raises(TransitionRefused) as refused:
        panels.view_write(member=other, actor=stranger, text="冒名")
    assert refused.value.status == 404


# --- the sign-off ----------------------------------------------------------------------------------------------


def test_sign_off_is_refused_without_minutes(network: dict[str, Any]) -> None:
    w = network
    panel = ready_to_sign(w)
    meeting = panel.meetings.get()
    type(meeting).objects.filter(pk=meeting.pk).update(minutes="")
    with pytest.raises(TransitionRefused, match="会议纪要"):
        panels.solution_sign(panel=panel, actor=w["sh_director"])


def test_sign_off_is_refused_without_the_view_of_a_present_member(network: dict[str, Any]) -> None:
    w = network
    panel = ready_to_sign(w)
    missing = panel.members.exclude(is_chair=True).first()
    PanelView.objects.filter(member=missing).delete()
    with pytest.raises(TransitionRefused, match=missing.expert.name):
        panels.solution_sign(panel=panel, actor=w["sh_director"])


def test_an_absent_member_needs_no_view(network: dict[str, Any]) -> None:
    w = network
    case = major_case(w)
    panel = panels.panel_convene(panel=formed_panel(w, case, seat_experts(w, 3)), actor=w["sh_handler"])
    held_meeting(w, panel, ["present", "present", "excused"])
    for member in panel.members.order_by("added_at", "id")[:2]:
        panels.view_write(member=member, actor=w["sh_handler"], text="意见")
    panels.solution_draft(panel=panel, actor=w["sh_handler"], facts="", issues="", solution="调解", recommendations="")
    panel = panels.solution_sign(panel=panel, actor=w["sh_director"])
    assert panel.state == S.SIGNED


def test_sign_off_is_for_the_director_only_and_needs_a_solution(network: dict[str, Any]) -> None:
    w = network
    panel = ready_to_sign(w)
    with pytest.raises(TransitionRefused) as refused:
        panels.solution_sign(panel=panel, actor=w["sh_handler"])
    assert refused.value.status == 403
    with pytest.raises(ValidationError) as bad:
        panels.solution_draft(
            panel=panel, actor=w["sh_handler"], facts="", issues="", solution="  ", recommendations=""
        )
    assert "solution_text" in bad.value.message_dict


def test_draft_before_a_meeting_is_refused(network: dict[str, Any]) -> None:
    w = network
    panel = panels.panel_convene(panel=formed_panel(w, major_case(w), seat_experts(w, 3)), actor=w["sh_handler"])
    with pytest.raises(TransitionRefused, match="不能执行「起草解决方案」"):
        panels.solution_draft(
            panel=panel, actor=w["sh_handler"], facts="", issues="", solution="方案", recommendations=""
        )


def test_signing_stores_the_pdf_and_notifies(network: dict[str, Any]) -> None:
    w = network
    applicant = ApplicantFactory()
    panel = ready_to_sign(w, case=major_case(w, applicant))
    panel = panels.solution_sign(panel=panel, actor=w["sh_director"])
    assert panel.state == S.SIGNED and panel.pdf and len(panel.pdf_sha256) == 64
    assert panel.signed_by == w["sh_director"]
    assert OutboxMessage.objects.filter(kind="panel.signed", recipient=applicant).exists()
    event = AuditEvent.objects.get(action="panel.sign")
    assert event.after["pdf_sha256"] == panel.pdf_sha256
    with pytest.raises(TransitionRefused, match="已签发"):
        panels.panel_close(panel=panel, actor=w["sh_director"], action="dissolve", reason="不再需要")


def test_cancel_and_dissolve_need_a_reason_and_the_right_person(network: dict[str, Any]) -> None:
    w = network
    panel = formed_panel(w, major_case(w), seat_experts(w, 3))
    panel = panels.panel_convene(panel=panel, actor=w["sh_handler"])
    with pytest.raises(TransitionRefused) as refused:
        panels.panel_close(panel=panel, actor=w["sh_handler"], action="dissolve", reason="当事人已和解")
    assert refused.value.status == 403
    with pytest.raises(ValidationError):
        panels.panel_close(panel=panel, actor=w["sh_director"], action="dissolve", reason="")
    panel = panels.panel_close(panel=panel, actor=w["sh_director"], action="dissolve", reason="当事人已和解")
    assert panel.state == S.DISSOLVED and panel.close_reason == "当事人已和解"
    assert OutboxMessage.objects.filter(kind="panel.closed").exists()


def test_every_action_from_every_state(network: dict[str, Any]) -> None:
    """Walk the table: in each state, the actions declared from it pass the state check; the rest are refused
    with the state named (guards aside)."""
    w = network
    panel = panels.panel_create(case=major_case(w), actor=w["sh_handler"], task="会商")
    director = w["sh_director"]
    for state in S.values:
        panel.state = state
        for t in TRANSITIONS:
            try:
                check_panel_transition(panel, t.action, director)
            except TransitionRefused as exc:
                if state in t.sources:
                    assert "当前状态" not in exc.reason, (state, t.action, exc.reason)
                else:
                    assert "当前状态" in exc.reason, (state, t.action)
            else:
                assert state in t.sources, (state, t.action)
    assert {"members", "schedule", "view_own", "view_record"} == set(ACTIVITIES)
