"""Who hears about a referral, and what they read: notices through the outbox (rows written in the caller's
transaction, in each recipient's language) and webhooks to the partner organisation (also rows in the caller's
transaction, sent later by the webhook sweep)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.cases.services.common import centre_staff
from weiyuan.core.choices import Role
from weiyuan.notifications.services import Notice, outbox_enqueue
from weiyuan.referrals.models import Referral


def partner_accounts(organisation_id: int) -> list[Any]:
    """The active accounts acting for the organisation (active partner role, active organisation membership)."""
    from weiyuan.accounts.models import User

    return list(
        User.objects.filter(
            is_active=True,
            partner_membership__organisation_id=organisation_id,
            partner_membership__active=True,
            memberships__role=Role.PARTNER,
            memberships__active=True,
        ).distinct()
    )


def staff_recipients(referral: Referral) -> list[Any]:
    """The centre side of a referral: whoever sent it and the case's handler."""
    people: dict[int, Any] = {referral.sent_by_id: referral.sent_by}
    if referral.case.handler_id:
        people[referral.case.handler_id] = referral.case.handler
    return list(people.values())


def handler_recipients(referral: Referral) -> list[Any]:
    """The first escalation: the case's handler (or whoever sent the referral when none is assigned)."""
    return [referral.case.handler] if referral.case.handler_id else [referral.sent_by]


def director_recipients(referral: Referral) -> list[Any]:
    return centre_staff(referral.case.centre_id, Role.DIRECTOR)


def partner_url(referral: Referral) -> str:
    return f"/referrals/{referral.pk}/"


def _texts(stage: str) -> tuple[str, str]:
    subjects = {
        "created": _("移交：案件 %(number)s（%(centre)s）"),
        "acknowledged": _("合作单位已签收：%(org)s（%(number)s）"),
        "accepted": _("合作单位已受理：%(org)s（%(number)s）"),
        "declined": _("合作单位不予受理：%(org)s（%(number)s）"),
        "progress": _("合作单位报告进展：%(org)s（%(number)s）"),
        "concluded": _("合作单位报告办理结果：%(org)s（%(number)s）"),
        "withdrawn": _("移交已撤回：案件 %(number)s"),
        "chase": _("请尽快办理移交：案件 %(number)s"),
        "escalate_handler": _("移交逾期：%(org)s（%(number)s）"),
        "escalate_director": _("移交逾期升级：%(org)s（%(number)s）"),
    }
    bodies = {
        "created": _("%(centre)s将案件 %(number)s 移交贵单位，请在 %(due)s 前签收。"),
        "acknowledged": _("%(org)s已签收案件 %(number)s 的移交。"),
        "accepted": _("%(org)s已受理案件 %(number)s 的移交。"),
        "declined": _("%(org)s对案件 %(number)s 的移交不予受理。理由：%(reason)s"),
        "progress": _("%(org)s报告了案件 %(number)s 的办理进展。"),
        "concluded": _("%(org)s报告了案件 %(number)s 的办理结果：%(outcome)s。"),
        "withdrawn": _("%(centre)s撤回了案件 %(number)s 的移交。理由：%(reason)s"),
        "chase": _("案件 %(number)s 的移交%(what)s期限为 %(due)s，已逾期，请尽快办理。"),
        "escalate_handler": _("%(org)s未在 %(due)s 前%(what)s（案件 %(number)s），已催告，请跟进。"),
        "escalate_director": _("%(org)s逾期未%(what)s（案件 %(number)s，期限 %(due)s），催告和承办人跟进后仍未办理。"),
    }
    return subjects[stage], bodies[stage]


def notify(referral: Referral, recipients: list[Any], stage: str, *, key: str = "") -> None:
    """Queue the notice of one stage to the recipients; `key` distinguishes repeated stages (a chase per due time)."""
    case = referral.case

    def notice() -> Notice:
        subject, body = _texts(stage)
        due_at = referral.current_due_at or referral.ack_due_at
        what = _("签收") if referral.state == "sent" else _("报告进展")
        values = {
            "number": case.tracking_number,
            "centre": case.centre.display_name,
            "org": referral.organisation.display_name,
            "due": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M"),
            "reason": referral.decline_reason or referral.withdrawn_reason,
            "outcome": referral.get_outcome_kind_display(),
            "what": what,
        }
        url = partner_url(referral)
        return Notice(kind=f"referral.{stage}", subject=subject % values, body=body % values, url=url)

    outbox_enqueue(
        recipients=recipients, notice=notice, dedupe_key=f"referral:{referral.pk}:{stage}{':' + key if key else ''}"
    )


def webhook_payload(referral: Referral) -> dict[str, Any]:
    """What the partner's receiver gets: identifiers and the state; the rest through the API."""
    return {
        "referral_id": referral.pk,
        "case": referral.case.tracking_number,
        "state": referral.state,
        "sent_at": referral.sent_at.isoformat(),
        "ack_due_at": referral.ack_due_at.isoformat(),
        "url": f"/api/v1/referrals/{referral.pk}",
    }


def webhook(referral: Referral, event: str) -> None:
    """Owe the partner a webhook for `event` (in the caller's transaction), when the webhooks app is installed."""
    try:
        from weiyuan.webhooks.services import webhook_enqueue
    except ImportError:  # pragma: no cover - the webhooks app is part of the product; kept optional for now
        return
    webhook_enqueue(organisation=referral.organisation, event=event, payload=webhook_payload(referral))
