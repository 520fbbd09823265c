"""Small display helpers for the case pages: labels for codes, clock urgency, JSON of audit events."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from weiyuan.cases.models import CaseState
from weiyuan.cases.transitions import TRANSITIONS_BY_ACTION
from weiyuan.clocks.models import ClockState
from weiyuan.clocks.rules import RULES
from weiyuan.referrals.labels import EVENT_LABELS as REFERRAL_EVENT_LABELS

register = template.Library()

SOON = dt.timedelta(days=3)


@register.filter
def state_label(code: str) -> str:
    try:
        return str(CaseState(code).label)
    except ValueError:
        return code


@register.filter
def rule_label(code: str) -> str:
    rule = RULES.get(code)
    return str(rule.label) if rule else code


@register.filter
def rule_source(code: str) -> str:
    rule = RULES.get(code)
    return str(rule.source) if rule else ""


@register.filter
def event_label(action: str) -> str:
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is not None:
        return str(transition.label)
    labels: dict[str, Any] = {
        "create": _("登记申请"),
        "share_grant": _("授权协同办理"),
        "share_revoke": _("撤销协同办理"),
        # Consultations (weiyuan/consultations): the applicant's one follow-up and its answer.
        "follow_up": _("追问"),
        "follow_up_answer": _("答复追问"),
    }
    # Referrals (weiyuan/referrals): sent, acknowledged, decided, the partner's real outcome.
    labels.update(REFERRAL_EVENT_LABELS)
    return str(labels.get(action, action))


@register.filter
def due_css(due_at: dt.datetime | None) -> str:
    """clock-overdue / clock-soon / clock-ok for a due time (of a running clock)."""
    if due_at is None:
        return ""
    now = timezone.now()
    if due_at < now:
        return "clock-overdue"
    if due_at - now <= SOON:
        return "clock-soon"
    return "clock-ok"


@register.filter
def clock_css(clock: Any) -> str:
    if clock.state != ClockState.RUNNING:
        return ""
    return due_css(clock.due_at)


@register.filter
def remaining(due_at: dt.datetime | None) -> str:
    """ "还剩 3 天" / "今天到期" / "已逾期 2 天", counted in calendar days in China time."""
    if due_at is None:
        return ""
    today = timezone.localdate()
    days = (timezone.localtime(due_at).date() - today).days
    if days > 0:
        return ngettext("还剩 %(n)s 天", "还剩 %(n)s 天", days) % {"n": days}
    if days == 0:
        return _("今天到期") if due_at >= timezone.now() else _("今天已逾期")
    return ngettext("已逾期 %(n)s 天", "已逾期 %(n)s 天", -days) % {"n": -days}


@register.filter
def pretty_json(value: Any) -> str:
    if value in (None, {}, []):
        return ""
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str)


@register.filter
def paused_remaining(clock: Any) -> str:
    """What is left of a paused clock: working days for working-day rules, otherwise days and hours."""
    from weiyuan.clocks.rules import Unit

    if clock.remaining_units is None:
        return ""
    rule = RULES.get(clock.rule)
    if rule is not None and rule.unit == Unit.WORKING_DAYS:
        n = int(clock.remaining_units)
        return ngettext("剩余 %(n)s 个工作日", "剩余 %(n)s 个工作日", n) % {"n": n}
    seconds = int(clock.remaining_units)
    days, rest = divmod(seconds, 86400)
    return _("剩余 %(d)s 天 %(h)s 小时") % {"d": days, "h": rest // 3600}
