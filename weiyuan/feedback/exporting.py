"""The return-visit list as a table for Excel and CSV (weiyuan/core/tabular.py streams it): the call list of the
visits due and the record of the visits done, as the queue's filters select them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

CHUNK = 2000


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("是") if value else _("否"))


def visit_table(visits: QuerySet[Any]) -> tuple[list[str], Iterator[list[Any]]]:
    headers = [
        _("回访日期"), _("办结后天数"), _("案件编号"), _("事项"), _("服务类型"), _("申请人"), _("机构"), _("状态"),
        _("回访时间"), _("是否联系上申请人"), _("回访方式"), _("纠纷是否已解决"), _("申请人反映的结果"),
        _("估计避免损失（元）"), _("新的需求"), _("与合作单位反馈的结果不一致"),
    ]  # fmt: skip

    def rows() -> Iterator[list[Any]]:
        for v in visits.iterator(chunk_size=CHUNK):
            yield [
                v.due_on,
                v.days_after,
                v.case.tracking_number,
                v.case.title,
                v.case.service_type.display_name,
                v.case.applicant_name,
                v.centre.display_name,
                v.get_state_display(),
                timezone.localtime(v.done_at).strftime("%Y-%m-%d %H:%M") if v.done_at else "",
                _yes_no(v.reached),
                v.get_channel_display() if v.channel else "",
                _yes_no(v.dispute_resolved),
                v.get_applicant_outcome_display() if v.applicant_outcome else "",
                v.loss_avoided_yuan,
                v.new_needs,
                _("是") if v.referral_mismatch else "",
            ]

    return headers, rows()
