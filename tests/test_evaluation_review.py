"""Review mends of evaluation (weiyuan/evaluation): formulas that cannot run long, grow huge or crash (every number a
float, only arithmetic and comparisons); numbers like 1e30 named by field instead of a crash; a second scheme for a
year refused on `year` even past the check; four eyes on scoring; the reason a formula was not computable shown in
the language of the page."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.evaluation_support import (
    YEAR,
    assessment_of,
    indicator,
    national_director,
    published,
    scheme_with_indicators,
    self_assess_all,
    use_kpis,
)
from tests.factories import staff
from weiyuan.accounts.models import Membership, User
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.evaluation import selectors, services
from weiyuan.evaluation.formulas import evaluate_formula, validate_formula
from weiyuan.evaluation.models import AssessmentState, EvaluationScheme

pytestmark = pytest.mark.django_db

# Each of these ran for minutes (or took gigabytes) as integers, or crashed with a RecursionError; as floats they
# are refused at once, with the message on the formula field.
RUNAWAY = [
    "9**9**9",
    "4000000**4000000",
    "10**5000",
    "round(1, -999999999)",
    "round(1, -10**18)",
    "-" * 499 + "1",
]


@pytest.mark.parametrize("formula", RUNAWAY)
def test_runaway_formulas_are_refused_quickly_on_the_formula_field(formula: str) -> None:
    started = time.monotonic()
    with pytest.raises(ValidationError) as caught:
        validate_formula(formula)
    assert time.monotonic() - started < 1
    assert caught.value.message_dict["formula"]


@pytest.mark.parametrize("formula", ["1 << 3", "~applications", "applications & 1", "applications in 3", "1 is 1"])
def test_bit_operators_and_membership_tests_are_refused(formula: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_formula(formula)
    assert "不能使用" in caught.value.message_dict["formula"][0]


def test_evaluation_never_raises_and_never_builds_huge_numbers() -> None:
    kpis: dict[str, float | None] = {"applications": 4000000.0, "accepted": 1.0}
    started = time.monotonic()
    # Integers from comparisons (True + True) used to reach Python's unbounded integers too.
    for formula in [
        "applications ** applications",
        "(((accepted > 0) + (accepted > 0)) ** 21) ** (((accepted > 0) + (accepted > 0)) ** 21)",
        "10**5000",  # an integer too large for a float: OverflowError in isfinite() on submit, a 500
        "applications in 3",  # stored under older rules: never reaches the evaluator
        "-" * 499 + "applications",
    ]:
        result = evaluate_formula(formula, kpis=kpis, max_score=Decimal("10"))
        assert result.computable is False and result.score == Decimal("0.00") and result.reason, formula
    assert time.monotonic() - started < 1
    ok = evaluate_formula("round(accepted / 3, 2) * 30 + abs(-1)", kpis=kpis, max_score=Decimal("20"))
    assert (ok.score, ok.computable) == (Decimal("10.90"), True)


def test_numbers_beyond_the_decimal_context_are_named_by_field(network: dict[str, Any], monkeypatch: Any) -> None:
    use_kpis(monkeypatch)
    director = national_director(network)
    scheme = services.scheme_create(actor=director, year=YEAR, title="年度评价")
    for field, value in [("weight", "1e30"), ("max_score", "1e30"), ("weight", "NaN"), ("max_score", "-Infinity")]:
        data = indicator("M1", "manual", "40", "20")
        data = services.IndicatorInput(**{**data.__dict__, field: value})
        with pytest.raises(ValidationError) as caught:
            services.indicator_save(scheme=scheme, actor=director, data=data)
        assert field in caught.value.message_dict, (field, value)
    services.indicator_save(scheme=scheme, actor=director, data=indicator("M1", "manual", "100", "20"))
    scheme = services.scheme_transition(scheme=scheme, actor=director, action="publish")
    a = assessment_of(scheme, network["shanghai"])
    item = a.items.get()
    with pytest.raises(ValidationError) as caught:
        services.item_self_assess(item=item, actor=network["sh_director"], self_score="1e30", explanation="说明")
    assert "self_score" in caught.value.message_dict
    page = Client()
    page.force_login(network["sh_director"])
    response = page.post(
        reverse("evaluation:item_self", args=[a.pk, item.pk]), {"self_score": "9e99", "self_explanation": "说明"}
    )
    assert response.status_code == 400


def test_a_second_scheme_for_the_year_past_the_check_is_named_on_year(
    network: dict[str, Any], monkeypatch: Any
) -> None:
    director = national_director(network)
    services.scheme_create(actor=director, year=YEAR, title="年度评价")
    # Two requests at once both pass the existence check; the unique year decides, as a field error.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    with pytest.raises(ValidationError) as caught:
        services.scheme_create(actor=director, year=YEAR, title="年度评价（重复提交）")
    assert "已存在" in caught.value.message_dict["year"][0]
    monkeypatch.undo()
    assert EvaluationScheme.objects.filter(year=YEAR).count() == 1


def test_a_director_of_both_levels_does_not_score_their_own_centre(network: dict[str, Any], monkeypatch: Any) -> None:
    use_kpis(monkeypatch)
    scheme = published(network)
    # The Shanghai director also directs Pudong: self-assesses Pudong, and may not score or finalise it.
    Membership.objects.create(user=network["sh_director"], centre=network["pudong"], role=Role.DIRECTOR)
    both = User.objects.get(pk=network["sh_director"].pk)
    a = assessment_of(scheme, network["pudong"])
    self_assess_all(a, both)
    a = services.assessment_transition(assessment=a, actor=both, action="submit")
    manual = a.items.get(indicator__kind="manual")
    with pytest.raises(TransitionRefused) as refused:
        services.item_review(item=manual, actor=both, score="15", comment="")
    assert refused.value.status == 409 and "不能为本人" in refused.value.reason
    for action in ("finalise", "return"):
        with pytest.raises(TransitionRefused) as refused:
            services.assessment_transition(assessment=a, actor=both, action=action, text="请补充材料")
        assert refused.value.status == 409 and "不能为本人" in refused.value.reason, action
    client = Client()
    client.force_login(both)
    page = client.get(reverse("evaluation:assessment", args=[a.pk])).content.decode()
    assert reverse("evaluation:item_review", args=[a.pk, manual.pk]) not in page
    # Another director of Shanghai scores it.
    other = staff(network["shanghai"], Role.DIRECTOR)
    services.item_review(item=manual, actor=other, score="15", comment="")
    a = services.assessment_transition(assessment=a, actor=other, action="finalise")
    assert a.state == AssessmentState.FINALISED


def test_not_computable_reason_in_the_language_of_the_page(network: dict[str, Any], monkeypatch: Any) -> None:
    use_kpis(monkeypatch, {"acceptance_rate": None})
    scheme = published(network)
    a = assessment_of(scheme, network["shanghai"])
    self_assess_all(a, network["sh_director"])
    services.assessment_transition(assessment=a, actor=network["sh_director"], action="submit")
    stored = a.items.get(indicator__kind="formula").not_computable_reason
    assert "无法计算" in stored  # kept in the language of the submitter
    client = Client()
    client.force_login(network["sh_director"])
    english = client.get(reverse("evaluation:assessment", args=[a.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not computable" in english and stored not in english
    chinese = client.get(reverse("evaluation:assessment", args=[a.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert stored in chinese


def test_the_assessment_pdf_heads_its_pages_with_the_centre_in_the_page_language(network: dict[str, Any]) -> None:
    centre = network["shanghai"]
    centre.name_en = "Shanghai IPR Protection Assistance Centre"
    centre.save(update_fields=["name_en"])
    scheme = scheme_with_indicators(network)
    scheme.state = "published"
    scheme.save(update_fields=["state"])
    services.assessed_centres(scheme)
    a = services.Assessment.objects.create(scheme=scheme, centre=centre, created_at=scheme.created_at)
    a = selectors.assessment_get(user=network["sh_supervisor"], pk=a.pk)
    context = {"assessment": a, "scheme": scheme, "items": [], "total": Decimal("0"), "rank": None}
    with translation.override("en"):
        html = render_to_string("evaluation/assessment_pdf.html", context)
    assert centre.name_en in html and centre.name not in html


def test_a_deleted_indicator_is_deleted_once_and_not_saved_back(network: dict[str, Any]) -> None:
    director = national_director(network)
    scheme = scheme_with_indicators(network)
    stale = scheme.indicators.get(code="M1")
    services.indicator_delete(indicator=stale, actor=director)
    with pytest.raises(TransitionRefused) as refused:
        services.indicator_delete(indicator=stale, actor=director)
    assert refused.value.status == 404
    with pytest.raises(TransitionRefused) as refused:
        services.indicator_save(
            scheme=scheme, actor=director, data=indicator("M1", "manual", "40", "20"), indicator=stale
        )
    assert refused.value.status == 404
    assert not scheme.indicators.filter(code="M1").exists()
    assert AuditEvent.objects.filter(action="evaluation.indicator.delete").count() == 1
    client = Client()
    client.force_login(director)
    response = client.post(reverse("evaluation:indicator_delete", args=[YEAR, stale.pk]))
    assert response.status_code == 404
