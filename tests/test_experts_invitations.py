"""Inviting experts to a case: the transition table (every action from every state), the response deadline on the
working-day calendar and the sweep that reminds and expires, the confidentiality undertaking required before
accepting, the assignment opened on acceptance, conflicts, bad input, notices to both sides, and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.experts_support import make_expert
from tests.factories import ApplicantFactory, UserFactory, make_case
from weiyuan.access.policy import Relation, case_relations
from weiyuan.accounts.models import Membership
from weiyuan.audit.models import AuditEvent
from weiyuan.cases import services as cases
from weiyuan.cases.models import Case, CaseAssignment
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.calendar import WorkingCalendar
from weiyuan.clocks.rules import CHINA_TZ, END_OF_DAY, RULES
from weiyuan.clocks.services import sweep_clocks
from weiyuan.core.choices import Role
from weiyuan.experts import invitations as inv
from weiyuan.experts.invitation_flow import TRANSITIONS, allowed_invitation_actions, check_invitation_transition
from weiyuan.experts.models import ExpertConflictOverride, ExpertInvitation, ExpertUndertaking, InvitationState
from weiyuan.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
S = InvitationState


def expert_account() -> Any:
    user = UserFactory()
    Membership.objects.create(user=user, centre=None, role=Role.EXPERT, organisation="某大学")
    return user


@pytest.fixture
def setup(network: dict[str, Any]) -> dict[str, Any]:
    case = make_case(network["shanghai"], ApplicantFactory(), applicant_name="上海云澜智能科技有限公司")
    case = cases.case_accept(case=case, actor=network["sh_intake"])
    case = cases.case_assign(case=case, actor=network["sh_director"], handler=network["sh_handler"])
    account = expert_account()
    expert = make_expert(network["sh_director"], network["shanghai"], name="受邀专家", user_email=account.email)
    return {**network, "case": case, "account": account, "expert": expert}


def invite(s: dict[str, Any], **kwargs: Any) -> ExpertInvitation:
    kwargs.setdefault("task", "就商标近似性出具书面意见")
    return inv.invitation_create(case=s["case"], expert=s["expert"], actor=s["sh_handler"], **kwargs)


def undertake(s: dict[str, Any], invitation: ExpertInvitation) -> ExpertUndertaking:
    return inv.invitation_undertake(
        invitation=invitation, actor=s["account"], version=inv.current_undertaking_text().version
    )


def outbox(kind: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=kind, channel="in_app"))


# --- the transition table -------------------------------------------------------------------------------------

# (action, actor key) -> the states it may start from; "pending*" = only with its guard satisfied.
ACTORS = {"accept": "account", "decline": "account", "withdraw": "sh_handler", "expire": None}


@pytest.mark.parametrize("state", [s.value for s in S])
@pytest.mark.parametrize("action", ["accept", "decline", "withdraw", "expire"])
def test_every_action_from_every_state(setup: dict[str, Any], state: str, action: str) -> None:
    invitation = invite(setup)
    undertake(setup, invitation)
    invitation.state = state  # in memory: the check reads the row as given
    key = ACTORS[action]
    actor = setup[key] if key else None
    now = invitation.due_at + dt.timedelta(seconds=1) if action == "expire" else timezone.now()
    if state == S.PENDING:
        assert check_invitation_transition(invitation, action, actor, now=now).to_state != S.PENDING
    else:
        with pytest.raises(TransitionRefused) as refused:
            check_invitation_transition(invitation, action, actor, now=now)
        assert refused.value.status == 409 and "不能执行" in refused.value.reason


def test_the_table_covers_every_way_out_of_pending_and_only_those() -> None:
    assert {(t.action, t.from_states, t.to_state) for t in TRANSITIONS} == {
        ("accept", (S.PENDING,), S.ACCEPTED),
        ("decline", (S.PENDING,), S.DECLINED),
        ("withdraw", (S.PENDING,), S.WITHDRAWN),
        ("expire", (S.PENDING,), S.EXPIRED),
    }


def test_who_may_take_which_action(setup: dict[str, Any]) -> None:
    invitation = invite(setup)
    undertake(setup, invitation)
    assert {t.action for t in allowed_invitation_actions(invitation, setup["account"])} == {"accept", "decline"}
    assert {t.action for t in allowed_invitation_actions(invitation, setup["sh_handler"])} == {"withdraw"}
    assert {t.action for t in allowed_invitation_actions(invitation, setup["sh_intake"])} == {"withdraw"}
    assert allowed_invitation_actions(invitation, None) == []  # not due yet
    later = invitation.due_at + dt.timedelta(seconds=1)
    assert [t.action for t in allowed_invitation_actions(invitation, None, now=later)] == ["expire"]
    # The invitee may not withdraw (403), the staff may not accept (403), an unrelated user does not see it (404).
    for actor, action, status in (
        (setup["account"], "withdraw", 403),
        (setup["sh_handler"], "accept", 403),
        (setup["zj_director"], "withdraw", 404),
        (expert_account(), "accept", 404),
        (setup["sh_supervisor"], "withdraw", 404),
    ):
        with pytest.raises(TransitionRefused) as refused:
            check_invitation_transition(invitation, action, actor)
        assert refused.value.status == status, (actor, action)


# --- inviting --------------------------------------------------------------------------------------------------


def test_invite_stores_a_due_date_three_working_days_ahead_audits_and_notifies(setup: dict[str, Any]) -> None:
    invitation = invite(setup)
    assert RULES["expert_invitation"].amount == 3 and invitation.response_days == 3
    today = invitation.created_at.astimezone(CHINA_TZ).date()
    last_day = WorkingCalendar().add_working_days(today, 3)
    assert invitation.due_at == dt.datetime.combine(last_day, END_OF_DAY, tzinfo=CHINA_TZ)
    assert invitation.state == S.PENDING and invitation.user == setup["account"]
    event = AuditEvent.objects.get(action="expert.invitation.create")
    assert event.case_id == setup["case"].pk and event.after["response_days"] == 3
    (notice,) = outbox("expert_invitation.created")
    assert notice.recipient == setup["account"] and f"/experts/invitations/{invitation.pk}/" == notice.url
    five = inv.invitation_create(
        case=setup["case"],
        expert=make_expert(setup["sh_director"], setup["shanghai"], user_email=expert_account().email),
        actor=setup["sh_director"],
        task="任务",
        response_days=5,
    )
    assert five.due_at.astimezone(CHINA_TZ).date() == WorkingCalendar().add_working_days(today, 5)


def test_bad_input_names_the_field_and_saves_nothing(setup: dict[str, Any]) -> None:
    for kwargs, field in (
        ({"task": "  "}, "task"),
        ({"task": "x" * 2001}, "task"),
        ({"response_days": 0}, "response_days"),
        ({"response_days": 16}, "response_days"),
    ):
        with pytest.raises(ValidationError) as exc:
            invite(setup, **kwargs)
        assert field in exc.value.message_dict
    unlinked = make_expert(setup["sh_director"], setup["shanghai"])
    with pytest.raises(ValidationError) as exc:
        inv.invitation_create(case=setup["case"], expert=unlinked, actor=setup["sh_handler"], task="任务")
    assert "关联其账户" in exc.value.message_dict["expert"][0]
    assert not ExpertInvitation.objects.exists()
    assert not OutboxMessage.objects.filter(kind__startswith="expert_invitation").exists()


def test_only_the_case_s_own_staff_invite_and_only_on_an_accepted_open_case(setup: dict[str, Any]) -> None:
    for actor in (setup["zj_director"], setup["sh_supervisor"], setup["account"]):
        with pytest.raises(TransitionRefused) as refused:
            inv.invitation_create(case=setup["case"], expert=setup["expert"], actor=actor, task="任务")
        assert refused.value.status == 403
    submitted = make_case(setup["shanghai"], ApplicantFactory())
    with pytest.raises(TransitionRefused) as refused:
        inv.invitation_create(case=submitted, expert=setup["expert"], actor=setup["sh_intake"], task="任务")
    assert refused.value.status == 409 and "已受理" in refused.value.reason


def test_a_conflicted_expert_is_invited_only_after_the_director_s_override(setup: dict[str, Any]) -> None:
    conflicted = make_expert(
        setup["sh_director"],
        setup["shanghai"],
        organisation_name="上海云澜智能科技有限公司",
        user_email=expert_account().email,
    )
    with pytest.raises(TransitionRefused) as refused:
        inv.invitation_create(case=setup["case"], expert=conflicted, actor=setup["sh_handler"], task="任务")
    assert "利益冲突" in refused.value.reason and "名称相同" in refused.value.reason
    ExpertConflictOverride.objects.create(
        case=setup["case"], expert=conflicted, conflict="名称相同", reason="已离职多年", decided_by=setup["sh_director"]
    )
    assert inv.invitation_create(case=setup["case"], expert=conflicted, actor=setup["sh_handler"], task="任务").pk


def test_no_second_open_invitation_but_a_new_one_after_a_decline(setup: dict[str, Any]) -> None:
    first = invite(setup)
    with pytest.raises(TransitionRefused) as refused:
        invite(setup)
    assert "不能重复邀请" in refused.value.reason
    inv.invitation_decline(invitation=first, actor=setup["account"], reason="近期出差")
    assert invite(setup).state == S.PENDING


# --- the undertaking, accepting, declining, withdrawing -------------------------------------------------------


def test_accepting_requires_the_undertaking_first_then_opens_the_task(setup: dict[str, Any]) -> None:
    invitation = invite(setup)
    with pytest.raises(TransitionRefused) as refused:
        inv.invitation_accept(invitation=invitation, actor=setup["account"])
    assert "保密承诺" in refused.value.reason and refused.value.status == 409
    assert not CaseAssignment.objects.filter(case=setup["case"]).exists()
    with pytest.raises(TransitionRefused):  # a stale version of the text
        inv.invitation_undertake(invitation=invitation, actor=setup["account"], version=0)
    with pytest.raises(TransitionRefused) as refused:  # staff cannot sign for the expert
        inv.invitation_undertake(invitation=invitation, actor=setup["sh_handler"], version=1)
    assert refused.value.status == 403
    undertaking = undertake(setup, invitation)
    assert undertaking.user == setup["account"] and undertaking.text_version == 1
    assert len(undertaking.text_sha256) == 64 and undertaking.accepted_at is not None
    assert AuditEvent.objects.get(action="expert.undertaking.accept").after["text_version"] == 1
    assert undertake(setup, invitation).pk == undertaking.pk  # once per invitation

    assert Relation.EXPERT not in case_relations(setup["account"], setup["case"])
    accepted = inv.invitation_accept(invitation=invitation, actor=setup["account"])
    assert accepted.state == S.ACCEPTED and accepted.decided_by == setup["account"]
    task = accepted.assignment
    assert task is not None and task.kind == "expert" and task.user == setup["account"] and task.ended_at is None
    assert task.task == invitation.task
    fresh_case = Case.objects_unscoped.get(pk=setup["case"].pk)  # relations are cached per case object
    assert Relation.EXPERT in case_relations(setup["account"], fresh_case)
    assert AuditEvent.objects.filter(action="expert.invitation.accept").count() == 1
    assert {m.recipient for m in outbox("expert_invitation.accepted")} == {setup["sh_handler"]}


def test_decline_needs_a_reason_and_tells_the_staff(setup: dict[str, Any]) -> None:
    invitation = invite(setup, task="任务")
    with pytest.raises(ValidationError) as exc:
        inv.invitation_decline(invitation=invitation, actor=setup["account"], reason=" ")
    assert "reason" in exc.value.message_dict
    invitation.refresh_from_db()
    assert invitation.state == S.PENDING
    declined = inv.invitation_decline(invitation=invitation, actor=setup["account"], reason="与本人专业不符")
    assert declined.state == S.DECLINED and declined.reason == "与本人专业不符"
    (notice,) = outbox("expert_invitation.declined")
    assert notice.recipient == setup["sh_handler"] and "与本人专业不符" in notice.body
    with pytest.raises(TransitionRefused):
        inv.invitation_accept(invitation=declined, actor=setup["account"])


def test_withdraw_by_staff_tells_the_expert(setup: dict[str, Any]) -> None:
    invitation = invite(setup)
    withdrawn = inv.invitation_withdraw(invitation=invitation, actor=setup["sh_director"], reason="案件已和解")
    assert withdrawn.state == S.WITHDRAWN
    assert [m.recipient for m in outbox("expert_invitation.withdrawn")] == [setup["account"]]
    assert AuditEvent.objects.filter(action="expert.invitation.withdraw").exists()


# --- the deadline sweep ---------------------------------------------------------------------------------------


def test_the_clock_sweep_reminds_once_then_expires_and_the_expert_cannot_accept_late(setup: dict[str, Any]) -> None:
    invitation = invite(setup)
    undertake(setup, invitation)
    assert sweep_clocks(now=invitation.created_at) == {"due_soon": 0, "overdue": 0, "escalated": 0}
    day_before = invitation.due_at - dt.timedelta(hours=20)
    counts = sweep_clocks(now=day_before)
    assert counts["invitations_reminded"] == 1 and "invitations_expired" not in counts
    assert "invitations_reminded" not in sweep_clocks(now=day_before)  # once
    assert [m.recipient for m in outbox("expert_invitation.due_soon")] == [setup["account"]]

    after = invitation.due_at + dt.timedelta(minutes=1)
    assert sweep_clocks(now=after)["invitations_expired"] == 1
    assert "invitations_expired" not in sweep_clocks(now=after)  # idempotent
    invitation.refresh_from_db()
    assert invitation.state == S.EXPIRED and invitation.decided_by is None
    assert {m.recipient for m in outbox("expert_invitation.expired")} == {setup["account"], setup["sh_handler"]}
    assert AuditEvent.objects.filter(action="expert.invitation.expire", actor__isnull=True).exists()
    with pytest.raises(TransitionRefused):
        inv.invitation_accept(invitation=invitation, actor=setup["account"])
    assert invite(setup).state == S.PENDING  # the next invitation may go out


def test_accepting_after_the_due_time_is_refused_even_before_the_sweep(setup: dict[str, Any]) -> None:
    invitation = invite(setup)
    undertake(setup, invitation)
    ExpertInvitation.objects.filter(pk=invitation.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    invitation.refresh_from_db()
    with pytest.raises(TransitionRefused) as refused:
        inv.invitation_accept(invitation=invitation, actor=setup["account"])
    assert "答复期限已过" in refused.value.reason


# --- the pages ------------------------------------------------------------------------------------------------


def client(user: Any, language: str = "zh-hans") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = language
    return c


def test_the_whole_flow_through_the_pages(setup: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    number = setup["case"].tracking_number
    staff = client(setup["sh_handler"])
    page = staff.get(f"/cases/{number}/experts/").content.decode()
    assert f"/cases/{number}/experts/{setup['expert'].pk}/invite/" in page
    form = staff.get(f"/cases/{number}/experts/{setup['expert'].pk}/invite/").content.decode()
    assert 'value="3"' in form
    bad = staff.post(f"/cases/{number}/experts/{setup['expert'].pk}/invite/", {"task": "", "response_days": "3"})
    assert bad.status_code == 200 and "任务说明" in bad.content.decode()
    done = staff.post(
        f"/cases/{number}/experts/{setup['expert'].pk}/invite/", {"task": "比对技术特征", "response_days": "3"}
    )
    assert done.status_code == 302
    invitation = ExpertInvitation.objects.get()
    assert "待答复" in staff.get(f"/cases/{number}/experts/").content.decode()

    expert = client(setup["account"])
    with django_assert_max_num_queries(12):
        queue = expert.get("/experts/invitations/")
    assert number in queue.content.decode()
    detail = expert.get(f"/experts/invitations/{invitation.pk}/").content.decode()
    assert "专家保密承诺书" in detail and "接受邀请" not in detail.split("专家保密承诺书")[1].split("</section>")[1]
    assert expert.post(f"/experts/invitations/{invitation.pk}/accept/").status_code == 409
    assert expert.post(f"/experts/invitations/{invitation.pk}/undertake/", {"version": "1"}).status_code == 400
    assert (
        expert.post(f"/experts/invitations/{invitation.pk}/undertake/", {"version": "1", "agree": "on"}).status_code
        == 302
    )
    detail = expert.get(f"/experts/invitations/{invitation.pk}/").content.decode()
    assert "已于" in detail and "接受邀请" in detail
    assert expert.post(f"/experts/invitations/{invitation.pk}/accept/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == S.ACCEPTED and invitation.assignment is not None
    # Staff may not answer; another expert does not see it.
    assert staff.post(f"/experts/invitations/{invitation.pk}/decline/", {"reason": "xx"}).status_code == 403
    assert client(expert_account()).get(f"/experts/invitations/{invitation.pk}/").status_code == 404


def test_decline_page_names_the_missing_reason(setup: dict[str, Any]) -> None:
    invitation = invite(setup)
    expert = client(setup["account"])
    bad = expert.post(f"/experts/invitations/{invitation.pk}/decline/", {"reason": ""})
    assert bad.status_code == 400 and "理由" in bad.content.decode()
    assert expert.post(f"/experts/invitations/{invitation.pk}/decline/", {"reason": "没有时间"}).status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == S.DECLINED


def test_invitation_pages_in_english_use_english_punctuation(setup: dict[str, Any]) -> None:
    """The marks joining labels to data follow the language (the new labels themselves await translation)."""
    invitation = invite(setup, task="比对技术特征")
    expert = client(setup["account"], "en")
    detail = " ".join(expert.get(f"/experts/invitations/{invitation.pk}/").content.decode().split())
    assert "Expert: 受邀专家" in detail and " (3 " in detail and "（3" not in detail
    staff = client(setup["sh_handler"], "en")
    number = setup["case"].tracking_number
    form = " ".join(staff.get(f"/cases/{number}/experts/{setup['expert'].pk}/invite/").content.decode().split())
    assert "Expert: 受邀专家" in form and "受邀专家 (" in form
    zh = " ".join(
        client(setup["sh_handler"])
        .get(f"/cases/{number}/experts/{setup['expert'].pk}/invite/")
        .content.decode()
        .split()
    )
    assert "专家：受邀专家（" in zh
