"""`make bench-marks` keeps working: a small synthetic register loads through tm_import, the index is rebuilt,
screening is measured and the look-alikes are checked (tiny sizes; the timings are never asserted)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from weiyuan.marks.bench_register import RegisterGenerator
from weiyuan.marks.models import Mark, MarkKey, MarkKeyStat
from weiyuan.marks.normalise import normalise_mark
from weiyuan.marks.score import compare_marks


def test_the_generator_is_repeatable_and_its_lookalikes_are_alike() -> None:
    first = [row[0] for row in RegisterGenerator().rows(200)]
    assert first == [row[0] for row in RegisterGenerator().rows(200)]
    assert any(any("一" <= c <= "鿿" for c in text) for text in first)
    assert any(text.isascii() for text in first)
    generator = RegisterGenerator(seed=7)
    variants = [v for v in (generator.lookalike(text) for text in first) if v is not None]
    assert len(variants) > 150
    similar = [compare_marks(normalise_mark(v.original), normalise_mark(v.query)).similar for v in variants]
    # Copycat changes, as the engine judges them (swapping two of three characters is the weak one).
    assert sum(similar) / len(similar) > 0.9


@pytest.mark.django_db
def test_tm_bench_loads_measures_and_reports(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL (make bench)")
    out = StringIO()
    docs = tmp_path / "benchmarks.md"
    call_command(
        "tm_bench",
        "--marks=400",
        "--queries=30",
        "--warmup=2",
        "--allow-any-database",
        f"--workdir={tmp_path}",
        f"--write-docs={docs}",
        stdout=out,
    )
    text = out.getvalue()
    assert Mark.objects.filter(number__startswith="B").count() == 400
    assert MarkKey.objects.count() > 400 * 8
    assert MarkKeyStat.objects.get(kind="*", key="marks").marks == 400
    assert "tm_screen, limit 10" in text and "Look-alikes:" in text
    assert "<!-- bench-marks:begin -->" in docs.read_text(encoding="utf-8")
    # A second run finds the register and only measures.
    again = StringIO()
    call_command("tm_bench", "--marks=400", "--queries=10", "--warmup=1", "--allow-any-database", stdout=again)
    assert "load skipped" in again.getvalue()


@pytest.mark.django_db
def test_tm_bench_refuses_sqlite_and_unnamed_databases() -> None:
    with pytest.raises(CommandError):
        call_command("tm_bench", "--marks=10", stdout=StringIO())
