"""Named deadline rules, each with its legal or policy source. Computation lives in `compute_due`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

import chinese_calendar
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.clocks.calendar import WorkingCalendar, year_is_covered

CHINA_TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59)


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    HOURS = "hours"


UNIT_LABELS: dict[str, Promise] = {
    Unit.WORKING_DAYS: _("个工作日"),
    Unit.CALENDAR_DAYS: _("日（自然日）"),
    Unit.HOURS: _("小时"),
}


@dataclass(frozen=True)
class Rule:
    code: str
    label: Promise
    unit: Unit
    amount: int
    source: Promise
    # Who must act before the due time: "centre" (staff) or "applicant".
    owed_by: str = "centre"


# The generic `exhibition_defence` and `ecommerce_wait` were retired (issue #6): nothing started them any more, the
# fair complaints and the e-commerce listings use `fair_respondent_defence` and `ecommerce_counter_notice_wait`
# (the same unit, amount and owed_by). Migration clocks/0002 moved any clock still carrying an old code to the new
# one (the migration holds its own copy of this mapping), so its stored due time, pause and resume keep working.
RETIRED_RULES: dict[str, str] = {
    "exhibition_defence": "fair_respondent_defence",
    "ecommerce_wait": "ecommerce_counter_notice_wait",
}

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
            "ecommerce_counter_notice_wait",
            _("电商声明转送后权利人投诉或起诉期限"),
            Unit.CALENDAR_DAYS,
            15,
            _(
                "《电子商务法》第四十三条：平台转送的声明到达权利人后十五日内，未收到权利人已经投诉或者起诉通知的，"
                "平台应当及时终止所采取的措施；期间自次日起算，最后一日为法定休假日的，以休假日结束的次日为期间的最后一日"
            ),
            owed_by="rights_holder",
        ),
        Rule(
            "fair_respondent_defence",
            _("展会被投诉人提交答辩"),
            Unit.HOURS,
            24,
            _("展会知识产权保护规则：被投诉人自收到投诉通知起 24 小时内提交不侵权答辩及证据（可按展会配置）"),
            owed_by="respondent",
        ),
        Rule(
            "expert_invitation",
            _("专家答复邀请"),
            Unit.WORKING_DAYS,
            3,
            _("本平台规则：受邀专家在邀请发出后 3 个工作日内接受或谢绝，逾期邀请失效（可在邀请时调整）"),
            owed_by="expert",
        ),
        Rule(
            "referral_acknowledgement",
            _("合作单位签收移交"),
            Unit.WORKING_DAYS,
            3,
            _("本平台衔接规则：合作单位在移交发出后 3 个工作日内签收（《知识产权维权援助工作指引》第五部分衔接机制）"),
            owed_by="partner",
        ),
        Rule(
            "referral_progress",
            _("合作单位报告移交进展"),
            Unit.WORKING_DAYS,
            30,
            _("本平台衔接规则：签收或受理后每 30 个工作日至少报告一次进展，直至报告办理结果"),
            owed_by="partner",
        ),
        Rule(
            "survey_reminder",
            _("满意度评价提醒"),
            Unit.WORKING_DAYS,
            5,
            _("本平台回访规则：办结后满 5 个工作日仍未评价的，提醒申请人一次（可配置）"),
            owed_by="applicant",
        ),
        Rule(
            "complaint_reply",
            _("服务投诉答复"),
            Unit.WORKING_DAYS,
            15,
            _("本平台规则：上级机构自收到对下级机构服务的意见或投诉之日起 15 个工作日内答复（可配置）"),
        ),
    ]
}


# The range a deadline may be computed for (start dates in Beijing time): from 1 October 1949, since the rules count
# in the People's Republic's calendar, to 2200, far beyond any real case, and well inside what date arithmetic can
# represent (a start near 9999 would overflow).
START_MIN = dt.date(1949, 10, 1)
START_MAX = dt.date(2200, 12, 31)
# An explicit length must be at least one unit and at most about ten years (3650 days, 8760 hours = one year).
AMOUNT_MIN = 1
AMOUNT_MAX: dict[str, int] = {Unit.WORKING_DAYS: 3650, Unit.CALENDAR_DAYS: 3650, Unit.HOURS: 8760}


def start_in_range(start: dt.datetime) -> bool:
    """Whether `start` (aware, or naive meaning Beijing time) falls on a Beijing date in START_MIN..START_MAX."""
    try:
        day = start.astimezone(CHINA_TZ).date() if start.tzinfo is not None else start.date()
    except OverflowError:  # an offset that pushes year 1 or 9999 out of range
        return False
    return START_MIN <= day <= START_MAX


def amount_max(rule: Rule) -> int:
    return AMOUNT_MAX[rule.unit]


@dataclass(frozen=True)
class DueResult:
    due_at: dt.datetime
    calendar_fallback: bool
    rule: Rule
    amount: int


def compute_due(
    rule: Rule, start: dt.datetime, *, amount: int | None = None, calendar: WorkingCalendar | None = None
) -> DueResult:
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


@dataclass(frozen=True)
class RestDay:
    day: dt.date
    name: str


@dataclass(frozen=True)
class DeadlineCalculation:
    """Everything the calculator page and `manage.py deadline` show for one rule and start time."""

    rule: Rule
    start: dt.datetime
    due_at: dt.datetime
    amount: int
    calendar_days: int | None  # days from the start date to the due date (day rules only)
    working_days: int | None  # working days counted in (start date, due date] (day rules only)
    rest_days: list[RestDay]  # holidays and weekends skipped in that period, with the holiday's name
    calendar_fallback: bool
    fallback_years: list[int]


def _rest_day_name(day: dt.date, override_names: dict[dt.date, str]) -> str:
    if day in override_names:
        return override_names[day]
    if year_is_covered(day.year):
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        if on_holiday and name:
            return str(HOLIDAY_NAMES.get(name, name))
    return str(_("周末")) if day.weekday() >= 5 else ""


def _override_names(first: dt.date, last: dt.date) -> dict[dt.date, str]:
    from weiyuan.clocks.models import HolidayOverride

    return dict(HolidayOverride.objects.filter(date__gt=first, date__lte=last).values_list("date", "name"))


# chinese-calendar names holidays in English; show them in the UI language.
HOLIDAY_NAMES: dict[str, Promise] = {
    "New Year's Day": _("元旦"),
    "Spring Festival": _("春节"),
    "Tomb-sweeping Day": _("清明节"),
    "Labour Day": _("劳动节"),
    "Dragon Boat Festival": _("端午节"),
    "National Day": _("国庆节"),
    "Mid-autumn Festival": _("中秋节"),
    "Anti-Fascist 70th Day": _("中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"),
}


def deadline_calculate(rule_code: str, start: dt.datetime, *, amount: int | None = None) -> DeadlineCalculation:
    """Compute a rule's due time and explain it (working days counted, rest days skipped, calendar coverage).

    `start` must be timezone-aware; naive input is read as Asia/Shanghai by the callers. Raises ValueError for a
    start outside START_MIN..START_MAX or an amount outside AMOUNT_MIN..amount_max(rule): the form and the command
    check both first and answer with a message naming the field.
    """
    rule = RULES[rule_code]
    if not start_in_range(start):
        raise ValueError(f"start {start.isoformat()} is outside {START_MIN}..{START_MAX}")
    if amount is not None and not AMOUNT_MIN <= amount <= amount_max(rule):
        raise ValueError(f"amount {amount} is outside {AMOUNT_MIN}..{amount_max(rule)} for rule {rule_code}")
    calendar = WorkingCalendar()
    result = compute_due(rule, start, amount=amount, calendar=calendar)
    calendar_days = working_days = None
    rest_days: list[RestDay] = []
    if rule.unit != Unit.HOURS:
        first = start.astimezone(CHINA_TZ).date()
        last = result.due_at.astimezone(CHINA_TZ).date()
        calendar_days = (last - first).days
        working_days = calendar.working_days_between(first, last)
        override_names = _override_names(first, last) if calendar.overrides else {}
        day = first
        while day < last:
            day += dt.timedelta(days=1)
            if not calendar.is_working_day(day):
                rest_days.append(RestDay(day, _rest_day_name(day, override_names)))
    return DeadlineCalculation(
        rule=rule,
        start=start,
        due_at=result.due_at,
        amount=result.amount,
        calendar_days=calendar_days,
        working_days=working_days,
        rest_days=rest_days,
        calendar_fallback=result.calendar_fallback or calendar.use.fallback,
        fallback_years=sorted(calendar.use.fallback_years),
    )
