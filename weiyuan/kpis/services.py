"""Keeping the KPI aggregates current.

- `kpi_refresh` (Celery beat every few minutes, and `manage.py kpi_refresh`): claims the dirty partitions, recomputes
  the own rows of those centres and months from their sources, rolls the subtree rows up the tree for the centres
  and every centre above them, and recomputes the "now" snapshot. One transaction, one refresher at a time (a
  PostgreSQL advisory lock; SQLite serialises writers anyway): a failure leaves the partitions marked.
- `kpi_rebuild` (nightly, and `manage.py kpi_rebuild` with a progress bar): recomputes everything. It also brings
  in what time alone changes (return visits falling due) and the few bulk updates that send no signal.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Min
from django.utils import timezone

from weiyuan.kpis.aggregate import COUNTERS, Agg, empty, is_empty, merge_into, month_start, months_between, next_month
from weiyuan.kpis.compute import Collector, Key
from weiyuan.kpis.models import KpiCurrent, KpiDirty, KpiMonth
from weiyuan.kpis.signals import mark
from weiyuan.kpis.workdays import WorkingDayIndex

ADVISORY_LOCK = 7_004_001  # any constant shared by every refresher
BATCH = 2000


@dataclass(frozen=True)
class RefreshReport:
    partitions: int
    months: int
    own_rows: int
    subtree_rows: int
    seconds: float
    skipped: bool = False


def _tree() -> tuple[dict[int, int | None], dict[int, list[int]], dict[int, int]]:
    from weiyuan.network.models import Centre

    parent_of: dict[int, int | None] = {}
    children: dict[int, list[int]] = defaultdict(list)
    depth: dict[int, int] = {}
    for pk, parent_id, level in Centre.objects.values_list("id", "parent_id", "depth"):
        parent_of[pk] = parent_id
        depth[pk] = level
        if parent_id is not None:
            children[parent_id].append(pk)
    return parent_of, children, depth


def _with_ancestors(ids: Iterable[int], parent_of: dict[int, int | None]) -> set[int]:
    seen: set[int] = set()
    for pk in ids:
        node: int | None = pk
        while node is not None and node not in seen:
            seen.add(node)
            node = parent_of.get(node)
    return seen


def _row(centre_id: int, month: dt.date, subtree: bool, agg: Agg) -> KpiMonth:
    return KpiMonth(
        centre_id=centre_id, month=month, subtree=subtree, detail=agg["detail"], **{n: agg[n] for n in COUNTERS}
    )


def _write_own(result: dict[Key, Agg], month: dt.date, centre_ids: Iterable[int]) -> int:
    KpiMonth.objects.filter(subtree=False, month=month, centre_id__in=list(centre_ids)).delete()
    rows = [_row(c, m, False, agg) for (c, m), agg in result.items() if not is_empty(agg)]
    KpiMonth.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _rollup(months: Iterable[dt.date], changed: Iterable[int] | None) -> int:
    """Recompute the subtree rows of the changed centres and every centre above them (None: all), per month."""
    parent_of, children, depth = _tree()
    affected = set(parent_of) if changed is None else _with_ancestors(changed, parent_of)
    order = sorted(affected, key=lambda pk: -depth.get(pk, 0))
    borders = {child for pk in affected for child in children.get(pk, ()) if child not in affected}
    written = 0
    for month in months:
        own = {r.centre_id: r for r in KpiMonth.objects.filter(month=month, subtree=False, centre_id__in=affected)}
        border_rows = {
            r.centre_id: r for r in KpiMonth.objects.filter(month=month, subtree=True, centre_id__in=borders)
        }
        computed: dict[int, Agg] = {}
        for pk in order:
            agg = empty()
            if pk in own:
                merge_into(agg, own[pk])
            for child in children.get(pk, ()):
                if child in computed:
                    merge_into(agg, computed[child])
                elif child in border_rows:
                    merge_into(agg, border_rows[child])
            computed[pk] = agg
        KpiMonth.objects.filter(month=month, subtree=True, centre_id__in=affected).delete()
        rows = [_row(pk, month, True, agg) for pk, agg in computed.items() if not is_empty(agg)]
        KpiMonth.objects.bulk_create(rows, batch_size=BATCH)
        written += len(rows)
    return written


def current_refresh(now: dt.datetime | None = None) -> int:
    """Open cases and clocks past their due time, per centre and subtree, as of now."""
    from weiyuan.cases.models import OPEN_STATES, Case
    from weiyuan.clocks.models import Clock, ClockState

    now = now or timezone.now()
    parent_of, _children, _depth = _tree()
    totals: dict[tuple[int, bool], list[int]] = defaultdict(lambda: [0, 0])
    opened = Case.objects_unscoped.filter(state__in=OPEN_STATES).values("centre_id").annotate(n=Count("id"))
    overdue = (
        Clock.objects.filter(state=ClockState.RUNNING, due_at__lt=now).values("case__centre_id").annotate(n=Count("id"))
    )
    counts = [(r["centre_id"], 0, r["n"]) for r in opened] + [(r["case__centre_id"], 1, r["n"]) for r in overdue]
    for centre_id, slot, n in counts:
        totals[(centre_id, False)][slot] += n
        for node in _with_ancestors([centre_id], parent_of):
            totals[(node, True)][slot] += n
    KpiCurrent.objects.all().delete()
    KpiCurrent.objects.bulk_create(
        [
            KpiCurrent(centre_id=c, subtree=s, open_cases=v[0], overdue_clocks=v[1], refreshed_at=now)
            for (c, s), v in totals.items()
        ],
        batch_size=BATCH,
    )
    return len(totals)


@contextmanager
def _refresh_lock(*, wait: bool) -> Iterator[bool]:
    """One refresh or rebuild at a time: a PostgreSQL session-level advisory lock, held across the claim's own short
    transaction and the recomputation's (SQLite serialises writers anyway). Yields False when another holds it and
    `wait` is not set."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK])
            held = True
        else:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK])
            held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK])


def _claim(limit: int) -> list[tuple[int, dt.date]]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM kpis_kpidirty WHERE id IN (SELECT id FROM kpis_kpidirty ORDER BY id LIMIT %s "
                "FOR UPDATE SKIP LOCKED) RETURNING centre_id, month",
                [limit],
            )
            return [(c, m) for c, m in cursor.fetchall()]
    rows = list(KpiDirty.objects.order_by("id").values_list("id", "centre_id", "month")[:limit])
    KpiDirty.objects.filter(id__in=[r[0] for r in rows]).delete()
    return [(c, m) for _id, c, m in rows]


def kpi_refresh(*, limit: int = 20_000, now: dt.datetime | None = None) -> RefreshReport:
    """The claim commits on its own, at once: a write marking a claimed partition meanwhile adds a new mark instead
    of waiting on the deleted one until the recomputation commits (the next run takes it). If the recomputation
    fails, the claimed marks are put back."""
    started = timezone.now()
    with _refresh_lock(wait=False) as held:
        if not held:
            return RefreshReport(0, 0, 0, 0, 0.0, skipped=True)
        with transaction.atomic():
            claimed = _claim(limit)
        by_month: dict[dt.date, set[int]] = defaultdict(set)
        for centre_id, month in claimed:
            by_month[month].add(centre_id)
        own = subtree = 0
        try:
            with transaction.atomic():
                workdays = WorkingDayIndex()
                for month, centre_ids in sorted(by_month.items()):
                    result = Collector(month, next_month(month), centre_ids, workdays=workdays).run()
                    own += _write_own(result, month, centre_ids)
                    subtree += _rollup([month], centre_ids)
                current_refresh(now)
        except Exception:
            mark(set(claimed))
            raise
    seconds = (timezone.now() - started).total_seconds()
    return RefreshReport(len(claimed), len(by_month), own, subtree, seconds)


def data_span() -> tuple[dt.date, dt.date] | None:
    from weiyuan.cases.models import Case

    first = Case.objects_unscoped.aggregate(first=Min("submitted_at"))["first"]
    if first is None:
        return None
    return month_start(timezone.localtime(first).date()), timezone.localdate()


def source_rows_estimate() -> int:
    """Rows the rebuild reads (for its progress bar): cases twice, then the smaller sources."""
    from weiyuan.cases.models import Case
    from weiyuan.clocks.models import Clock

    return 2 * Case.objects_unscoped.count() + Clock.objects.count()


def kpi_rebuild(*, progress: Callable[[int], object] | None = None, centres_per_pass: int = 100) -> RefreshReport:
    """Recompute every own and subtree row from the sources, a slice of centres at a time (each pass reads those
    centres' rows through their indexes and holds only their months in memory). One transaction: readers see the
    old rows until it commits. It waits for a refresh in progress (a few seconds) rather than skipping: the nightly
    run is the only one that brings in what time alone changes, and a refresh runs every few minutes."""

    started = timezone.now()
    with _refresh_lock(wait=True):
        # The marks go first, in their own short transaction (as a refresh claims them): a write meanwhile adds a
        # new mark rather than waiting for the whole rebuild, and the next refresh takes it.
        KpiDirty.objects.filter(marked_at__lte=started).delete()
        report = _rebuild_all(progress, centres_per_pass)
    _vacuum()
    return RefreshReport(0, report[0], report[1], report[2], (timezone.now() - started).total_seconds())


def _rebuild_all(progress: Callable[[int], object] | None, centres_per_pass: int) -> tuple[int, int, int]:
    """(months, own rows, subtree rows): the rebuild's one transaction."""
    from weiyuan.network.models import Centre

    with transaction.atomic():
        span = data_span()
        KpiMonth.objects.all().delete()
        own = subtree = 0
        months: list[dt.date] = []
        if span is not None:
            months = months_between(*span)
            end = next_month(months[-1])
            workdays = WorkingDayIndex()
            centre_ids = list(Centre.objects.order_by("id").values_list("id", flat=True))
            for i in range(0, len(centre_ids), centres_per_pass):
                chunk = centre_ids[i : i + centres_per_pass]
                result = Collector(months[0], end, chunk, workdays=workdays, progress=progress).run()
                rows = [_row(c, m, False, agg) for (c, m), agg in result.items() if not is_empty(agg)]
                KpiMonth.objects.bulk_create(rows, batch_size=BATCH)
                own += len(rows)
            subtree = _rollup(months, None)
        current_refresh()
    return len(months), own, subtree


def _vacuum() -> None:
    """After a rebuild on PostgreSQL: fresh statistics, and the visibility map that lets the ranking read its
    covering index alone. VACUUM cannot run inside a transaction (a caller's, or a test's): skipped there."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) kpis_kpimonth")
