"""Issue #6: the old generic rules `exhibition_defence` and `ecommerce_wait` are retired. Nothing starts them; a
clock still carrying an old code is moved to its successor by migration clocks/0002 and keeps working (stored due
time, pause, resume, sweep)."""

from __future__ import annotations

import datetime as dt
import importlib
import pathlib
from typing import Any

import pytest
from django.apps import apps

from tests.factories import make_case
from weiyuan.clocks.models import Clock, ClockState
from weiyuan.clocks.rules import CHINA_TZ, RETIRED_RULES, RULES
from weiyuan.clocks.services import clock_pause, clock_resume, clock_start

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("weiyuan.clocks.migrations.0002_retire_old_rule_codes")
ROOT = pathlib.Path(__file__).resolve().parent.parent / "weiyuan"


def cst(y: int, m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=CHINA_TZ)


def test_the_old_codes_are_gone_and_their_successors_compute_the_same():
    assert MIGRATION.RETIRED == RETIRED_RULES
    for old, new in RETIRED_RULES.items():
        assert old not in RULES
        assert new in RULES
    assert (RULES["fair_respondent_defence"].unit, RULES["fair_respondent_defence"].amount) == ("hours", 24)
    assert RULES["ecommerce_counter_notice_wait"].owed_by == "rights_holder"


def test_no_code_names_an_old_rule():
    """Only the rules module (its comment and mapping) and the migration may still spell the old codes."""
    allowed = {ROOT / "clocks" / "rules.py", ROOT / "clocks" / "migrations" / "0002_retire_old_rule_codes.py"}
    for path in ROOT.rglob("*.py"):
        if path in allowed:
            continue
        text = path.read_text(encoding="utf-8")
        assert '"exhibition_defence"' not in text and '"ecommerce_wait"' not in text, path


def test_starting_an_old_rule_is_refused(network: dict[str, Any]):
    case = make_case(network["shanghai"])
    with pytest.raises(KeyError):
        clock_start(case=case, rule_code="ecommerce_wait", start=cst(2026, 3, 2))
    assert not Clock.objects.filter(rule="ecommerce_wait").exists()


def test_the_migration_moves_running_and_paused_clocks_which_keep_working(network: dict[str, Any]):
    case = make_case(network["shanghai"])
    running = clock_start(case=case, rule_code="fair_respondent_defence", start=cst(2026, 3, 2))
    waiting = clock_start(case=case, rule_code="ecommerce_counter_notice_wait", start=cst(2026, 9, 25))
    waiting = clock_pause(clock=waiting, at=cst(2026, 9, 30))
    # As an older release left them:
    Clock.objects.filter(pk=running.pk).update(rule="exhibition_defence")
    Clock.objects.filter(pk=waiting.pk).update(rule="ecommerce_wait")
    due_before = Clock.objects.get(pk=running.pk).due_at

    MIGRATION.move_clocks(apps, None)

    running.refresh_from_db()
    waiting.refresh_from_db()
    assert running.rule == "fair_respondent_defence" and running.due_at == due_before == cst(2026, 3, 3)
    assert waiting.rule == "ecommerce_counter_notice_wait" and waiting.state == ClockState.PAUSED
    resumed = clock_resume(clock=waiting, at=cst(2026, 10, 9))
    assert resumed.state == ClockState.RUNNING and resumed.due_at is not None
    assert resumed.due_at >= cst(2026, 10, 9) + dt.timedelta(seconds=waiting.remaining_units or 0)
    assert not Clock.objects.filter(rule__in=list(RETIRED_RULES)).exists()
