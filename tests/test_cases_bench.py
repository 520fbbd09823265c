"""`make bench-cases` keeps working: the set-based generator loads a small network with cases in every state on
PostgreSQL, the reads it measures run against it, and the report lands between its markers. (Tiny sizes; the
figures themselves are never asserted.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from weiyuan.cases.bench import generate, measure
from weiyuan.cases.models import Case, CaseEvent
from weiyuan.clocks.models import Clock
from weiyuan.core import bench

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the case benchmark loads with COPY and INSERT ... SELECT over generate_series (PostgreSQL)")


def test_generate_then_measure_a_small_network(postgres_only: None, tmp_path: Path) -> None:
    report = generate.generate(cases=600, centres=40, log=lambda line: None)
    assert not report.skipped
    assert [name.split(" ")[0] for name, _seconds in report.phases][:3] == ["centres", "people", "cases"]
    assert Case.objects_unscoped.count() == 600
    states = set(Case.objects_unscoped.values_list("state", flat=True))
    assert {"submitted", "in_handling", "concluded", "rejected"} <= states
    # Every submitted case has its history and an acceptance clock.
    submitted = Case.objects_unscoped.exclude(state="draft")
    assert CaseEvent.objects.filter(case__in=submitted, action="submit").count() == submitted.count()
    assert Clock.objects.filter(case__in=submitted, rule="acceptance").count() == submitted.count()
    assert generate.existing_counts()["bench_centres"] == 40

    results, context = measure.measure(runs=1, warmup=0, log=lambda line: None)
    assert {m.name for m in results} >= {"staff queue, first page", "applicant's case page"}
    assert all(m.queries > 0 for m in results if m.samples_ms != [0.0])
    out = tmp_path / "benchmarks.md"
    measure.write_report(
        path=out,
        command="make bench",
        results=results,
        generation=report,
        context=context,
        runs=1,
        warmup=0,
        explains={},
    )
    text = out.read_text(encoding="utf-8")
    assert bench.render_table(results) in text
    assert text.count(measure.BEGIN) == 1


def test_the_generator_refuses_a_database_not_named_for_benchmarks(postgres_only: None) -> None:
    with pytest.raises(bench.BenchError, match="bench"):
        bench.check_database(allow_any=False)
