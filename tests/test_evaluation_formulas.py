"""Indicator formulas (weiyuan/evaluation/formulas.py): bad formulas are refused on save with the message on the
`formula` field (syntax, unknown names, unknown functions, attributes, strings, a result that is no number); a good
one is evaluated by simpleeval, clamped to 0..max, and a KPI without a value makes it "not computable" (0, reason)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.evaluation_support import indicator, national_director
from weiyuan.evaluation import services
from weiyuan.evaluation.formulas import evaluate_formula, referenced_names, validate_formula


@pytest.mark.parametrize(
    ("formula", "fragment"),
    [
        ("", "须填写计算公式"),
        ("acceptance_rate *", "语法错误"),
        ("acceptance_rat * 10", "acceptance_rat"),
        ("__import__('os')", "__import__"),
        ("acceptance_rate.real", "acceptance_rate.real"),
        ("'10'", "数字常量"),
        ("sqrt(applications)", "sqrt"),
        ("[applications][0]", "[applications]"),
        ("acceptance_rate > 0.5", "结果应为数字"),
        ("x" * 501, "公式过长"),
    ],
)
def test_bad_formulas_are_refused_naming_the_field(formula: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_formula(formula)
    messages = caught.value.message_dict["formula"]
    assert any(fragment in m for m in messages), messages


def test_unknown_names_are_listed_with_what_is_allowed() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_formula("foo + bar * acceptance_rate")
    message = caught.value.message_dict["formula"][0]
    assert "foo、bar" in message and "on_time_rate" in message


def test_good_formulas_pass_and_name_the_kpis_they_read() -> None:
    formula = "max_score * min(acceptance_rate / 0.9, 1) if applications > 0 else 0"
    assert validate_formula(f"  {formula} ") == formula
    assert referenced_names(formula) == ["acceptance_rate", "applications"]
    assert validate_formula("applications / (accepted - accepted + 1)")  # a division allowed by the shape


def test_evaluation_clamps_rounds_and_snapshots() -> None:
    kpis: dict[str, float | None] = {"acceptance_rate": 0.8, "applications": 50.0}
    result = evaluate_formula("max_score * min(acceptance_rate / 0.9, 1)", kpis=kpis, max_score=Decimal("10"))
    assert (result.score, result.computable, result.snapshot) == (Decimal("8.89"), True, {"acceptance_rate": 0.8})
    assert evaluate_formula("applications", kpis=kpis, max_score=Decimal("10")).score == Decimal("10.00")
    assert evaluate_formula("-applications", kpis=kpis, max_score=Decimal("10")).score == Decimal("0.00")


def test_a_kpi_without_value_or_a_zero_division_is_not_computable() -> None:
    kpis: dict[str, float | None] = {"on_time_rate": None, "accepted": 0.0, "applications": 3.0}
    missing = evaluate_formula("on_time_rate * max_score + applications", kpis=kpis, max_score=Decimal("5"))
    assert missing.computable is False and missing.score == Decimal("0.00")
    assert "on_time_rate" in missing.reason and "applications" not in missing.reason
    assert missing.snapshot == {"on_time_rate": None, "applications": 3.0}
    zero = evaluate_formula("applications / accepted", kpis=kpis, max_score=Decimal("5"))
    assert zero.computable is False and "除以零" in zero.reason


def test_saving_an_indicator_puts_the_formula_error_on_its_field(network: dict[str, Any]) -> None:
    director = national_director(network)
    scheme = services.scheme_create(actor=director, year=2025, title="2025 年度绩效评价")
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(
            scheme=scheme, actor=director, data=indicator("A1", "formula", "50", "10", formula="rate * 10")
        )
    assert "rate" in caught.value.message_dict["formula"][0]
    # A manual indicator takes no formula and needs guidance; weight and max score are range-checked; codes unique.
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(
            scheme=scheme,
            actor=director,
            data=indicator("M1", "manual", "0", "-1", formula="applications", guidance=""),
        )
    errors = caught.value.message_dict
    assert set(errors) == {"formula", "guidance", "weight", "max_score"}
    services.indicator_save(scheme=scheme, actor=director, data=indicator("M1", "manual", "40", "20"))
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(scheme=scheme, actor=director, data=indicator("M1", "manual", "40", "20"))
    assert "M1" in caught.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(scheme=scheme, actor=director, data=indicator("bad code!", "other", "1.234", "5"))
    assert set(caught.value.message_dict) >= {"code", "kind", "weight"}
