from __future__ import annotations

import pytest

from tests.factories import ApplicantFactory, make_case
from weiyuan.access.scoping import UnscopedQueryError
from weiyuan.audit.selectors import BrokenLink, audit_chain_verify
from weiyuan.cases import services
from weiyuan.cases.models import Case, CaseState
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.models import Clock, ClockState


@pytest.mark.django_db
def test_full_lifecycle_moves_state_clocks_and_audit(network):
    applicant = ApplicantFactory()
    case = make_case(network["shanghai"], applicant)
    assert case.state == CaseState.SUBMITTED
    assert case.tracking_number.startswith("WY-")
    acceptance = Clock.objects.get(case=case, rule="acceptance")
    assert acceptance.state == ClockState.RUNNING

    case = services.case_request_info(case=case, actor=network["sh_intake"], request_text="请补充商标注册证书。")
    acceptance.refresh_from_db()
    assert case.state == CaseState.INFO_REQUESTED
    assert acceptance.state == ClockState.PAUSED and acceptance.due_at is None
    case = services.case_answer_info(case=case, actor=applicant, answer_text="已补充。")
    acceptance.refresh_from_db()
    assert acceptance.state == ClockState.RUNNING and acceptance.due_at is not None

    case = services.case_accept(case=case, actor=network["sh_intake"])
    assert Clock.objects.get(case=case, rule="handling").state == ClockState.RUNNING
    case = services.case_assign(case=case, actor=network["sh_director"], handler=network["sh_handler"])
    case = services.case_start(case=case, actor=network["sh_handler"])
    case = services.case_conclude(
        case=case,
        actor=network["sh_handler"],
        outcome="opinion_issued",
        result_letter="经审查，被请求人使用的标识与贵司注册商标近似。",
    )
    assert case.state == CaseState.CONCLUDED
    assert Clock.objects.get(case=case, rule="handling").state == ClockState.MET
    assert not [x for x in audit_chain_verify() if isinstance(x, BrokenLink)]


@pytest.mark.django_db
def test_other_centre_cannot_accept_and_unscoped_query_raises(network):
    case = make_case(network["shanghai"])
    with pytest.raises(TransitionRefused) as refused:
        services.case_accept(case=case, actor=network["zj_intake"])
    assert refused.value.status == 403
    with pytest.raises(UnscopedQueryError):
        list(Case.objects.all())
    assert Case.objects.restrict(network["zj_intake"]).count() == 0
    assert Case.objects.restrict(network["sh_intake"]).count() == 1
