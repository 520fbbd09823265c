"""Who hears about a complaint at a fair station, through the outbox (rows written in the caller's transaction, in
each recipient's language): the respondent's account when the notice is served online, the complainant's and the
respondent's accounts when the experts decide, the organiser's accounts when a respondent refuses to comply."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.exhibitions.models import Complaint
from weiyuan.notifications.services import Notice as OutboxNotice
from weiyuan.notifications.services import outbox_enqueue


def complaint_url(complaint: Complaint) -> str:
    return f"/exhibitions/complaints/{complaint.pk}/"


def _texts(stage: str) -> tuple[str, str]:
    subjects = {
        "served": _("展会投诉通知 %(number)s：请在 %(due)s 前答辩"),
        "decided": _("展会投诉 %(number)s 已有判定：%(outcome)s"),
        "refused": _("参展商拒不配合处理：展会投诉 %(number)s"),
    }
    bodies = {
        "served": _(
            "%(complainant)s在%(event)s就贵方展位 %(booth)s 的展品提出知识产权侵权投诉（%(number)s）。"
            "请在 %(due)s 前向%(centre)s工作站提交不侵权答辩及证据；逾期未答辩的，值班专家将依现有材料作出判定。"
        ),
        "decided": _("%(event)s展会投诉 %(number)s（展位 %(booth)s）：值班专家的判定为「%(outcome)s」。"),
        "refused": _(
            "%(event)s展位 %(booth)s 的参展商%(company)s经值班专家认定展品侵权（投诉 %(number)s），"
            "但拒不采取撤展、遮盖或撤回宣传资料等措施。情况：%(note)s。请主办方依展会规则处理。"
        ),
    }
    return subjects[stage], bodies[stage]


def notify(complaint: Complaint, recipients: list[Any], stage: str) -> None:
    """Queue the notice of one stage (deduplicated per complaint and stage)."""

    def build() -> OutboxNotice:
        subject, body = _texts(stage)
        station = complaint.station
        values = {
            "number": complaint.number or complaint.pk,
            "complainant": complaint.complainant,
            "event": station.event.name,
            "centre": station.centre.display_name,
            "booth": complaint.respondent.booth,
            "company": complaint.respondent.company,
            "due": timezone.localtime(complaint.defence_due_at).strftime("%Y-%m-%d %H:%M")
            if complaint.defence_due_at
            else "",
            "outcome": complaint.get_state_display(),
            "note": complaint.refusal_note,
        }
        return OutboxNotice(
            kind=f"exhibitions.{stage}", subject=subject % values, body=body % values, url=complaint_url(complaint)
        )

    outbox_enqueue(
        recipients=[r for r in recipients if r is not None],
        notice=build,
        dedupe_key=f"exhibitions:{complaint.pk}:{stage}",
    )
