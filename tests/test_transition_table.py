"""Walk the declared transition table: every action from every state either works or is refused with a reason."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import ApplicantFactory, make_case
from weiyuan.cases import services
from weiyuan.cases.models import Case, CaseState
from weiyuan.cases.transitions import TRANSITIONS, TRANSITIONS_BY_ACTION, TransitionRefused, allowed_transitions

# How to drive a case into each state from a fresh draft (actor keys refer to the `network` fixture).
PATHS: dict[str, list[str]] = {
    CaseState.DRAFT: [],
    CaseState.SUBMITTED: ["submit"],
    CaseState.INFO_REQUESTED: ["submit", "request_info"],
    CaseState.ACCEPTED: ["submit", "accept"],
    CaseState.REJECTED: ["submit", "reject"],
    CaseState.ASSIGNED: ["submit", "accept", "assign"],
    CaseState.IN_HANDLING: ["submit", "accept", "assign", "start"],
    CaseState.CONCLUDED: ["submit", "accept", "assign", "start", "conclude"],
    CaseState.CLOSED: ["submit", "accept", "assign", "start", "conclude", "close"],
    CaseState.REOPENED: ["submit", "accept", "assign", "start", "conclude", "reopen"],
    CaseState.WITHDRAWN: ["withdraw"],
    CaseState.TRANSFERRED: ["submit", "transfer"],
}


def run_action(case: Case, action: str, ctx: dict[str, Any]) -> Case:
    """Perform one action with the actor and input it needs."""
    n = ctx
    applicant = ctx["applicant"]
    if case.state == CaseState.TRANSFERRED or (action == "receive_transfer"):
        officer, director = n["zj_intake"], n["zj_director"]
    else:
        officer, director = n["sh_intake"], n["sh_director"]
    handler = n["sh_handler"]
    match action:
        case "submit":
            return services.case_submit(case=case, actor=applicant)
        case "request_info":
            return services.case_request_info(case=case, actor=officer, request_text="请补充授权委托书。")
        case "answer_info":
            return services.case_answer_info(case=case, actor=applicant, answer_text="已补充。")
        case "accept":
            return services.case_accept(case=case, actor=officer)
        case "reject":
            return services.case_reject(
                case=case, actor=officer, reason="no_evidence", text="缺少证据。", fix="请补充购买公证。"
            )
        case "assign":
            return services.case_assign(case=case, actor=director, handler=handler)
        case "start":
            return services.case_start(case=case, actor=handler)
        case "conclude":
            return services.case_conclude(
                case=case, actor=handler, outcome="advice_given", result_letter="已就维权途径给出书面指导意见。"
            )
        case "close":
            return services.case_close(case=case, actor=director)
        case "reopen":
            return services.case_reopen(case=case, actor=director, reason="申请人提供了新证据。")
        case "withdraw":
            return services.case_withdraw(case=case, actor=applicant, reason="已和解。")
        case "transfer":
            return services.case_transfer(case=case, actor=officer, target=n["zhejiang"], reason="被请求人在浙江。")
        case "receive_transfer":
            return services.case_receive_transfer(case=case, actor=officer)
    raise AssertionError(action)


def case_in_state(state: str, ctx: dict[str, Any]) -> Case:
    case = make_case(ctx["shanghai"], ctx["applicant"], submit=False)
    for action in PATHS[state]:
        case = run_action(case, action, ctx)
    assert case.state == state
    return case


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(PATHS))
def test_every_action_from_every_state(network: dict[str, Any], state: str) -> None:
    ctx = {**network, "applicant": ApplicantFactory()}
    for transition in TRANSITIONS:
        case = case_in_state(state, ctx)
        if state in transition.sources:
            after = run_action(case, transition.action, ctx)
            assert after.state == transition.target_for(after) or after.state != state
            assert after.events.filter(action=transition.action).exists()
        else:
            with pytest.raises(TransitionRefused) as refused:
                run_action(case, transition.action, ctx)
            assert refused.value.reason
            assert Case.objects_unscoped.get(pk=case.pk).state == state


@pytest.mark.django_db
def test_receive_transfer_returns_to_examination_or_accepted(network: dict[str, Any]) -> None:
    ctx = {**network, "applicant": ApplicantFactory()}
    before_acceptance = case_in_state(CaseState.TRANSFERRED, ctx)
    assert run_action(before_acceptance, "receive_transfer", ctx).state == CaseState.SUBMITTED
    accepted = case_in_state(CaseState.ACCEPTED, ctx)
    accepted = services.case_transfer(
        case=accepted, actor=network["sh_intake"], target=network["zhejiang"], reason="管辖"
    )
    assert accepted.centre_id == network["zhejiang"].pk
    assert run_action(accepted, "receive_transfer", ctx).state == CaseState.ACCEPTED


@pytest.mark.django_db
def test_allowed_transitions_follow_the_table_and_the_role(network: dict[str, Any]) -> None:
    ctx = {**network, "applicant": ApplicantFactory()}
    case = case_in_state(CaseState.SUBMITTED, ctx)
    officer_actions = {t.action for t in allowed_transitions(case, network["sh_intake"])}
    assert officer_actions == {"request_info", "accept", "reject", "transfer"}
    assert {t.action for t in allowed_transitions(case, ctx["applicant"])} == {"withdraw"}
    assert allowed_transitions(case, network["sh_supervisor"]) == []
    assert allowed_transitions(case, network["zj_director"]) == []


@pytest.mark.django_db
def test_refusals_carry_status_and_reason(network: dict[str, Any]) -> None:
    ctx = {**network, "applicant": ApplicantFactory()}
    case = case_in_state(CaseState.SUBMITTED, ctx)
    with pytest.raises(TransitionRefused) as wrong_role:
        services.case_accept(case=case, actor=ctx["applicant"])
    assert wrong_role.value.status == 403
    with pytest.raises(TransitionRefused) as wrong_state:
        services.case_start(case=case, actor=network["sh_handler"])
    assert wrong_state.value.status in (403, 409)
    assert set(TRANSITIONS_BY_ACTION) == {t.action for t in TRANSITIONS}


@pytest.mark.django_db
def test_major_case_needs_the_director(network: dict[str, Any]) -> None:
    # Only centre staff mark a case as major: recorded by the director for a visitor.
    case = make_case(network["shanghai"], network["sh_director"], is_major=True, channel="walk_in")
    with pytest.raises(TransitionRefused) as refused:
        services.case_accept(case=case, actor=network["sh_intake"])
    assert "负责人" in refused.value.reason
    assert services.case_accept(case=case, actor=network["sh_director"]).state == CaseState.ACCEPTED


@pytest.mark.django_db
def test_unfiled_centre_cannot_take_cases(network: dict[str, Any]) -> None:
    shanghai = network["shanghai"]
    case = make_case(shanghai, ApplicantFactory(), submit=False)  # a draft written while the centre was filed
    shanghai.filing_status = "submitted"
    shanghai.save()
    case.centre.refresh_from_db()
    with pytest.raises(TransitionRefused) as refused:
        services.case_submit(case=case, actor=case.applicant_user)
    assert "备案" in refused.value.reason
