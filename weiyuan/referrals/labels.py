"""Names of the case timeline steps that referrals record (`CaseEvent.action`), for the case page's
`event_label` filter (weiyuan/cases/templatetags/case_tags.py) to merge into its labels."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENT_LABELS: dict[str, Promise] = {
    "referral_sent": _("移交合作单位"),
    "referral_acknowledged": _("合作单位签收"),
    "referral_accepted": _("合作单位受理"),
    "referral_declined": _("合作单位不予受理"),
    "referral_progress": _("合作单位报告进展"),
    "referral_concluded": _("合作单位报告办理结果"),
    "referral_withdrawn": _("撤回移交"),
}
