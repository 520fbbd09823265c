"""Support for tests/test_kpis_consistency.py: reading the KPI aggregates, a brute-force recomputation of them
straight from the rows (independent of weiyuan/kpis/compute.py), and a random world of cases on the `network`
fixture changed through model `.save()` so that the marking signals fire.

`check()` refreshes and then asserts that the incremental rows equal a full rebuild (computed in a savepoint that is
rolled back, so the incremental state carries on), equal the brute force, that every subtree row is the sum of the
own rows below, and that the "now" snapshot counts the open cases.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from tests.factories import make_case
from weiyuan.cases.models import OPEN_STATES, Case, CaseAssignment, CaseState, Outcome
from weiyuan.clocks.calendar import WorkingCalendar
from weiyuan.clocks.models import Clock, ClockState
from weiyuan.feedback.models import ReturnVisit, ReturnVisitState, Survey
from weiyuan.kpis.models import KpiCurrent, KpiDirty, KpiMonth
from weiyuan.kpis.services import kpi_rebuild, kpi_refresh
from weiyuan.partners.models import OrganisationKind
from weiyuan.referrals.models import OutcomeKind, Referral, ReferralState

LOCAL = ZoneInfo("Asia/Shanghai")
# The counters of a KpiMonth row, listed here rather than imported so that the brute force stands on its own.
COUNTERS = ("applications", "accepted", "rejected", "priority", "concluded", "clocks_due", "clocks_on_time",
            "surveys_sent", "surveys_answered", "satisfaction_sum", "visits_due", "visits_done", "referrals",
            "expert_tasks")  # fmt: skip
# The parts of `detail` the brute force recomputes (the breakdowns "by" and the per-question sums are left out).
DETAIL_KEYS = ("accept_days", "conclude_days", "outcome", "clocks", "referrals", "scores")

Key = tuple[int, dt.date, bool]


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LOCAL)


def month_of(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.astimezone(LOCAL).date()
    return value.replace(day=1)


# --- reading the aggregates ----------------------------------------------------------------------------------------


def snapshot() -> dict[Key, tuple[Any, ...]]:
    return {
        (r.centre_id, r.month, r.subtree): (*(getattr(r, n) for n in COUNTERS), r.detail)
        for r in KpiMonth.objects.all()
    }


class _Rollback(Exception):
    pass


def rebuilt_snapshot() -> dict[Key, tuple[Any, ...]]:
    """What a full rebuild gives now, without keeping it (the incremental rows stay as the refresh left them)."""
    result: dict[Key, tuple[Any, ...]] = {}
    try:
        with transaction.atomic():
            kpi_rebuild()
            result = snapshot()
            raise _Rollback
    except _Rollback:
        pass
    return result


def projected(snap: dict[Key, tuple[Any, ...]]) -> dict[Key, tuple[dict[str, int], dict[str, Any]]]:
    """The counters and the brute-forced parts of `detail` of each row."""
    return {
        key: (dict(zip(COUNTERS, values[:-1], strict=True)), {k: v for k, v in values[-1].items() if k in DETAIL_KEYS})
        for key, values in snap.items()
    }


# --- the brute force -----------------------------------------------------------------------------------------------


def _add(node: dict[str, Any], *path: str, amount: int = 1) -> None:
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = node.get(path[-1], 0) + amount


def _merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    for k, v in source.items():
        if isinstance(v, dict):
            _merge(target.setdefault(k, {}), v)
        else:
            target[k] = target.get(k, 0) + v


def brute_force(today: dt.date) -> dict[Key, tuple[dict[str, int], dict[str, Any]]]:
    """Own and subtree figures per centre and month, from the rows, by the definitions of docs/kpis.md: counters
    and the parts of `detail` named in DETAIL_KEYS."""
    from weiyuan.network.models import Centre

    calendar = WorkingCalendar()
    counts: dict[tuple[int, dt.date], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    details: dict[tuple[int, dt.date], dict[str, Any]] = defaultdict(dict)

    def days(start: dt.datetime, end: dt.datetime) -> str:
        return str(calendar.working_days_between(start.astimezone(LOCAL).date(), end.astimezone(LOCAL).date()))

    cases = {c.pk: c for c in Case.objects_unscoped.all()}
    for case in cases.values():
        if case.submitted_at is not None:
            key = (case.centre_id, month_of(case.submitted_at))
            counts[key]["applications"] += 1
            counts[key]["priority"] += bool(case.priority_group)
            if case.accepted_at is not None:
                counts[key]["accepted"] += 1
                _add(details[key], "accept_days", days(case.submitted_at, case.accepted_at))
            elif case.state == CaseState.REJECTED:
                counts[key]["rejected"] += 1
        if case.concluded_at is not None:
            key = (case.centre_id, month_of(case.concluded_at))
            counts[key]["concluded"] += 1
            _add(details[key], "outcome", case.outcome or "")
            if case.submitted_at is not None:
                _add(details[key], "conclude_days", days(case.submitted_at, case.concluded_at))
    for clock in Clock.objects.filter(state=ClockState.MET, finished_at__isnull=False):
        finished = clock.finished_at
        assert finished is not None
        key = (cases[clock.case_id].centre_id, month_of(finished))
        counts[key]["clocks_due"] += 1
        _add(details[key], "clocks", clock.rule, "due")
        if clock.due_at is None or finished <= clock.due_at:
            counts[key]["clocks_on_time"] += 1
            _add(details[key], "clocks", clock.rule, "on_time")
    for survey in Survey.objects.all():
        key = (survey.centre_id, month_of(survey.created_at))
        counts[key]["surveys_sent"] += 1
        if survey.answered_at is not None and survey.overall is not None:
            counts[key]["surveys_answered"] += 1
            counts[key]["satisfaction_sum"] += survey.overall
            _add(details[key], "scores", str(survey.overall))
    for visit in ReturnVisit.objects.exclude(state=ReturnVisitState.CANCELLED):
        done = visit.state == ReturnVisitState.DONE
        if done or visit.due_on <= today:
            key = (visit.centre_id, month_of(visit.due_on))
            counts[key]["visits_due"] += 1
            counts[key]["visits_done"] += done
    for referral in Referral.objects.select_related("organisation"):
        key = (cases[referral.case_id].centre_id, month_of(referral.sent_at))
        counts[key]["referrals"] += 1
        outcome = referral.outcome_kind or f"state:{referral.state}"
        _add(details[key], "referrals", referral.organisation.kind, outcome)
    for task in CaseAssignment.objects.filter(kind=CaseAssignment.Kind.EXPERT):
        counts[(cases[task.case_id].centre_id, month_of(task.created_at))]["expert_tasks"] += 1

    paths = dict(Centre.objects.values_list("id", "path"))
    result: dict[Key, tuple[dict[str, int], dict[str, Any]]] = {}
    for (centre_id, month), row in counts.items():
        if not any(row.values()):
            continue
        result[(centre_id, month, False)] = (row, details[(centre_id, month)])
        for ancestor in (int(p) for p in paths[centre_id].strip("/").split("/")):
            total, detail = result.setdefault((ancestor, month, True), (dict.fromkeys(COUNTERS, 0), {}))
            for name in COUNTERS:
                total[name] += row[name]
            _merge(detail, details[(centre_id, month)])
    return result


def open_cases_now() -> dict[tuple[int, bool], int]:
    from weiyuan.network.models import Centre

    paths = dict(Centre.objects.values_list("id", "path"))
    counts: dict[tuple[int, bool], int] = defaultdict(int)
    for centre_id in Case.objects_unscoped.filter(state__in=OPEN_STATES).values_list("centre_id", flat=True):
        counts[(centre_id, False)] += 1
        for ancestor in paths[centre_id].strip("/").split("/"):
            counts[(int(ancestor), True)] += 1
    return dict(counts)


def assert_subtree_is_the_sum_of_own_rows(snap: dict[Key, tuple[Any, ...]]) -> None:
    from weiyuan.network.models import Centre

    paths = dict(Centre.objects.values_list("id", "path"))
    months = {m for _c, m, _s in snap}
    zero: tuple[Any, ...] = (*(0 for _ in COUNTERS), {})
    for centre_id, path in paths.items():
        below = [pk for pk, p in paths.items() if p.startswith(path)]
        for month in months:
            own_sum = [sum(col) for col in zip(*(snap.get((pk, month, False), zero)[:-1] for pk in below), strict=True)]
            assert list(snap.get((centre_id, month, True), zero)[:-1]) == own_sum, (centre_id, month)


def check(today: dt.date, step: str) -> None:
    kpi_refresh()
    assert not KpiDirty.objects.exists()
    incremental = snapshot()
    assert incremental == rebuilt_snapshot(), f"refresh differs from a rebuild after {step}"
    assert projected(incremental) == brute_force(today), f"aggregates differ from the rows after {step}"
    assert_subtree_is_the_sum_of_own_rows(incremental)
    now = {(r.centre_id, r.subtree): r.open_cases for r in KpiCurrent.objects.all() if r.open_cases}
    assert now == open_cases_now(), step


# --- a random world changed through model saves --------------------------------------------------------------------


class World:
    """Cases on three centres with dates from January to June 2026, moved along by random steps. Every change is a
    model `.save()` on a freshly loaded instance (as a request or a task would do)."""

    def __init__(self, network: dict[str, Any], rng: random.Random, *, transfers: bool) -> None:
        from tests.referrals_support import make_org

        self.rng = rng
        self.network = network
        self.centres = [network["shanghai"], network["pudong"], network["zhejiang"]]
        self.transfers = transfers
        self.staff = network["sh_director"]
        self.orgs = [
            make_org(network["shanghai"], kind=k) for k in (OrganisationKind.COURT, OrganisationKind.MEDIATION)
        ]
        self.ids: list[int] = []

    def moment(self, after: dt.datetime, max_days: int) -> dt.datetime:
        # Hours around midnight on purpose: the local month and the UTC month of such moments can differ.
        hour, minute = self.rng.choice([(0, 10), (7, 59), (9, 0), (15, 30), (23, 50)])
        day = (after.astimezone(LOCAL) + dt.timedelta(days=self.rng.randint(0, max_days))).date()
        return max(after, dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LOCAL))

    def load(self, *states: str) -> Case | None:
        pool = [pk for pk in self.ids if Case.objects_unscoped.filter(pk=pk, state__in=states).exists()]
        return Case.objects_unscoped.get(pk=self.rng.choice(pool)) if pool else None

    def new_case(self) -> str:
        from weiyuan.core.choices import PriorityGroup

        centre = self.rng.choice(self.centres)
        case = make_case(centre, priority_group=self.rng.choice(["", "", PriorityGroup.SME]))
        Clock.objects.filter(case=case).delete()  # the intake's running clock, started "now"
        case = Case.objects_unscoped.get(pk=case.pk)
        case.submitted_at = self.moment(local(2026, 1, 1, 0, 0), 120)
        case.save()
        self.ids.append(case.pk)
        return f"new case {case.pk} at {centre.code} {case.submitted_at:%m-%d %H:%M}"

    def _clock(self, case: Case, rule: str, start: dt.datetime, limit: int, finished: dt.datetime) -> None:
        due = start + dt.timedelta(days=limit)
        Clock(case=case, rule=rule, started_at=start, due_at=due, finished_at=finished, state=ClockState.MET).save()

    def accept(self) -> str:
        case = self.load(CaseState.SUBMITTED)
        if case is None:
            return "accept: none"
        submitted = case.submitted_at
        assert submitted is not None
        case.accepted_at = accepted = self.moment(submitted, 12)
        case.state = CaseState.ACCEPTED
        case.save()
        self._clock(case, "acceptance", submitted, 7, accepted)  # met early or late
        return f"accept {case.pk}"

    def reject(self) -> str:
        case = self.load(CaseState.SUBMITTED)
        if case is None:
            return "reject: none"
        submitted = case.submitted_at
        assert submitted is not None
        case.state = CaseState.REJECTED
        case.save()
        self._clock(case, "acceptance", submitted, 7, self.moment(submitted, 10))
        return f"reject {case.pk}"

    def conclude(self) -> str:
        case = self.load(CaseState.ACCEPTED, CaseState.REOPENED)
        if case is None:
            return "conclude: none"
        assert case.accepted_at is not None
        ended = Clock.objects.filter(case=case, rule="handling").order_by("-finished_at").first()
        start = max(case.accepted_at, ended.finished_at if ended and ended.finished_at else case.accepted_at)
        if start > local(2026, 8, 1):
            return "conclude: too late"
        case.concluded_at = self.moment(start, 45)
        case.outcome = self.rng.choice(Outcome.values)
        case.state = CaseState.CONCLUDED
        case.save()
        self._clock(case, "handling", start, 30, case.concluded_at)
        survey = Survey.objects.filter(case=case).first()
        if survey is None:
            survey = Survey(
                case=case, centre_id=case.centre_id, applicant=case.applicant_user, created_at=case.concluded_at
            )
            survey.save()
        due_on = case.concluded_at.astimezone(LOCAL).date() + dt.timedelta(days=30)
        visit = ReturnVisit.objects.filter(case=case, days_after=30).first()
        if visit is None:
            ReturnVisit(
                case=case, centre_id=case.centre_id, days_after=30, due_on=due_on, created_at=case.concluded_at
            ).save()
        elif visit.state != ReturnVisitState.DONE:  # rescheduled from the new conclusion, as the feedback service does
            visit.state, visit.due_on, visit.centre_id = ReturnVisitState.PENDING, due_on, case.centre_id
            visit.save()
        return f"conclude {case.pk} {case.concluded_at:%m-%d %H:%M}"

    def reopen(self) -> str:
        case = self.load(CaseState.CONCLUDED)
        if case is None:
            return "reopen: none"
        case.state, case.concluded_at, case.outcome = CaseState.REOPENED, None, ""
        case.save()
        for visit in ReturnVisit.objects.filter(case=case, state=ReturnVisitState.PENDING):
            visit.state = ReturnVisitState.CANCELLED
            visit.save()
        return f"reopen {case.pk}"

    def transfer(self) -> str:
        case = self.load(CaseState.SUBMITTED, CaseState.ACCEPTED, CaseState.REOPENED)
        if case is None or not self.transfers:
            return "transfer: none"
        case.centre = self.rng.choice([c for c in self.centres if c.pk != case.centre_id])
        case.save()
        return f"transfer {case.pk} to {case.centre.code}"

    def answer_survey(self) -> str:
        survey = Survey.objects.filter(case_id__in=self.ids, answered_at__isnull=True).order_by("pk").first()
        if survey is None or self.rng.random() < 0.3:
            return "answer: none"
        survey.answered_at = survey.created_at + dt.timedelta(days=2)
        survey.overall, survey.speed = self.rng.randint(1, 5), self.rng.randint(1, 5)
        survey.save()
        return f"answer survey {survey.pk}"

    def visit(self) -> str:
        pending = list(ReturnVisit.objects.filter(case_id__in=self.ids, state=ReturnVisitState.PENDING).order_by("pk"))
        if not pending:
            return "visit: none"
        visit = self.rng.choice(pending)
        visit.state, visit.done_at = ReturnVisitState.DONE, local(2026, 10, 1)
        visit.save()
        return f"visit {visit.pk}"

    def refer(self) -> str:
        case = self.load(CaseState.ACCEPTED, CaseState.CONCLUDED)
        if case is None or Referral.objects.filter(case=case).exists():
            return "refer: none"
        assert case.accepted_at is not None
        sent = self.moment(case.accepted_at, 40)
        Referral(case=case, organisation=self.rng.choice(self.orgs), sent_by=self.staff, cover_letter="移交函",
                 state=ReferralState.SENT, sent_at=sent, ack_due_at=sent + dt.timedelta(days=3)).save()  # fmt: skip
        return f"refer {case.pk}"

    def referral_outcome(self) -> str:
        referral = Referral.objects.filter(case_id__in=self.ids, state=ReferralState.SENT).order_by("pk").first()
        if referral is None:
            return "referral outcome: none"
        referral.state = ReferralState.CONCLUDED
        referral.outcome_kind = self.rng.choice([OutcomeKind.MEDIATION_AGREEMENT, OutcomeKind.JUDGMENT])
        referral.save()
        return f"referral {referral.pk} concluded"

    def expert_task(self) -> str:
        case = self.load(CaseState.ACCEPTED, CaseState.REOPENED)
        if case is None:
            return "expert task: none"
        assert case.accepted_at is not None
        task = CaseAssignment(case=case, user=self.network["zj_handler"], kind=CaseAssignment.Kind.EXPERT,
                              task="出具专家意见", assigned_by=self.staff)  # fmt: skip
        task.save()
        task.created_at = self.moment(case.accepted_at, 30)
        task.save()
        return f"expert task on {case.pk}"

    def step(self) -> str:
        actions = [
            self.new_case, self.accept, self.accept, self.reject, self.conclude, self.conclude, self.reopen,
            self.transfer, self.answer_survey, self.visit, self.refer, self.referral_outcome, self.expert_task,
        ]  # fmt: skip
        return self.rng.choice(actions)()


def run_world(network: dict[str, Any], *, seed: int, transfers: bool, steps: int) -> None:
    """`steps` random steps from four cases, checked after every one to three of them (seeded: reproducible)."""
    from django.utils import timezone

    today = timezone.localdate()  # the brute force counts the return visits due by today, as the refresh does
    world = World(network, random.Random(seed), transfers=transfers)
    for _ in range(4):
        world.new_case()
    check(today, "the first cases")
    done: list[str] = []
    while len(done) < steps:
        for _ in range(world.rng.randint(1, 3)):
            done.append(world.step())
        check(today, " / ".join(done[-3:]))
