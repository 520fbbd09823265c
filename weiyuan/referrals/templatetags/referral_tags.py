"""The referrals section of a case page (`{% case_referrals case %}`), shown to the staff of the case's centre and
supervisors (`referral:view_case_section`); the send button to those who may refer the case."""

from __future__ import annotations

from typing import Any

from django import template

from weiyuan.access.referrals import ReferralPermission, case_referral_decide
from weiyuan.referrals.selectors import case_referrals as case_referrals_of
from weiyuan.referrals.selectors import inbound_of
from weiyuan.referrals.services import REFERRABLE_CASE_STATES

register = template.Library()


@register.inclusion_tag("referrals/_case_section.html", takes_context=True)
def case_referrals(context: dict[str, Any], case: Any) -> dict[str, Any]:
    user = context.get("user")
    if case.state == "draft" or not case_referral_decide(user, ReferralPermission.VIEW_CASE_SECTION, case):
        return {"visible": False}
    may_send = case.state in REFERRABLE_CASE_STATES and bool(
        case_referral_decide(user, ReferralPermission.CREATE, case)
    )
    return {
        "visible": True,
        "case": case,
        "referrals": case_referrals_of(case=case),
        "inbound": inbound_of(case=case),
        "may_send": may_send,
    }
