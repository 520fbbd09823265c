"""The major-case criteria are data and their evaluation is pure: each active criterion matches or not, with the
reason printed; inactive ones are left out; the inputs a case does not hold are parsed with a clear message."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from weiyuan.panels.criteria import CaseFacts, abroad_hint, evaluate, parse_amount


@dataclass
class C:
    code: str
    kind: str
    threshold: Decimal | None = None
    active: bool = True

    @property
    def display_name(self) -> str:
        return self.code


DEFAULTS = [
    C("amount", "amount", Decimal("5000000")),
    C("abroad", "parties_abroad"),
    C("rights", "rights_count", Decimal("5")),
    C("impact", "industry_impact"),
]


def matched(facts: CaseFacts, criteria: list[C] = DEFAULTS) -> set[str]:
    return {r.code for r in evaluate(facts, criteria).matched}


def test_nothing_matches_an_ordinary_case() -> None:
    evaluation = evaluate(CaseFacts(rights_count=1, amount_yuan=Decimal("20000")), DEFAULTS)
    assert not evaluation.is_major
    assert [r.code for r in evaluation.results] == ["amount", "abroad", "rights", "impact"]
    assert "低于门槛" in evaluation.results[0].explanation


def test_amount_threshold_is_inclusive() -> None:
    assert matched(CaseFacts(amount_yuan=Decimal("5000000"))) == {"amount"}
    assert matched(CaseFacts(amount_yuan=Decimal("4999999.99"))) == set()
    result = evaluate(CaseFacts(amount_yuan=Decimal("5000000")), DEFAULTS).results[0]
    assert result.explanation == "争议金额 5,000,000 元，达到门槛 5,000,000 元。"


def test_unknown_amount_does_not_match_and_says_so() -> None:
    result = evaluate(CaseFacts(), DEFAULTS).results[0]
    assert not result.matched and "未填写争议金额" in result.explanation


def test_rights_count_threshold() -> None:
    assert matched(CaseFacts(rights_count=5)) == {"rights"}
    assert matched(CaseFacts(rights_count=4)) == set()


def test_party_abroad_with_note() -> None:
    evaluation = evaluate(CaseFacts(party_abroad=True, abroad_note="被请求人为美国公司"), DEFAULTS)
    assert {r.code for r in evaluation.matched} == {"abroad"}
    assert "美国公司" in evaluation.matched[0].explanation


def test_industry_impact_needs_a_reason() -> None:
    assert matched(CaseFacts(industry_impact=True)) == set()
    assert matched(CaseFacts(industry_impact=True, industry_impact_reason="涉及本市光伏产业集群")) == {"impact"}


def test_several_criteria_match_together() -> None:
    facts = CaseFacts(rights_count=7, amount_yuan=Decimal("9000000"), party_abroad=True)
    assert matched(facts) == {"amount", "abroad", "rights"}


def test_inactive_criteria_are_left_out_and_thresholds_are_data() -> None:
    criteria = [C("amount", "amount", Decimal("1000000")), C("abroad", "parties_abroad", active=False)]
    evaluation = evaluate(CaseFacts(amount_yuan=Decimal("1000000"), party_abroad=True), criteria)
    assert [r.code for r in evaluation.results] == ["amount"]
    assert evaluation.is_major


def test_a_criterion_without_threshold_is_not_evaluated() -> None:
    result = evaluate(CaseFacts(amount_yuan=Decimal("1")), [C("amount", "amount", None)]).results[0]
    assert not result.matched and "未设置" in result.explanation


@pytest.mark.parametrize(
    ("raw", "value", "error"),
    [
        ("", None, ""),
        ("5000000", Decimal("5000000"), ""),
        ("5,000,000.50", Decimal("5000000.50"), ""),
        ("五百万", None, "请填写数字"),
        ("-1", None, "不能为负数"),
        ("1.234", None, "最多两位小数"),
        ("NaN", None, "请填写数字"),
    ],
)
def test_parse_amount(raw: str, value: Decimal | None, error: str) -> None:
    got, message = parse_amount(raw)
    assert got == value
    assert (error in message) if error else message == ""


def test_abroad_is_only_suggested_by_the_case() -> None:
    assert abroad_hint("overseas_guidance", "")
    assert abroad_hint("consultation", "going_abroad")
    assert not abroad_hint("infringement_opinion", "sme")


def test_facts_as_json_records_what_was_entered() -> None:
    data = CaseFacts(rights_count=2, amount_yuan=Decimal("10.5")).as_json()
    assert data["amount_yuan"] == "10.5" and data["rights_count"] == 2
    assert data["manual"] == ["amount", "industry_impact", "party_abroad"]
