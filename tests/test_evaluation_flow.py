"""The evaluation flow (weiyuan/evaluation/flow.py, services.py): weights must sum to 100 to publish; publishing opens
one assessment per filed centre; the declared table walked (every action from every state: allowed ones work, the
rest refused with a reason); the scoring maths on a hand-checked example; a KPI without value scored 0 with the
reason; the ranking within each parent level; audit events and notices."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.evaluation_support import (
    YEAR,
    assessment_of,
    finalise,
    indicator,
    national_director,
    published,
    scheme_with_indicators,
    self_assess_all,
    use_kpis,
)
from tests.factories import CentreFactory, pdf_upload, staff
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.evaluation import selectors, services
from weiyuan.evaluation.flow import TRANSITIONS, check_assessment_transition
from weiyuan.evaluation.models import Assessment, AssessmentState, SchemeState
from weiyuan.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_weights_must_sum_to_100_before_publishing(network: dict[str, Any]) -> None:
    director = national_director(network)
    scheme = services.scheme_create(actor=director, year=YEAR, title="年度评价")
    with pytest.raises(TransitionRefused, match="还没有指标"):
        services.scheme_transition(scheme=scheme, actor=director, action="publish")
    services.indicator_save(scheme=scheme, actor=director, data=indicator("M1", "manual", "40", "20"))
    services.indicator_save(scheme=scheme, actor=director, data=indicator("M2", "manual", "55.5", "10"))
    with pytest.raises(TransitionRefused, match=r"95\.5"):
        services.scheme_transition(scheme=scheme, actor=director, action="publish")
    m3 = services.indicator_save(scheme=scheme, actor=director, data=indicator("M3", "manual", "4.5", "10"))
    scheme = services.scheme_transition(scheme=scheme, actor=director, action="publish")
    assert scheme.state == SchemeState.PUBLISHED
    # Published: indicators are frozen.
    with pytest.raises(TransitionRefused, match="已发布"):
        services.indicator_delete(indicator=m3, actor=director)


def test_only_the_organisers_director_manages_the_scheme(network: dict[str, Any]) -> None:
    scheme = scheme_with_indicators(network)
    with pytest.raises(TransitionRefused) as caught:
        services.scheme_transition(scheme=scheme, actor=network["sh_director"], action="publish")
    assert caught.value.status == 404  # a draft is not seen by anyone else
    with pytest.raises(TransitionRefused) as caught:
        services.scheme_create(actor=network["sh_director"], year=2026, title="上海自己的方案")
    assert caught.value.status == 403
    with pytest.raises(ValidationError) as invalid:
        services.scheme_create(actor=national_director(network), year=YEAR, title="重复")
    assert "year" in invalid.value.message_dict


def test_publishing_opens_an_assessment_per_filed_centre(network: dict[str, Any]) -> None:
    CentreFactory(code="sh-ws", name="某园区工作站", parent=network["shanghai"], kind="workstation")
    CentreFactory(
        code="zj-new", name="未备案分中心", parent=network["zhejiang"], kind="sub_centre", filing_status="draft"
    )
    scheme = published(network)
    opened = set(Assessment.objects.filter(scheme=scheme).values_list("centre__code", flat=True))
    assert opened == {"sh", "sh-pd", "zj"}
    assert all(a.items.count() == 2 for a in Assessment.objects.filter(scheme=scheme))
    assert AuditEvent.objects.filter(action="evaluation.scheme.publish").count() == 1


def test_the_table_walked_from_every_state(network: dict[str, Any], monkeypatch: Any) -> None:
    """Every action from every state and by each actor: allowed ones work, the rest are refused with a reason."""
    use_kpis(monkeypatch)
    scheme = published(network)
    reviewer = national_director(network)
    actors = {"self": network["sh_director"], "score": reviewer, "supervisor": network["national_supervisor"]}
    expected = {
        ("draft", "submit", "self"),
        ("returned", "submit", "self"),
        ("submitted", "return", "score"),
        ("submitted", "finalise", "score"),
    }
    a = assessment_of(scheme, network["shanghai"])
    self_assess_all(a, network["sh_director"])
    a.items.update(reviewed_at=a.created_at, score=Decimal("5"))  # every guard satisfied: only the table decides
    for state in AssessmentState.values:
        for transition in TRANSITIONS:
            for who, actor in actors.items():
                Assessment.objects.filter(pk=a.pk).update(state=state)
                a.refresh_from_db()
                if (state, transition.action, who) in expected:
                    check_assessment_transition(a, transition.action, actor)
                    text = "请补充佐证材料。" if transition.text_field else ""
                    done = services.assessment_transition(
                        assessment=a, actor=actor, action=transition.action, text=text
                    )
                    assert done.state == transition.to_state
                else:
                    with pytest.raises(TransitionRefused) as caught:
                        services.assessment_transition(assessment=a, actor=actor, action=transition.action, text="x")
                    assert caught.value.reason
                    assert caught.value.status in (403, 409)
    with pytest.raises(TransitionRefused) as unknown:
        check_assessment_transition(assessment_of(scheme, network["shanghai"]), "approve", reviewer)
    assert unknown.value.status == 400


def test_guards_name_what_is_missing(network: dict[str, Any], monkeypatch: Any) -> None:
    use_kpis(monkeypatch)
    scheme = published(network)
    a = assessment_of(scheme, network["shanghai"])
    with pytest.raises(TransitionRefused, match="M1"):
        services.assessment_transition(assessment=a, actor=network["sh_director"], action="submit")
    with pytest.raises(ValidationError) as caught:
        item = a.items.get(indicator__code="M1")
        services.item_self_assess(item=item, actor=network["sh_director"], self_score="21", explanation="")
    assert set(caught.value.message_dict) == {"self_score", "self_explanation"}
    self_assess_all(a, network["sh_director"])
    a = services.assessment_transition(assessment=a, actor=network["sh_director"], action="submit")
    with pytest.raises(TransitionRefused, match="M1"):
        services.assessment_transition(assessment=a, actor=national_director(network), action="finalise")
    with pytest.raises(ValidationError) as reason:
        services.assessment_transition(assessment=a, actor=national_director(network), action="return", text=" ")
    assert "reason" in reason.value.message_dict
    # Submitted: the centre can no longer change its self-assessment.
    with pytest.raises(TransitionRefused):
        services.item_self_assess(item=a.items.first(), actor=network["sh_director"], self_score="1", explanation="x")


def test_scoring_maths_on_a_hand_checked_example(network: dict[str, Any], monkeypatch: Any) -> None:
    """A1: 10 x min(0.8 / 0.9, 1) = 8.89 of 10, weight 60 -> 53.34; M1: 15 of 20, weight 40 -> 30.00; total 83.34."""
    asked = use_kpis(monkeypatch)
    scheme = published(network)
    a = finalise(assessment_of(scheme, network["shanghai"]), network["sh_director"], national_director(network))
    assert a.state == AssessmentState.FINALISED and a.total == Decimal("83.34")
    items = {i.indicator.code: i for i in a.items.select_related("indicator")}
    assert items["A1"].score == Decimal("8.89") and items["A1"].weighted == Decimal("53.34")
    assert items["M1"].score == Decimal("15.00") and items["M1"].weighted == Decimal("30.00")
    assert items["A1"].kpi_snapshot == {"period": ["2025-01-01", "2025-12-31"], "values": {"acceptance_rate": 0.8}}
    assert items["A1"].computable is True
    # Computed on submit and again on finalising, for the centre and the scheme's calendar year.
    assert [(c.code, s.isoformat(), e.isoformat()) for c, s, e in asked] == [("sh", "2025-01-01", "2025-12-31")] * 2
    finalised = AuditEvent.objects.get(action="evaluation.assessment.finalise")
    assert finalised.after["total"] == "83.34" and finalised.after["scores"] == {"A1": "8.89", "M1": "15.00"}


def test_a_kpi_without_value_scores_zero_with_the_reason(network: dict[str, Any], monkeypatch: Any) -> None:
    use_kpis(monkeypatch, {"acceptance_rate": None})
    scheme = published(network)
    a = finalise(assessment_of(scheme, network["shanghai"]), network["sh_director"], national_director(network))
    item = a.items.get(indicator__code="A1")
    assert (
        item.computable is False and item.score == Decimal("0.00") and "acceptance_rate" in item.not_computable_reason
    )
    assert a.total == Decimal("30.00")


def test_return_for_revision_and_resubmit(network: dict[str, Any], monkeypatch: Any) -> None:
    use_kpis(monkeypatch)
    scheme = published(network)
    reviewer, director = national_director(network), network["zj_director"]
    a = assessment_of(scheme, network["zhejiang"])
    self_assess_all(a, director)
    a = services.assessment_transition(assessment=a, actor=director, action="submit")
    assert OutboxMessage.objects.filter(recipient=reviewer, kind="evaluation.submitted").exists()
    a = services.assessment_transition(assessment=a, actor=reviewer, action="return", text="请补充宣传活动的佐证。")
    assert a.state == AssessmentState.RETURNED and a.return_reason == "请补充宣传活动的佐证。"
    assert OutboxMessage.objects.filter(recipient=director, kind="evaluation.returned").exists()
    item = a.items.get(indicator__code="M1")
    attached = services.item_file_add(item=item, actor=director, upload=pdf_upload("宣传活动.pdf"))
    assert attached.evidence.sha256 and attached.evidence.case_id is None
    a = services.assessment_transition(assessment=a, actor=director, action="submit")
    assert a.state == AssessmentState.SUBMITTED
    actions = set(AuditEvent.objects.filter(action__startswith="evaluation.").values_list("action", flat=True))
    assert {"evaluation.item.self_assess", "evaluation.file.upload", "evaluation.assessment.return"} <= actions


def test_the_parent_level_scores_a_sub_centre(network: dict[str, Any], monkeypatch: Any) -> None:
    use_kpis(monkeypatch)
    scheme = published(network)
    pudong_director = staff(network["pudong"], Role.DIRECTOR)
    a = assessment_of(scheme, network["pudong"])
    self_assess_all(a, pudong_director)
    a = services.assessment_transition(assessment=a, actor=pudong_director, action="submit")
    with pytest.raises(TransitionRefused) as caught:
        services.item_review(item=a.items.first(), actor=national_director(network), score="1", comment="")
    assert caught.value.status == 404  # the national director does not see a sub-centre of Shanghai
    a = finalise_scored(a, network["sh_director"])
    assert a.state == AssessmentState.FINALISED


def finalise_scored(a: Assessment, reviewer: Any) -> Assessment:
    for item in a.items.select_related("indicator"):
        services.item_review(item=item, actor=reviewer, score="10", comment="")
    return services.assessment_transition(assessment=a, actor=reviewer, action="finalise")


def test_ranking_within_each_parent_level(network: dict[str, Any], monkeypatch: Any) -> None:
    use_kpis(monkeypatch)
    national = national_director(network)
    CentreFactory(code="js", name="江苏省知识产权维权援助中心", parent=network["national"])
    scheme = published(network)
    js_director = staff(network["national"].children.get(code="js"), Role.DIRECTOR)
    finalise(assessment_of(scheme, network["shanghai"]), network["sh_director"], national, manual_score="15")
    finalise(assessment_of(scheme, network["zhejiang"]), network["zj_director"], national, manual_score="20")
    js = scheme.assessments.get(centre__code="js")
    finalise(js, js_director, national, manual_score="15")
    groups = selectors.ranking(user=network["national_supervisor"], scheme=scheme)
    assert len(groups) == 1 and groups[0].parent == network["national"]
    ranked = [(r.rank, r.assessment.centre.code, r.assessment.total) for r in groups[0].rows]
    # zj 53.34 + 40 = 93.34 first; sh and js tie at 83.34 (both second; the next would be fourth).
    assert sorted(ranked) == [(1, "zj", Decimal("93.34")), (2, "js", Decimal("83.34")), (2, "sh", Decimal("83.34"))]
    assert selectors.assessment_rank(assessment_of(scheme, network["zhejiang"])) == (1, 3)
    # The Shanghai supervisor sees only its subtree (nothing finalised there besides Shanghai itself).
    sh_groups = selectors.ranking(user=network["sh_supervisor"], scheme=scheme)
    assert [r.assessment.centre.code for g in sh_groups for r in g.rows] == ["sh"]
    # A centre's director sees no ranking until the scheme is closed, then the published one.
    assert selectors.ranking(user=network["zj_director"], scheme=scheme) == []
    scheme = services.scheme_transition(scheme=scheme, actor=national, action="close")
    assert len(selectors.ranking(user=network["zj_director"], scheme=scheme)[0].rows) == 3
    # Closed: nothing changes any more.
    with pytest.raises(TransitionRefused):
        services.item_self_assess(
            item=assessment_of(scheme, network["pudong"]).items.first(),
            actor=staff(network["pudong"], Role.DIRECTOR),
            self_score="1",
            explanation="x",
        )


def test_competition_ranking_helper() -> None:
    ranked = selectors.rank([("a", Decimal("90")), ("b", Decimal("95")), ("c", Decimal("90")), ("d", Decimal("80"))])
    assert ranked == [(1, "b"), (2, "a"), (2, "c"), (4, "d")]


def test_the_scheme_closes_only_when_no_submitted_assessment_awaits_its_score(
    network: dict[str, Any], monkeypatch: Any
) -> None:
    use_kpis(monkeypatch)
    national = national_director(network)
    scheme = published(network)
    sh = assessment_of(scheme, network["shanghai"])
    for item in sh.items.select_related("indicator"):
        services.item_self_assess(item=item, actor=network["sh_director"], self_score="5", explanation="自评说明")
    services.assessment_transition(assessment=sh, actor=network["sh_director"], action="submit")
    with pytest.raises(TransitionRefused) as refused:
        services.scheme_transition(scheme=scheme, actor=national, action="close")
    assert "上海市知识产权维权援助中心" in str(refused.value)
    finalise_scored(assessment_of(scheme, network["shanghai"]), national)
    # Drafts never submitted (Zhejiang, Pudong) do not hold the closing up.
    assert services.scheme_transition(scheme=scheme, actor=national, action="close").state == "closed"
