"""Indicator formulas: arithmetic over the KPI keys of `weiyuan.kpis.selectors.kpi_values`, evaluated by simpleeval,
never by `eval()`.

A formula gives the indicator's score directly (e.g. `max_score * min(acceptance_rate / 0.9, 1)`); the result is
clamped to 0 … the indicator's maximum. Allowed: numbers, the KPI keys and `max_score`, + - * / // % **, comparisons,
`and` / `or` / `not`, `x if c else y`, and the functions min, max, abs, round. Anything else (attributes, strings,
subscripts, bit operators, `in` / `is`, other names or calls) is refused when the indicator is saved, with the message
on the `formula` field.

Every number is computed as a float (constants, KPI values and the operands of each operator): Python's integers
grow without bound, so `4000000 ** 4000000` or `round(1, -999999999)` would run for minutes and take gigabytes even
within simpleeval's limits, while a float overflows at once (OverflowError: "not computable").
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from simpleeval import InvalidExpression, SimpleEval

from weiyuan.core.punctuation import join_list

# The keys weiyuan.kpis.selectors.kpi_values returns (rates are fractions 0..1, None without a denominator).
from weiyuan.kpis.formulas import KPI_KEYS

EXTRA_NAMES = ("max_score",)
FORMULA_MAX = 500
ROUND_DIGITS_MAX = 10


def _round(value: Any, digits: Any = 0) -> float:
    """round() on floats with a whole number of digits within ±10 (an integer's round with a huge negative digits
    count builds a power of ten of that size)."""
    places = float(digits)
    if not places.is_integer() or abs(places) > ROUND_DIGITS_MAX:
        raise ValueError(_("round 的位数应为 -10 至 10 的整数"))
    return float(round(float(value), int(places)))


def _pow(base: Any, exponent: Any) -> float:
    # math.pow: floats only, OverflowError instead of a huge integer, ValueError instead of a complex number.
    return math.pow(float(base), float(exponent))


def _floats(fn: Callable[[float, float], Any]) -> Callable[[Any, Any], Any]:
    return lambda a, b: fn(float(a), float(b))


FUNCTIONS: dict[str, Any] = {
    "min": lambda *args: min(float(a) for a in args),
    "max": lambda *args: max(float(a) for a in args),
    "abs": lambda value: abs(float(value)),
    "round": _round,
}
_BINARY: dict[type[ast.AST], Callable[[Any, Any], Any]] = {
    ast.Add: _floats(operator.add),
    ast.Sub: _floats(operator.sub),
    ast.Mult: _floats(operator.mul),
    ast.Div: _floats(operator.truediv),
    ast.FloorDiv: _floats(operator.floordiv),
    ast.Mod: _floats(operator.mod),
    ast.Pow: _pow,
}
_UNARY: dict[type[ast.AST], Callable[[Any], Any]] = {
    ast.USub: lambda v: -float(v),
    ast.UAdd: lambda v: float(v),
    ast.Not: operator.not_,
}
_COMPARE: dict[type[ast.AST], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
OPERATORS: dict[type[ast.AST], Callable[..., Any]] = {**_BINARY, **_UNARY, **_COMPARE}

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.Name,
    ast.Constant,
    ast.Load,
    ast.boolop,
    *OPERATORS,
)


class FormulaError(Exception):
    pass


@dataclass(frozen=True)
class FormulaResult:
    score: Decimal
    computable: bool
    reason: str = ""
    snapshot: dict[str, float | None] = field(default_factory=dict)


def referenced_names(formula: str) -> list[str]:
    """The KPI keys a (valid) formula reads, in order of first use."""
    found = [n for n in ast.walk(ast.parse(formula, mode="eval")) if isinstance(n, ast.Name) and n.id in KPI_KEYS]
    names: list[str] = []
    for node in sorted(found, key=lambda n: (n.lineno, n.col_offset)):
        if node.id not in names:
            names.append(node.id)
    return names


def _check_tree(formula: str) -> None:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as exc:
        where = _("第 %(n)s 个字符附近") % {"n": exc.offset or 1}
        raise FormulaError(_("公式有语法错误（%(where)s）：%(msg)s。") % {"where": where, "msg": exc.msg}) from None
    unknown: list[str] = []
    for node in ast.walk(tree):
        operators: list[ast.AST] = [node.op] if isinstance(node, ast.BinOp | ast.UnaryOp) else []
        operators += node.ops if isinstance(node, ast.Compare) else []
        if any(type(o) not in OPERATORS for o in operators):
            raise FormulaError(
                _("公式中不能使用「%(what)s」：只允许数字、指标名、四则运算、比较和 min、max、abs、round。")
                % {"what": ast.get_source_segment(formula, node) or type(node).__name__}
            )
        if not isinstance(node, _ALLOWED_NODES):
            raise FormulaError(
                _("公式中不能使用「%(what)s」：只允许数字、指标名、四则运算、比较和 min、max、abs、round。")
                % {"what": ast.get_source_segment(formula, node) or type(node).__name__}
            )
        if isinstance(node, ast.Constant) and (isinstance(node.value, bool) or not isinstance(node.value, int | float)):
            raise FormulaError(_("公式中只能使用数字常量：%(value)s。") % {"value": repr(node.value)})
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
                name = node.func.id if isinstance(node.func, ast.Name) else ast.get_source_segment(formula, node)
                raise FormulaError(_("公式中有未知的函数「%(name)s」，可用：min、max、abs、round。") % {"name": name})
        elif isinstance(node, ast.Name) and node.id not in (*KPI_KEYS, *EXTRA_NAMES, *FUNCTIONS):
            if node.id not in unknown:
                unknown.append(node.id)
    if unknown:
        raise FormulaError(
            _("公式中有未知的名称：%(names)s。可用的指标名：%(allowed)s。")
            % {"names": join_list(unknown), "allowed": ", ".join((*KPI_KEYS, *EXTRA_NAMES))}
        )


class _FloatEval(SimpleEval):  # type: ignore[misc]
    """simpleeval with every constant and name a float and only the operators above."""

    def __init__(self, names: dict[str, Any]) -> None:
        floats = {k: None if v is None else float(v) for k, v in names.items()}
        super().__init__(operators=dict(OPERATORS), functions=dict(FUNCTIONS), names=floats)
        self.nodes[ast.Constant] = self._eval_float

    def _eval_float(self, node: ast.Constant) -> Any:
        value = node.value
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _evaluator(names: dict[str, Any]) -> SimpleEval:
    return _FloatEval(names)


def validate_formula(formula: str, *, field_name: str = "formula") -> str:
    """The formula stripped, or ValidationError naming `field_name` with what is wrong and what is allowed."""
    formula = (formula or "").strip()
    if not formula:
        raise ValidationError({field_name: _("公式计算类指标须填写计算公式。")})
    if len(formula) > FORMULA_MAX:
        raise ValidationError({field_name: _("公式过长：最多 %(n)s 个字符。") % {"n": FORMULA_MAX}})
    try:
        _check_tree(formula)
        # A trial run with every KPI at a middling value catches what the tree check cannot (simpleeval's limits).
        value = _evaluator({**dict.fromkeys(KPI_KEYS, 0.5), "max_score": 10.0}).eval(formula)
    except FormulaError as exc:
        raise ValidationError({field_name: str(exc)}) from None
    except ZeroDivisionError:
        value = 0.0  # with other KPI values it may well be computable; at run time it is "not computable"
    except OverflowError:
        raise ValidationError({field_name: _("公式的数值超出范围（例如过大的乘方）。")}) from None
    except (InvalidExpression, ArithmeticError, TypeError, ValueError, KeyError, RecursionError) as exc:
        raise ValidationError({field_name: _("公式无法计算：%(msg)s。") % {"msg": exc}}) from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError({field_name: _("公式的结果应为数字。")})
    return formula


def evaluate_formula(formula: str, *, kpis: dict[str, float | None], max_score: Decimal) -> FormulaResult:
    """The score of a formula indicator for these KPI values: clamped to 0..max_score, two decimals. A KPI it reads
    that has no value (None: no denominator), or a division by zero, makes it not computable: score 0 with the
    reason, never an exception."""
    zero = Decimal("0.00")
    try:
        # A stored formula passed this check when it was saved; checked again so that no formula saved under older
        # rules can reach the evaluator with a node it does not know.
        _check_tree(formula)
    except FormulaError as exc:
        return FormulaResult(zero, False, str(exc), {})
    names = referenced_names(formula)
    snapshot = {name: kpis.get(name) for name in names}
    missing = [name for name in names if snapshot[name] is None]
    if missing:
        reason = _("无法计算：以下关键指标无数据（无分母或无记录）：%(names)s。") % {"names": join_list(missing)}
        return FormulaResult(zero, False, reason, snapshot)
    try:
        value = _evaluator({**snapshot, "max_score": float(max_score)}).eval(formula)
    except ZeroDivisionError:
        return FormulaResult(zero, False, _("无法计算：公式中出现除以零。"), snapshot)
    except OverflowError:
        return FormulaResult(zero, False, _("无法计算：数值超出范围。"), snapshot)
    except (InvalidExpression, ArithmeticError, TypeError, ValueError, KeyError, RecursionError) as exc:
        return FormulaResult(zero, False, _("无法计算：%(msg)s。") % {"msg": exc}, snapshot)
    if isinstance(value, bool):
        value = float(value)
    if not isinstance(value, int | float) or not math.isfinite(value):
        return FormulaResult(zero, False, _("无法计算：公式的结果不是有限的数字。"), snapshot)
    score = min(max(Decimal(str(value)), zero), max_score).quantize(Decimal("0.01"))
    return FormulaResult(score, True, "", snapshot)
