"""Matching experts to a case: ranking with reasons, conflicts by name variant and credit code, the director's
override with a written reason, load and rating, availability."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.experts_support import credit_code, make_expert
from tests.factories import ApplicantFactory, UserFactory, make_case
from weiyuan.accounts.models import Membership
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.models import CaseAssignment
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import IPType, Role
from weiyuan.experts.matching import Criteria, criteria_for_case, rank_candidates
from weiyuan.experts.models import ExpertConflictOverride
from weiyuan.experts.normalise import organisation_key, parse_ipc, parse_nice
from weiyuan.experts.selectors import expert_candidates
from weiyuan.experts.services import expert_conflict_override, expert_deactivate, expert_rate

pytestmark = pytest.mark.django_db

APPLICANT = "上海云澜智能科技有限公司"
RESPONDENT = "杭州瀚星数码有限公司"
RESPONDENT_CODE = credit_code("9133010631140021")


@pytest.fixture
def case(network: dict[str, Any]) -> Any:
    applicant = ApplicantFactory(organisation_name=APPLICANT)
    return make_case(
        network["shanghai"],
        applicant,
        applicant_name=APPLICANT,
        respondent_name=RESPONDENT,
        respondent_credit_code=RESPONDENT_CODE,
        ip_type=IPType.TRADEMARK,
    )


def names(candidates: list[Any]) -> list[str]:
    return [c.expert.name for c in candidates]


def match(case: Any, **criteria: Any) -> Any:
    return rank_candidates(case=case, criteria=criteria_for_case(case, **criteria))


# --- normalising -------------------------------------------------------------------------------------------


def test_organisation_names_compare_without_legal_form_spaces_width_or_script() -> None:
    key = organisation_key("上海云澜智能科技有限公司")
    assert key == "上海云澜智能科技"
    for variant in (
        "上海云澜智能科技有限责任公司",
        "上海云澜智能科技股份有限公司",
        " 上海 云澜智能科技 有限公司 ",
        "上海云澜智能科技（有限公司）",
        "上海雲瀾智能科技有限公司",  # Traditional script
        "上海云澜智能科技公司",
        "上海云澜智能科技Ｃｏ．，Ｌｔｄ．",  # full-width
    ):
        assert organisation_key(variant) == key, variant
    assert organisation_key("Lumina Technologies, Inc.") == organisation_key("LUMINA TECHNOLOGIES INC")
    # Too short to call a conflict on: "某公司" is not every company.
    assert organisation_key("某公司") == ""


def test_ipc_and_nice_symbols_are_checked() -> None:
    assert parse_ipc("h04l9/32") == "H04L 9/32"
    assert parse_ipc("Ｇ06Ｆ 16/245") == "G06F 16/245"
    assert parse_ipc("H04L") == "H04L"
    for bad in ("H04", "Z01B", "H00L", "H04L 09/32", "H04L 9", "电子"):
        with pytest.raises(ValueError, match="IPC"):
            parse_ipc(bad)
    assert parse_nice("第25类") == 25
    with pytest.raises(ValueError, match="46 不是 1-45 之间的类别"):
        parse_nice("46")


# --- ranking -------------------------------------------------------------------------------------------------


def test_ranks_by_field_class_region_and_language_and_says_why(network: dict[str, Any], case: Any) -> None:
    d, sh = network["sh_director"], network["shanghai"]
    strong = make_expert(d, sh, name="商标强", fields=["trademark_law"], nice_classes=["25", "35"], regions=["310000"])
    make_expert(d, sh, name="商标远", fields=["trademark_law"], nice_classes=["25"], regions=["440000"])
    make_expert(d, sh, name="专利", fields=["patent_law"], ipc_classes=["H04L"], regions=["310000"])
    result = match(case, nice_classes=[25, 35])
    assert names(result.ranked)[:2] == ["商标强", "商标远"]
    assert "专利" in names(result.ranked)  # same region only: still a candidate, ranked last
    assert names(result.ranked)[-1] == "专利"
    top = result.ranked[0]
    assert top.expert.pk == strong.pk
    reasons = {r.label: (r.detail, r.points) for r in top.reasons}
    assert reasons["专业领域"] == ("商标法", 8)
    assert reasons["尼斯分类"] == ("第 25 类、第 35 类", 16)
    assert reasons["服务地区"] == (
        "覆盖申请人所在地",
        6,
    )  # the applicant is in Pudong (310115), the expert serves 310000
    assert top.score == 30


def test_ipc_matches_score_by_level_group_subclass_class(network: dict[str, Any], case: Any) -> None:
    d, sh = network["sh_director"], network["shanghai"]
    make_expert(d, sh, name="大组", ipc_classes=["H04L 9/32"], regions=["440000"], fields=[])
    make_expert(d, sh, name="小类", ipc_classes=["H04L"], regions=["440000"], fields=[])
    make_expert(d, sh, name="大类", ipc_classes=["H04W 12/06"], regions=["440000"], fields=[])
    make_expert(d, sh, name="无关", ipc_classes=["A61K"], regions=["440000"], fields=[])
    result = match(case, field_codes=[], ipc_classes=["H04L 9/32"])
    assert names(result.ranked) == ["大组", "小类", "大类"]
    assert [c.score for c in result.ranked] == [10, 8, 4]
    assert result.ranked[0].reasons[0].detail == "H04L 9/32（大组相同）"


def test_criteria_come_from_the_case_unless_given(network: dict[str, Any], case: Any) -> None:
    criteria = criteria_for_case(case)
    assert "trademark_law" in criteria.field_codes and "patent_law" not in criteria.field_codes
    assert criteria.region_code == "310115"
    assert criteria.languages == ()
    assert criteria.derived == {"fields", "languages", "region"}
    overseas = make_case(network["shanghai"], service_type_code="overseas_guidance", ip_type=IPType.INVENTION)
    derived = criteria_for_case(overseas)
    assert derived.languages == ("en",)
    assert {"overseas_disputes", "patent_law"} <= set(derived.field_codes)
    given = criteria_for_case(case, field_codes=["copyright_law"], languages=["ja"], region_code="440300")
    assert (given.field_codes, given.languages, given.region_code, given.derived) == (
        ("copyright_law",),
        ("ja",),
        "440300",
        frozenset(),
    )


def test_load_and_past_ratings_move_equal_experts(network: dict[str, Any], case: Any) -> None:
    d, sh = network["sh_director"], network["shanghai"]
    busy_user, rated_user = UserFactory(), UserFactory()
    for user in (busy_user, rated_user):
        Membership.objects.create(user=user, centre=None, role=Role.EXPERT)
    loaded = make_expert(d, sh, name="在办多", fields=["trademark_law"], user_email=busy_user.email)
    plain = make_expert(d, sh, name="普通", fields=["trademark_law"])
    rated = make_expert(d, sh, name="好评", fields=["trademark_law"], user_email=rated_user.email)
    for _ in range(2):
        CaseAssignment.objects.create(case=case, user=busy_user, kind="expert", task="比对", assigned_by=d)
    other = make_case(sh)
    finished = CaseAssignment.objects.create(
        case=other, user=rated_user, kind="expert", task="出具意见", assigned_by=d, ended_at=timezone.now()
    )
    expert_rate(assignment=finished, actor=d, score=5, comment="意见专业、及时。")
    result = match(case)
    assert names(result.ranked) == ["好评", "普通", "在办多"]
    by_name = {c.expert.name: c for c in result.ranked}
    assert by_name["在办多"].load == 2
    assert by_name["在办多"].score == by_name["普通"].score - 6
    assert by_name["好评"].score == by_name["普通"].score + 4
    assert {r.label for r in by_name["好评"].reasons} >= {"过往评分"}
    assert plain.pk and loaded.pk and rated.pk


def test_rating_needs_a_finished_expert_task_and_the_case_s_handler_or_director(
    network: dict[str, Any], case: Any
) -> None:
    d = network["sh_director"]
    user = UserFactory()
    Membership.objects.create(user=user, centre=None, role=Role.EXPERT)
    expert = make_expert(d, network["shanghai"], user_email=user.email)
    task = CaseAssignment.objects.create(case=case, user=user, kind="expert", task="比对", assigned_by=d)
    with pytest.raises(TransitionRefused, match="尚未结束"):
        expert_rate(assignment=task, actor=d, score=4)
    task.ended_at = timezone.now()
    task.save()
    with pytest.raises(TransitionRefused) as refused:
        expert_rate(assignment=task, actor=network["zj_director"], score=4)
    assert refused.value.status == 403
    with pytest.raises(ValidationError):
        expert_rate(assignment=task, actor=d, score=6)
    expert_rate(assignment=task, actor=d, score=4)
    with pytest.raises(TransitionRefused, match="已评价"):
        expert_rate(assignment=task, actor=d, score=5)
    expert.refresh_from_db()
    assert (expert.rating_total, expert.rating_count, expert.rating_average) == (4, 1, 4.0)


def test_unavailable_and_deactivated_experts_are_not_candidates_busy_ones_rank_lower(
    network: dict[str, Any], case: Any
) -> None:
    d, sh = network["sh_director"], network["shanghai"]
    make_expert(d, sh, name="不可用", fields=["trademark_law"], availability="unavailable")
    gone = make_expert(d, sh, name="已停用", fields=["trademark_law"])
    expert_deactivate(expert=gone, actor=d, reason="本人申请退出专家库")
    soon = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    make_expert(d, sh, name="忙碌", fields=["trademark_law"], availability="busy", busy_until=soon)
    make_expert(d, sh, name="忙碌已过", fields=["trademark_law"], availability="busy", busy_until=past)
    result = match(case)
    assert names(result.ranked) == ["忙碌已过", "忙碌"]
    busy = result.ranked[1]
    assert any(r.label == "可用状态" and r.points == -6 for r in busy.reasons)


# --- conflicts -------------------------------------------------------------------------------------------------


def test_affiliation_matching_the_applicant_by_name_variant_excludes(network: dict[str, Any], case: Any) -> None:
    d, sh = network["sh_director"], network["shanghai"]
    make_expert(d, sh, name="冲突", fields=["trademark_law"], organisation_name="上海 云澜智能科技 有限责任公司")
    make_expert(d, sh, name="干净", fields=["trademark_law"])
    result = match(case)
    assert names(result.ranked) == ["干净"]
    assert names(result.excluded) == ["冲突"]
    (conflict,) = result.excluded[0].conflicts
    assert conflict.text == "所属单位「上海 云澜智能科技 有限责任公司」与申请人「上海云澜智能科技有限公司」名称相同"


def test_declared_conflict_matching_the_respondent_by_credit_code_excludes(network: dict[str, Any], case: Any) -> None:
    d, sh = network["sh_director"], network["shanghai"]
    # A different name (renamed company), the same credit code.
    make_expert(
        d,
        sh,
        name="曾任顾问",
        fields=["trademark_law"],
        conflicts=[("杭州星瀚电子有限公司", RESPONDENT_CODE.lower(), "2022 年任法律顾问")],
    )
    make_expert(d, sh, name="名称冲突", fields=["trademark_law"], conflicts=[("杭州瀚星数码股份有限公司", "", "")])
    result = match(case)
    assert names(result.ranked) == []
    texts = {c.expert.name: c.conflicts[0].text for c in result.excluded}
    assert texts["曾任顾问"] == (
        f"申报的利益冲突单位「杭州星瀚电子有限公司」与被请求人「{RESPONDENT}」统一社会信用代码相同（{RESPONDENT_CODE}）"
    )
    assert "名称相同" in texts["名称冲突"]


def test_a_similar_but_different_name_is_no_conflict(network: dict[str, Any], case: Any) -> None:
    make_expert(
        network["sh_director"],
        network["shanghai"],
        name="近似",
        fields=["trademark_law"],
        organisation_name="上海云澜智能科技研究院",
        conflicts=[("杭州瀚星数码上海分公司", "", "")],
    )
    result = match(case)
    assert names(result.ranked) == ["近似"] and result.excluded == []


def test_director_overrides_a_conflict_only_with_a_written_reason(network: dict[str, Any], case: Any) -> None:
    d, sh = network["sh_director"], network["shanghai"]
    expert = make_expert(d, sh, name="冲突", fields=["trademark_law"], organisation_name=APPLICANT)
    with pytest.raises(ValidationError) as no_reason:
        expert_conflict_override(case=case, expert=expert, actor=d, reason="  ")
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError):
        expert_conflict_override(case=case, expert=expert, actor=d, reason="同意")  # too short to be a reason
    for not_director in (network["sh_handler"], network["sh_intake"], network["zj_director"]):
        with pytest.raises(TransitionRefused) as refused:
            expert_conflict_override(case=case, expert=expert, actor=not_director, reason="理由足够长的一段说明文字")
        assert refused.value.status == 403
    assert not ExpertConflictOverride.objects.exists()
    assert names(match(case).excluded) == ["冲突"]

    reason = "该专家已于 2019 年离职，与申请人无任何往来，经核实不影响其独立判断。"
    override = expert_conflict_override(case=case, expert=expert, actor=d, reason=reason)
    assert override.reason == reason and "名称相同" in override.conflict
    result = match(case)
    assert result.excluded == [] and names(result.ranked) == ["冲突"]
    assert result.ranked[0].override is not None and result.ranked[0].conflicts
    event = AuditEvent.objects.get(action="expert.conflict_override")
    assert event.case_id == case.pk and event.after["reason"] == reason
    with pytest.raises(TransitionRefused, match="已豁免"):
        expert_conflict_override(case=case, expert=expert, actor=d, reason=reason)


def test_no_override_for_an_expert_without_conflict(network: dict[str, Any], case: Any) -> None:
    expert = make_expert(network["sh_director"], network["shanghai"], fields=["trademark_law"])
    with pytest.raises(TransitionRefused, match="没有利益冲突"):
        expert_conflict_override(
            case=case, expert=expert, actor=network["sh_director"], reason="理由足够长的一段说明文字"
        )


def test_only_staff_working_on_the_case_may_match(network: dict[str, Any], case: Any) -> None:
    criteria = Criteria(field_codes=("trademark_law",))
    for user in (network["sh_intake"], network["sh_handler"], network["sh_director"]):
        expert_candidates(user=user, case=case, criteria=criteria)
    for user in (network["sh_supervisor"], network["national_supervisor"], case.applicant_user):
        with pytest.raises(TransitionRefused) as refused:
            expert_candidates(user=user, case=case, criteria=criteria)
        assert refused.value.status == 403


def test_matching_reads_a_fixed_number_of_queries(
    network: dict[str, Any], case: Any, django_assert_num_queries: Any
) -> None:
    d, sh = network["sh_director"], network["shanghai"]
    for n in range(12):
        user = UserFactory()
        Membership.objects.create(user=user, centre=None, role=Role.EXPERT)
        make_expert(
            d,
            sh,
            fields=["trademark_law"],
            nice_classes=[str(25 + n % 3)],
            user_email=user.email,
            conflicts=[("某甲贸易有限公司", "", "")],
        )
    criteria = criteria_for_case(case, nice_classes=[25])
    # pool, experts (with "whole country"), their conflicts, load, overrides, field names: 6 for any number
    with django_assert_num_queries(6):
        result = rank_candidates(case=case, criteria=criteria)
    assert len(result.ranked) == 12


def test_region_points_local_province_and_whole_country(network: dict[str, Any], case: Any) -> None:
    d, sh = network["sh_director"], network["shanghai"]
    make_expert(d, sh, name="浦东", fields=["trademark_law"], regions=["310115"])
    make_expert(d, sh, name="上海", fields=["trademark_law"], regions=["310000"])
    make_expert(d, sh, name="全国", fields=["trademark_law"], regions=[])
    make_expert(d, sh, name="外省", fields=["trademark_law"], regions=["440300"])
    result = match(case)
    region = {c.expert.name: next((r for r in c.reasons if r.label == "服务地区"), None) for c in result.ranked}
    assert names(result.ranked) == ["浦东", "上海", "全国", "外省"]
    assert region["浦东"] is not None and region["浦东"].points == 6
    assert region["上海"] is not None and region["上海"].detail == "覆盖申请人所在地"
    assert region["全国"] is not None and (region["全国"].detail, region["全国"].points) == ("全国", 2)
    assert region["外省"] is None
