"""`manage.py deadline RULE START [--amount N] [--json]`: the due time of a named rule, with its legal source."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from weiyuan.clocks.rules import (
    AMOUNT_MIN,
    CHINA_TZ,
    RULES,
    START_MAX,
    START_MIN,
    UNIT_LABELS,
    amount_max,
    deadline_calculate,
    start_in_range,
)


def _valid_rules() -> str:
    return ", ".join(RULES)


def parse_start(value: str) -> dt.datetime:
    """An ISO date or date-time; a naive value is Beijing time (Asia/Shanghai), a bare date starts at 0:00."""
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            _("START「%(v)s」不是 ISO 日期或日期时间（例如 2026-02-13 或 2026-02-13T10:00）。可用规则：%(rules)s")
            % {"v": value, "rules": _valid_rules()}
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=CHINA_TZ)
    if not start_in_range(parsed):
        raise CommandError(
            _("START「%(v)s」超出可计算的范围：请填写 %(min)s 至 %(max)s 之间的日期（北京时间）。可用规则：%(rules)s")
            % {"v": value, "min": START_MIN.isoformat(), "max": START_MAX.isoformat(), "rules": _valid_rules()}
        )
    return parsed


class Command(BaseCommand):
    help = "Compute the due date or time of a named deadline rule and print its legal source."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("rule", metavar="RULE", help=f"one of: {_valid_rules()}")
        parser.add_argument("start", metavar="START", help="ISO date or datetime; naive values are Asia/Shanghai")
        parser.add_argument("--amount", type=int, default=None, help="override the rule's default length")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **opts: Any) -> None:
        code = opts["rule"]
        if code not in RULES:
            raise CommandError(
                _("RULE「%(v)s」不是已知的期限规则。可用规则：%(rules)s") % {"v": code, "rules": _valid_rules()}
            )
        start = parse_start(opts["start"])
        amount = opts["amount"]
        rule = RULES[code]
        if amount is not None and not AMOUNT_MIN <= amount <= amount_max(rule):
            raise CommandError(
                _(
                    "--amount 须为 %(min)s 到 %(max)s 之间的整数（规则 %(code)s 的单位：%(unit)s），"
                    "收到 %(v)s。可用规则：%(rules)s"
                )
                % {
                    "min": AMOUNT_MIN,
                    "max": amount_max(rule),
                    "code": code,
                    "unit": UNIT_LABELS[rule.unit],
                    "v": amount,
                    "rules": _valid_rules(),
                }
            )
        calc = deadline_calculate(code, start, amount=amount)
        due = calc.due_at.astimezone(CHINA_TZ)
        if opts["json"]:
            payload = {
                "rule": calc.rule.code,
                "start": calc.start.isoformat(),
                "due": due.isoformat(),
                "unit": str(calc.rule.unit),
                "amount": calc.amount,
                "source": str(calc.rule.source),
                "calendar_fallback": calc.calendar_fallback,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        lines = [
            _("规则：%(code)s（%(label)s）") % {"code": calc.rule.code, "label": calc.rule.label},
            _("起算：%(v)s") % {"v": calc.start.isoformat()},
            _("期限：%(n)s %(unit)s") % {"n": calc.amount, "unit": UNIT_LABELS[calc.rule.unit]},
            _("届满：%(v)s") % {"v": due.isoformat()},
        ]
        if calc.working_days is not None:
            lines.append(
                _("计入工作日：%(w)s（经过 %(d)s 个自然日）") % {"w": calc.working_days, "d": calc.calendar_days}
            )
        lines.append(_("依据：%(v)s") % {"v": calc.rule.source})
        if calc.calendar_fallback:
            lines.append(
                _("注意：官方节假日安排未覆盖 %(years)s 年，该年份只按周末计算。")
                % {"years": ", ".join(str(y) for y in calc.fallback_years)}
            )
        self.stdout.write("\n".join(lines))
