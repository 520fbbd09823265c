"""Whether a case is major 重大案件: the active criteria (data, `MajorCriterion`) applied to the facts of the case.

`evaluate` is pure: it reads no database and explains, criterion by criterion, why it matches or not. The case holds
only some of the facts: the number of rights comes from its rights; the amount in dispute, whether a party is abroad
and the industry impact are not recorded on a case, so staff enter them (`CaseFacts.manual` names which), and they
are kept with the designation as entered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.utils.translation import gettext as _

from weiyuan.panels.models import CriterionKind

# The service types and priority groups that suggest (never decide) that a party is abroad.
ABROAD_HINT_SERVICES = ("overseas_guidance",)
ABROAD_HINT_GROUPS = ("going_abroad",)
REASON_MAX = 2000
AMOUNT_MAX = Decimal("99999999999999.99")


class Criterion(Protocol):
    code: str
    kind: str
    threshold: Decimal | None
    active: bool

    @property
    def display_name(self) -> str: ...


@dataclass(frozen=True)
class CaseFacts:
    rights_count: int = 0  # from the case
    amount_yuan: Decimal | None = None  # entered: the amount in dispute (yuan); None = not known
    party_abroad: bool = False  # entered
    abroad_note: str = ""
    industry_impact: bool = False  # entered by staff, only with a reason
    industry_impact_reason: str = ""
    manual: frozenset[str] = field(default_factory=lambda: frozenset({"amount", "party_abroad", "industry_impact"}))

    def as_json(self) -> dict[str, Any]:
        return {
            "rights_count": self.rights_count,
            "amount_yuan": str(self.amount_yuan) if self.amount_yuan is not None else None,
            "party_abroad": self.party_abroad,
            "abroad_note": self.abroad_note,
            "industry_impact": self.industry_impact,
            "industry_impact_reason": self.industry_impact_reason,
            "manual": sorted(self.manual),
        }


@dataclass(frozen=True)
class CriterionResult:
    code: str
    name: str
    kind: str
    matched: bool
    explanation: str


@dataclass(frozen=True)
class Evaluation:
    results: tuple[CriterionResult, ...]

    @property
    def matched(self) -> list[CriterionResult]:
        return [r for r in self.results if r.matched]

    @property
    def is_major(self) -> bool:
        return any(r.matched for r in self.results)


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _count(value: Decimal) -> int:
    return int(value.to_integral_value())


def _one(criterion: Criterion, facts: CaseFacts) -> tuple[bool, str]:
    kind, threshold = criterion.kind, criterion.threshold
    if kind == CriterionKind.AMOUNT:
        if threshold is None:
            return False, _("未设置金额门槛，不评估。")
        values = {"amount": _yuan(facts.amount_yuan or Decimal(0)), "threshold": _yuan(threshold)}
        if facts.amount_yuan is None:
            return False, _("未填写争议金额（门槛 %(threshold)s 元）。") % values
        if facts.amount_yuan >= threshold:
            return True, _("争议金额 %(amount)s 元，达到门槛 %(threshold)s 元。") % values
        return False, _("争议金额 %(amount)s 元，低于门槛 %(threshold)s 元。") % values
    if kind == CriterionKind.RIGHTS_COUNT:
        if threshold is None:
            return False, _("未设置权利数量门槛，不评估。")
        counts = {"n": facts.rights_count, "threshold": _count(threshold)}
        if facts.rights_count >= _count(threshold):
            return True, _("涉及 %(n)s 项权利，达到门槛 %(threshold)s 项。") % counts
        return False, _("涉及 %(n)s 项权利，低于门槛 %(threshold)s 项。") % counts
    if kind == CriterionKind.PARTIES_ABROAD:
        if facts.party_abroad:
            note = facts.abroad_note.strip()
            return True, (_("有当事人在境外：%(note)s") % {"note": note}) if note else _("有当事人在境外。")
        return False, _("当事人均在境内。")
    if kind == CriterionKind.INDUSTRY_IMPACT:
        reason = facts.industry_impact_reason.strip()
        if facts.industry_impact and reason:
            return True, _("工作人员认定对产业有重大影响：%(reason)s") % {"reason": reason}
        if facts.industry_impact:
            return False, _("认定对产业有重大影响须写明理由。")
        return False, _("未认定对产业有重大影响。")
    return False, _("未知的标准类别：%(kind)s") % {"kind": kind}


def evaluate(facts: CaseFacts, criteria: list[Any]) -> Evaluation:
    """Apply each active criterion (in the order given) to the facts; inactive ones are left out."""
    results = []
    for criterion in criteria:
        if not criterion.active:
            continue
        matched, explanation = _one(criterion, facts)
        results.append(
            CriterionResult(
                code=criterion.code,
                name=criterion.display_name,
                kind=criterion.kind,
                matched=matched,
                explanation=explanation,
            )
        )
    return Evaluation(results=tuple(results))


def parse_amount(raw: Any) -> tuple[Decimal | None, str]:
    """(amount, error): the amount in dispute as entered ("" = unknown); yuan, at most two decimals, not negative."""
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("，", "")
    if not text:
        return None, ""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, _("请填写数字（单位：元），例如 5000000。")
    if not value.is_finite():
        return None, _("请填写数字（单位：元），例如 5000000。")
    if value < 0:
        return None, _("争议金额不能为负数。")
    if value > AMOUNT_MAX or value != value.quantize(Decimal("0.01")):
        return None, _("争议金额最多两位小数，且不超过 %(max)s 元。") % {"max": _yuan(AMOUNT_MAX)}
    return value, ""


def abroad_hint(service_code: str, priority_group: str) -> bool:
    """Whether the case suggests a party abroad (overseas guidance, a firm going abroad); staff still decide."""
    return service_code in ABROAD_HINT_SERVICES or priority_group in ABROAD_HINT_GROUPS
