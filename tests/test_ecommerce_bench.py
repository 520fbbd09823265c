"""`make bench-ecommerce` keeps working: one small notice end to end, the set-based generator at a tiny size, the
reads and the sweep it measures, and the report between its markers (the timings are never asserted)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from weiyuan.ecommerce import bench, bench_measure
from weiyuan.ecommerce.models import Listing, ListingState, Notice


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the e-commerce benchmark loads with COPY (PostgreSQL)")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ecommerce_bench_generates_measures_and_reports(postgres_only: None, tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    docs.write_text(f"# Benchmarks\n\n{bench_measure.BEGIN}\nold figures\n{bench_measure.END}\n\nafter\n")
    out = StringIO()
    call_command(
        "ecommerce_bench",
        "--notices=40",
        "--listings=2400",
        "--runs=1",
        "--warmup=0",
        "--sweep-runs=1",
        "--flow-runs=1",
        "--flow-listings=12",
        "--allow-any-database",
        f"--output={docs}",
        stdout=out,
    )
    platforms = bench.bench_platform_ids()
    assert Notice.objects.filter(platform_id__in=platforms).count() == 40
    listings = Listing.objects.filter(notice__platform_id__in=platforms)
    assert listings.count() == 2400
    states = set(listings.values_list("state", flat=True))
    assert {ListingState.NOTIFIED, ListingState.MEASURES_TAKEN, ListingState.RESTORED} <= states
    # Every counter-noticed listing carries its wait; the end-to-end notice was rolled back.
    assert not listings.filter(state=ListingState.COUNTER_NOTICED, wait_due_at__isnull=True).exists()
    assert not Notice.objects.filter(platform__name=bench.FLOW_PLATFORM[0]).exists()
    text = out.getvalue()
    assert "import 12 listings (CSV file)" in text and "platform inbox, first page" in text
    report = docs.read_text(encoding="utf-8")
    assert report.count(bench_measure.BEGIN) == 1 and "old figures" not in report and report.endswith("after\n")
    assert "public notice (Art. 44), first page" in report and "| **total** |" in report
    # A second run finds the data set and only measures.
    again = StringIO()
    call_command(
        "ecommerce_bench",
        "--notices=40",
        "--runs=1",
        "--warmup=0",
        "--sweep-runs=1",
        "--flow-runs=0",
        "--allow-any-database",
        "--output=-",
        stdout=again,
    )
    assert "generation skipped" in again.getvalue()
    if "bench" not in str(connection.settings_dict["NAME"]):
        with pytest.raises(CommandError, match="bench"):
            call_command("ecommerce_bench", "--flow-runs=0", "--output=-", stdout=StringIO())


def test_listing_sizes_sum_to_the_total_within_the_limit() -> None:
    import random

    sizes = bench.listing_sizes(random.Random(1), 1000, 100_000)
    assert sum(sizes) == 100_000 and min(sizes) >= 1 and max(sizes) <= 300
    with pytest.raises(bench.BenchError):
        bench.listing_sizes(random.Random(1), 10, 3001)
