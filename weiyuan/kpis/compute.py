"""Recomputing the own figures of centres for a span of months from the rows they summarise.

Each source is read once with `values_list` (no model instances) in chunks, and each row is added to the
(centre, month) it belongs to:

| source | month of | counts |
|---|---|---|
| cases | submission | applications, accepted and rejected of that cohort, priority, days to accept, breakdowns |
| cases | conclusion | concluded, working days from submission to conclusion, outcomes, breakdowns' "concluded" |
| clocks | finish | clocks that ended met, and how many by their due time (per rule) |
| surveys | sending | sent, answered, the sum of overall scores, per-question sums, the score distribution |
| return visits | due date | due by today (or done), done |
| referrals | sending | referrals by partner kind and their state or outcome |
| expert tasks | assignment | expert tasks |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from weiyuan.kpis.aggregate import Agg, bump, empty, month_start
from weiyuan.kpis.workdays import WorkingDayIndex

CHUNK = 5000
Key = tuple[int, dt.date]


def local_bounds(first_month: dt.date, end_month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware datetimes of the first moment of `first_month` and of `end_month` (exclusive), local time."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first_month, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(end_month, dt.time.min, tzinfo=tz)
    return start, end


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


class Collector:
    """Own figures for the months in [first_month, end_month) of the centres `centre_ids` (None: every centre)."""

    def __init__(
        self,
        first_month: dt.date,
        end_month: dt.date,
        centre_ids: Iterable[int] | None = None,
        *,
        today: dt.date | None = None,
        workdays: WorkingDayIndex | None = None,
        progress: Callable[[int], object] | None = None,
    ) -> None:
        self.start, self.end = local_bounds(first_month, end_month)
        self.centre_ids = None if centre_ids is None else sorted(set(centre_ids))
        self.today = today or timezone.localdate()
        self.workdays = workdays or WorkingDayIndex()
        self.progress = progress or (lambda n: None)
        self.result: dict[Key, Agg] = {}
        self._service_codes: dict[int, str] = {}

    def agg(self, centre_id: int, when: dt.date) -> Agg:
        key = (centre_id, month_start(when))
        agg = self.result.get(key)
        if agg is None:
            agg = self.result[key] = empty()
        return agg

    def _centre_q(self, field: str) -> Q:
        return Q() if self.centre_ids is None else Q(**{f"{field}__in": self.centre_ids})

    def _rows(self, qs: Any, fields: tuple[str, ...]) -> Iterable[tuple[Any, ...]]:
        n = 0
        for row in qs.values_list(*fields).iterator(chunk_size=CHUNK):
            yield row
            n += 1
            if n % CHUNK == 0:
                self.progress(CHUNK)
        self.progress(n % CHUNK)

    def run(self) -> dict[Key, Agg]:
        from weiyuan.cases.models import ServiceType

        self._service_codes = dict(ServiceType.objects.values_list("id", "code"))
        self.submitted_cases()
        self.concluded_cases()
        self.clocks()
        self.surveys()
        self.return_visits()
        self.referrals()
        self.expert_tasks()
        return self.result

    def _dimensions(self, row: dict[str, Any]) -> Iterable[tuple[str, str]]:
        region = row["region"] or ""
        yield "ip_type", row["ip_type"]
        yield "service_type", self._service_codes.get(row["service_type"], "")
        yield "channel", row["channel"]
        yield "region", region[:2] + "0000" if region else ""
        yield "industry", row["industry"] or ""
        yield "priority_group", row["priority_group"] or ""

    def submitted_cases(self) -> None:
        from weiyuan.cases.models import Case, CaseState

        qs = Case.objects_unscoped.filter(
            self._centre_q("centre_id"), submitted_at__gte=self.start, submitted_at__lt=self.end
        )
        fields = ("centre_id", "submitted_at", "accepted_at", "state", "priority_group", "ip_type",
                  "service_type_id", "channel", "applicant_region_id", "industry")  # fmt: skip
        for centre_id, submitted, accepted, state, priority, ip_type, service, channel, region, industry in self._rows(
            qs, fields
        ):
            submitted_day = _local_date(submitted)
            agg = self.agg(centre_id, submitted_day)
            agg["applications"] += 1
            detail = agg["detail"]
            dims = {"ip_type": ip_type, "service_type": service, "channel": channel, "region": region,
                    "industry": industry, "priority_group": priority}  # fmt: skip
            was_accepted = accepted is not None
            for dimension, key in self._dimensions(dims):
                bump(detail, "by", dimension, key, "applications")
                if was_accepted:
                    bump(detail, "by", dimension, key, "accepted")
            if priority:
                agg["priority"] += 1
            if was_accepted:
                agg["accepted"] += 1
                bump(detail, "accept_days", str(self.workdays.between(submitted_day, _local_date(accepted))))
            elif state == CaseState.REJECTED:
                agg["rejected"] += 1

    def concluded_cases(self) -> None:
        from weiyuan.cases.models import Case

        qs = Case.objects_unscoped.filter(
            self._centre_q("centre_id"), concluded_at__gte=self.start, concluded_at__lt=self.end
        )
        fields = ("centre_id", "submitted_at", "concluded_at", "outcome", "ip_type", "service_type_id", "channel",
                  "applicant_region_id", "industry", "priority_group")  # fmt: skip
        for (
            centre_id,
            submitted,
            concluded,
            outcome,
            ip_type,
            service,
            channel,
            region,
            industry,
            priority,
        ) in self._rows(qs, fields):
            concluded_day = _local_date(concluded)
            agg = self.agg(centre_id, concluded_day)
            agg["concluded"] += 1
            detail = agg["detail"]
            bump(detail, "outcome", outcome or "")
            dims = {"ip_type": ip_type, "service_type": service, "channel": channel, "region": region,
                    "industry": industry, "priority_group": priority}  # fmt: skip
            for dimension, key in self._dimensions(dims):
                bump(detail, "by", dimension, key, "concluded")
            if submitted is not None:
                bump(detail, "conclude_days", str(self.workdays.between(_local_date(submitted), concluded_day)))

    def clocks(self) -> None:
        from weiyuan.clocks.models import Clock, ClockState

        qs = Clock.objects.filter(
            self._centre_q("case__centre_id"),
            state=ClockState.MET,
            finished_at__gte=self.start,
            finished_at__lt=self.end,
        )
        for centre_id, rule, finished, due in self._rows(qs, ("case__centre_id", "rule", "finished_at", "due_at")):
            agg = self.agg(centre_id, _local_date(finished))
            agg["clocks_due"] += 1
            bump(agg["detail"], "clocks", rule, "due")
            if due is None or finished <= due:
                agg["clocks_on_time"] += 1
                bump(agg["detail"], "clocks", rule, "on_time")

    def surveys(self) -> None:
        from weiyuan.feedback.models import Survey

        qs = Survey.objects.filter(self._centre_q("centre_id"), created_at__gte=self.start, created_at__lt=self.end)
        fields = ("centre_id", "created_at", "answered_at", "overall", "speed", "professionalism", "usefulness")
        for centre_id, created, answered, overall, speed, professionalism, usefulness in self._rows(qs, fields):
            agg = self.agg(centre_id, _local_date(created))
            agg["surveys_sent"] += 1
            if answered is None or overall is None:
                continue
            agg["surveys_answered"] += 1
            agg["satisfaction_sum"] += overall
            detail = agg["detail"]
            bump(detail, "scores", str(overall))
            for question, score in (("speed", speed), ("professionalism", professionalism), ("usefulness", usefulness)):
                if score is not None:
                    bump(detail, "questions", question, "sum", amount=score)
                    bump(detail, "questions", question, "n")

    def return_visits(self) -> None:
        from weiyuan.feedback.models import ReturnVisit, ReturnVisitState

        first, end = _local_date(self.start), _local_date(self.end)
        qs = ReturnVisit.objects.filter(self._centre_q("centre_id"), due_on__gte=first, due_on__lt=end).exclude(
            state=ReturnVisitState.CANCELLED
        )
        for centre_id, due_on, state in self._rows(qs, ("centre_id", "due_on", "state")):
            done = state == ReturnVisitState.DONE
            if not done and due_on > self.today:
                continue  # not yet due: neither done nor late
            agg = self.agg(centre_id, due_on)
            agg["visits_due"] += 1
            if done:
                agg["visits_done"] += 1

    def referrals(self) -> None:
        from weiyuan.referrals.models import Referral

        qs = Referral.objects.filter(self._centre_q("case__centre_id"), sent_at__gte=self.start, sent_at__lt=self.end)
        fields = ("case__centre_id", "sent_at", "organisation__kind", "state", "outcome_kind")
        for centre_id, sent, kind, state, outcome in self._rows(qs, fields):
            agg = self.agg(centre_id, _local_date(sent))
            agg["referrals"] += 1
            bump(agg["detail"], "referrals", kind, outcome or f"state:{state}")

    def expert_tasks(self) -> None:
        from weiyuan.cases.models import CaseAssignment

        qs = CaseAssignment.objects.filter(
            self._centre_q("case__centre_id"),
            kind=CaseAssignment.Kind.EXPERT,
            created_at__gte=self.start,
            created_at__lt=self.end,
        )
        for centre_id, created in self._rows(qs, ("case__centre_id", "created_at")):
            self.agg(centre_id, _local_date(created))["expert_tasks"] += 1
