"""Named deadline rules, each with its legal or policy source. Computation lives in `compute_due`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _
from django.utils.functional import Promise

from weiyuan.clocks.calendar import WorkingCalendar

CHINA_TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59)


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    HOURS = "hours"


@dataclass(frozen=True)
class Rule:
    code: str
    label: Promise
    unit: Unit
    amount: int
    source: Promise
    # Who must act before the due time: "centre" (staff) or "applicant".
    owed_by: str = "centre"


RULES: dict[str, Rule] = {
    r.code: r
    for r in [
        Rule(
            "acceptance",
            _("受理审查"),
            Unit.WORKING_DAYS,
            5,
            _("国家知识产权局《知识产权维权援助工作指引》（2020年第22号）第六部分；可按服务类型和机构配置"),
        ),
        Rule(
            "info_response",
            _("补正材料"),
            Unit.CALENDAR_DAYS,
            15,
            _("本平台补正期限；期间计算依《民法典》第二百零一条至第二百零三条"),
            owed_by="applicant",
        ),
        Rule(
            "handling",
            _("办理"),
            Unit.WORKING_DAYS,
            30,
            _("国家知识产权局《知识产权维权援助工作指引》（2020年第22号）；可按服务类型和机构配置"),
        ),
        Rule(
            "exhibition_defence",
            _("展会被投诉人答辩"),
            Unit.HOURS,
            24,
            _("展会知识产权保护办法及展会主办方规则：被投诉人 24 小时内提交不侵权证据（可按展会配置）"),
            owed_by="respondent",
        ),
        Rule(
            "ecommerce_wait",
            _("电商声明后等待期"),
            Unit.CALENDAR_DAYS,
            15,
            _("《电子商务法》第四十三条：平台转送声明到达权利人后十五日内"),
            owed_by="rights_holder",
        ),
    ]
}


@dataclass(frozen=True)
class DueResult:
    due_at: dt.datetime
    calendar_fallback: bool
    rule: Rule
    amount: int


def compute_due(rule: Rule, start: dt.datetime, *, amount: int | None = None, calendar: WorkingCalendar | None = None) -> DueResult:
    """When an obligation that starts at `start` falls due under `rule`.

    - hours: exact hours from the start;
    - working days: counting starts the next day, the period ends at the end of the N-th working day;
    - calendar days (Civil Code Art. 201-203): counting starts the next day; a period whose last day is a
      statutory holiday or rest day ends on the first working day after it, at the end of that day.
    """
    calendar = calendar or WorkingCalendar()
    n = rule.amount if amount is None else amount
    if rule.unit == Unit.HOURS:
        return DueResult(start + dt.timedelta(hours=n), False, rule, n)
    local_start = start.astimezone(CHINA_TZ).date()
    if rule.unit == Unit.WORKING_DAYS:
        last_day = calendar.add_working_days(local_start, n)
    else:
        last_day = calendar.next_working_day(local_start + dt.timedelta(days=n))
    due = dt.datetime.combine(last_day, END_OF_DAY, tzinfo=CHINA_TZ)
    return DueResult(due, calendar.use.fallback, rule, n)
