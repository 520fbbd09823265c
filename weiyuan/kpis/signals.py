"""Marking the (centre, month) partitions whose figures a write changed, in the writing transaction.

A case marks the months of its submission and conclusion at its centre, before and after the write (a transfer or
a reopening moves it between partitions); the other sources mark their own month. `QuerySet.update()` sends no
signal: the few bulk updates of these tables leave the nightly `kpi_rebuild` to catch up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models.signals import post_init, post_save, pre_delete
from django.utils import timezone

from weiyuan.kpis.aggregate import month_start

Pair = tuple[int, dt.date]


def _month(value: dt.datetime | dt.date | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return month_start(value)


def _case_pairs(centre_id: int | None, *moments: Any) -> set[Pair]:
    if centre_id is None:
        return set()
    return {(centre_id, m) for m in map(_month, moments) if m is not None}


def mark(pairs: set[Pair]) -> None:
    from weiyuan.kpis.models import KpiDirty

    if pairs:
        KpiDirty.objects.bulk_create([KpiDirty(centre_id=c, month=m) for c, m in sorted(pairs)], ignore_conflicts=True)


def _case_centre_id(instance: Any) -> int | None:
    case = instance._state.fields_cache.get("case")
    if case is not None:
        return int(case.centre_id)
    from weiyuan.cases.models import Case

    return Case.objects_unscoped.filter(pk=instance.case_id).values_list("centre_id", flat=True).first()


def case_loaded(sender: Any, instance: Any, **kwargs: Any) -> None:
    instance._kpi_pairs = _case_pairs(instance.centre_id, instance.submitted_at, instance.concluded_at)


def case_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    now = _case_pairs(instance.centre_id, instance.submitted_at, instance.concluded_at)
    mark(now | getattr(instance, "_kpi_pairs", set()))
    instance._kpi_pairs = now


def clock_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.finished_at is not None:
        centre_id = _case_centre_id(instance)
        mark(_case_pairs(centre_id, instance.finished_at))


def own_centre_saved(field: str) -> Any:
    def handler(sender: Any, instance: Any, **kwargs: Any) -> None:
        mark(_case_pairs(instance.centre_id, getattr(instance, field)))

    return handler


def via_case_saved(field: str) -> Any:
    def handler(sender: Any, instance: Any, **kwargs: Any) -> None:
        mark(_case_pairs(_case_centre_id(instance), getattr(instance, field)))

    return handler


_survey_saved = own_centre_saved("created_at")
_visit_saved = own_centre_saved("due_on")
_referral_saved = via_case_saved("sent_at")
_assignment_saved = via_case_saved("created_at")


def connect() -> None:
    from weiyuan.cases.models import Case, CaseAssignment
    from weiyuan.clocks.models import Clock
    from weiyuan.feedback.models import ReturnVisit, Survey
    from weiyuan.referrals.models import Referral

    post_init.connect(case_loaded, sender=Case, dispatch_uid="kpis_case_loaded")
    post_save.connect(case_saved, sender=Case, dispatch_uid="kpis_case_saved")
    pre_delete.connect(case_saved, sender=Case, dispatch_uid="kpis_case_deleted")
    post_save.connect(clock_saved, sender=Clock, dispatch_uid="kpis_clock_saved")
    post_save.connect(_survey_saved, sender=Survey, dispatch_uid="kpis_survey_saved")
    post_save.connect(_visit_saved, sender=ReturnVisit, dispatch_uid="kpis_visit_saved")
    post_save.connect(_referral_saved, sender=Referral, dispatch_uid="kpis_referral_saved")
    post_save.connect(
        lambda sender, instance, **kw: instance.kind == "expert" and _assignment_saved(sender, instance, **kw),
        sender=CaseAssignment,
        weak=False,
        dispatch_uid="kpis_assignment_saved",
    )
