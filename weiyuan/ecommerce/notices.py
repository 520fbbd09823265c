"""Who hears about a notice and its listings, and what they read: notices through the outbox (rows written in the
caller's transaction, in each recipient's language) and signed webhooks to the platform (rows in the caller's
transaction, sent by the webhook sweep)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.core.punctuation import join_list
from weiyuan.ecommerce.models import Listing, Notice
from weiyuan.notifications.services import Notice as OutboxNotice
from weiyuan.notifications.services import outbox_enqueue


def platform_accounts(notice: Notice) -> list[Any]:
    from weiyuan.referrals.notices import partner_accounts

    return partner_accounts(notice.platform_id)


def notice_url(notice: Notice) -> str:
    return f"/ecommerce/notices/{notice.pk}/"


def _texts(stage: str) -> tuple[str, str]:
    subjects = {
        "sent": _("电商侵权通知 %(number)s：%(count)s 条链接"),
        "measures": _("平台已采取措施：通知 %(number)s"),
        "rejected": _("平台未采取措施：通知 %(number)s"),
        "counter_notice": _("收到卖家声明：通知 %(number)s（请在 %(due)s 前投诉或起诉）"),
        "complaint": _("权利人已投诉或起诉：通知 %(number)s"),
        "restored": _("十五日期满，措施已终止：通知 %(number)s"),
    }
    bodies = {
        "sent": _(
            "%(holder)s通过%(centre)s向贵平台发出侵权通知 %(number)s，涉及 %(count)s 条链接。"
            "请依《电子商务法》第四十二条及时采取必要措施，并将通知转送平台内经营者。"
        ),
        "measures": _("%(platform)s已对通知 %(number)s 的链接第 %(position)s 条采取措施：%(measures)s。"),
        "rejected": _("%(platform)s未对通知 %(number)s 的链接第 %(position)s 条采取措施。理由：%(reason)s"),
        "counter_notice": _(
            "通知 %(number)s 的链接第 %(position)s 条收到平台内经营者的不存在侵权行为的声明。"
            "依《电子商务法》第四十三条，请在 %(due)s 前向有关主管部门投诉或者向人民法院起诉，并在本平台登记；"
            "逾期未登记的，平台将终止所采取的措施。"
        ),
        "complaint": _("权利人已就通知 %(number)s 的链接第 %(position)s 条%(kind)s，所采取的措施应继续保持。"),
        "restored": _(
            "通知 %(number)s 的链接第 %(position)s 条：声明到达权利人后十五日内未收到投诉或起诉通知"
            "（期限 %(due)s），依《电子商务法》第四十三条应终止所采取的措施。"
        ),
    }
    return subjects[stage], bodies[stage]


def notify(notice: Notice, recipients: list[Any], stage: str, *, listing: Listing | None = None) -> None:
    """Queue the notice of one stage (deduplicated per notice, listing and stage)."""

    def build() -> OutboxNotice:
        from weiyuan.ecommerce.models import Measure

        subject, body = _texts(stage)
        due = listing.wait_due_at if listing is not None else None
        values = {
            "number": notice.number or notice.pk,
            "count": notice.listings.count() if listing is None else 1,
            "holder": notice.right_owner,
            "centre": notice.centre.display_name,
            "platform": notice.platform.display_name,
            "position": listing.position if listing else "",
            "measures": join_list(Measure(m).label for m in (listing.measures if listing else [])),
            "reason": listing.rejection_reason if listing else "",
            "kind": listing.get_complaint_kind_display() if listing else "",
            "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "",
        }
        return OutboxNotice(
            kind=f"ecommerce.{stage}", subject=subject % values, body=body % values, url=notice_url(notice)
        )

    key = f"ecommerce:{notice.pk}:{listing.pk if listing else 0}:{stage}"
    outbox_enqueue(recipients=recipients, notice=build, dedupe_key=key)


def positions_text(positions: Sequence[int]) -> str:
    """Listing positions as short runs: [1, 2, 3, 5, 7, 8] -> "1-3、5、7-8"."""
    runs: list[list[int]] = []
    for position in sorted(set(positions)):
        if runs and position == runs[-1][1] + 1:
            runs[-1][1] = position
        else:
            runs.append([position, position])
    return str(_("、")).join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def notify_measures_batch(notice: Notice, recipients: list[Any], listings: Sequence[Listing]) -> None:
    """One notice per recipient for measures taken on several listings at once (the per-listing steps and audit
    events stay): which listings, which measures. Deduplicated per batch (the set of listings: each listing takes
    measures once, so a batch is never repeated by a later one)."""
    if not listings:
        return
    ids = ",".join(str(pk) for pk in sorted(li.pk for li in listings))
    digest = hashlib.sha256(ids.encode()).hexdigest()[:16]

    def build() -> OutboxNotice:
        from weiyuan.ecommerce.models import Measure

        values = {
            "number": notice.number or notice.pk,
            "platform": notice.platform.display_name,
            "count": len(listings),
            "positions": positions_text([li.position for li in listings]),
            "measures": join_list(Measure(m).label for m in (listings[0].measures or [])),
        }
        subject = _("平台已采取措施：通知 %(number)s，%(count)s 条链接") % values
        body = (
            _("%(platform)s已对通知 %(number)s 的 %(count)s 条链接（第 %(positions)s 条）采取措施：%(measures)s。")
            % values
        )
        return OutboxNotice(kind="ecommerce.measures", subject=subject, body=body, url=notice_url(notice))

    outbox_enqueue(recipients=recipients, notice=build, dedupe_key=f"ecommerce:{notice.pk}:batch:{digest}:measures")


def holder_recipients(notice: Notice) -> list[Any]:
    return [notice.sender]


def webhook_payload(notice: Notice, listing: Listing | None = None) -> dict[str, Any]:
    """Identifiers and state only; the receiver fetches the rest through the API."""
    payload: dict[str, Any] = {
        "notice_id": notice.pk,
        "number": notice.number,
        "fast_lane": notice.fast_lane,
        "sent_at": notice.sent_at.isoformat() if notice.sent_at else None,
        "url": f"/api/v1/ecommerce/notices/{notice.pk}",
    }
    if listing is not None:
        payload["listing"] = {
            "id": listing.pk,
            "position": listing.position,
            "url": listing.url,
            "state": listing.state,
            "wait_due_at": listing.wait_due_at.isoformat() if listing.wait_due_at else None,
        }
    else:
        payload["listings"] = notice.listings.count()
    return payload


def webhook(notice: Notice, event: str, listing: Listing | None = None) -> None:
    from weiyuan.webhooks.services import webhook_enqueue

    webhook_enqueue(organisation=notice.platform, event=event, payload=webhook_payload(notice, listing))
