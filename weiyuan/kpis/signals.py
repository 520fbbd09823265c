"""Marking the (centre, month) partitions whose figures a write changed, in the writing transaction.

A case marks the months of its submission and conclusion at its centre, before and after the write (a transfer or
a reopening moves it between partitions); a transfer also marks, at both centres, the months of the clocks the case
ended and of its referrals and expert tasks. The other sources mark their own month when written or deleted.
`QuerySet.update()` sends no signal: the few bulk updates of these tables leave the nightly `kpi_rebuild` to catch
up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models.signals import post_init, post_save, pre_delete, pre_save
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


TRACKED = ("centre_id", "submitted_at", "concluded_at")


def _remember(instance: Any, centre_id: int | None, submitted: Any, concluded: Any) -> None:
    instance._kpi_pairs = _case_pairs(centre_id, submitted, concluded)
    instance._kpi_centre = centre_id


def case_loaded(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Read the loaded values only: touching a deferred field here would load it, and loading runs this again.
    values = instance.__dict__
    if all(name in values for name in TRACKED):
        _remember(instance, *(values[name] for name in TRACKED))
    else:
        instance._kpi_pairs = None  # unknown: case_saving reads the stored row before the write


def case_saving(sender: Any, instance: Any, **kwargs: Any) -> None:
    if getattr(instance, "_kpi_pairs", None) is None and instance.pk is not None:
        from weiyuan.cases.models import Case

        stored = Case.objects_unscoped.filter(pk=instance.pk).values_list(*TRACKED).first()
        if stored is not None:
            _remember(instance, *stored)


def _moved_months(case_id: int) -> set[dt.date]:
    """The months of the rows that count at the case's centre without being in its own partitions: the clocks it
    ended, its referrals and expert tasks (a transfer moves them; surveys and visits keep the centre they name)."""
    from weiyuan.cases.models import CaseAssignment
    from weiyuan.clocks.models import Clock, ClockState
    from weiyuan.referrals.models import Referral

    moments = [
        *Clock.objects.filter(case_id=case_id, state=ClockState.MET).values_list("finished_at", flat=True),
        *Referral.objects.filter(case_id=case_id).values_list("sent_at", flat=True),
        *CaseAssignment.objects.filter(case_id=case_id, kind=CaseAssignment.Kind.EXPERT).values_list(
            "created_at", flat=True
        ),
    ]
    return {m for m in map(_month, moments) if m is not None}


def case_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    now = _case_pairs(instance.centre_id, instance.submitted_at, instance.concluded_at)
    pairs = now | (getattr(instance, "_kpi_pairs", None) or set())
    before_centre = getattr(instance, "_kpi_centre", instance.centre_id)
    if before_centre is not None and before_centre != instance.centre_id and instance.pk is not None:
        months = _moved_months(instance.pk)
        pairs |= {(c, m) for c in (before_centre, instance.centre_id) for m in months}
    mark(pairs)
    _remember(instance, instance.centre_id, instance.submitted_at, instance.concluded_at)


def case_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    mark(_case_pairs(instance.centre_id, instance.submitted_at, instance.concluded_at) | (instance._kpi_pairs or set()))


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


def _expert_task_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.kind == "expert":
        _assignment_saved(sender, instance, **kwargs)


def connect() -> None:
    from weiyuan.cases.models import Case, CaseAssignment
    from weiyuan.clocks.models import Clock
    from weiyuan.feedback.models import ReturnVisit, Survey
    from weiyuan.referrals.models import Referral

    post_init.connect(case_loaded, sender=Case, dispatch_uid="kpis_case_loaded")
    pre_save.connect(case_saving, sender=Case, dispatch_uid="kpis_case_saving")
    post_save.connect(case_saved, sender=Case, dispatch_uid="kpis_case_saved")
    pre_delete.connect(case_deleting, sender=Case, dispatch_uid="kpis_case_deleted")
    # The other sources mark their month when written and when deleted (with their case, for one).
    for model, handler, name in (
        (Clock, clock_saved, "clock"),
        (Survey, _survey_saved, "survey"),
        (ReturnVisit, _visit_saved, "visit"),
        (Referral, _referral_saved, "referral"),
        (CaseAssignment, _expert_task_saved, "assignment"),
    ):
        post_save.connect(handler, sender=model, weak=False, dispatch_uid=f"kpis_{name}_saved")
        pre_delete.connect(handler, sender=model, weak=False, dispatch_uid=f"kpis_{name}_deleted")
