"""A second angle on the KPI aggregates (weiyuan/kpis), trying to break them.

- Random small data sets on the `network` fixture, changed through model `.save()` (so the marking signals fire)
  and refreshed incrementally: after every refresh the rows equal a full rebuild and a brute-force recomputation
  from the rows (tests/kpis_consistency_support.py); subtree rows equal the sum of the own rows; the lean headline
  reads and the cases behind each figure agree with the figures.
- Deleting cases, the local (Asia/Shanghai) month of moments near midnight, deferred loading of cases.
- The pages with hostile query strings never answer 500.

Each of the bugs these tests found in the first version (transfers, deletions, deferred loading, the province
link, a NUL in the key) is fixed; the tests stay as their regressions.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_case
from tests.feedback_support import client_of
from tests.kpis_consistency_support import (
    COUNTERS,
    World,
    assert_subtree_is_the_sum_of_own_rows,
    check,
    local,
    month_of,
    rebuilt_snapshot,
    run_world,
    snapshot,
)
from weiyuan.cases.models import Case, CaseState
from weiyuan.clocks.models import Clock, ClockState
from weiyuan.feedback.models import Survey
from weiyuan.kpis.models import KpiCurrent, KpiDirty, KpiMonth
from weiyuan.kpis.periods import Period
from weiyuan.kpis.selectors import breakdown, drill_cases, figures, headline
from weiyuan.kpis.services import kpi_rebuild, kpi_refresh
from weiyuan.referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_random_changes_without_transfers_keep_refresh_rebuild_and_rows_equal(network: dict[str, Any]) -> None:
    run_world(network, seed=20260326, transfers=False, steps=90)


def test_random_changes_with_transfers_keep_refresh_rebuild_and_rows_equal(network: dict[str, Any]) -> None:
    run_world(network, seed=20260326, transfers=True, steps=90)


def test_the_subtree_rows_are_the_sums_of_the_own_rows_of_every_centre_below(network: dict[str, Any]) -> None:
    world = World(network, random.Random(11), transfers=True)
    world.new_case()
    for _ in range(30):
        world.step()
    kpi_rebuild()
    snap = snapshot()
    assert {s for _c, _m, s in snap} == {False, True}
    assert_subtree_is_the_sum_of_own_rows(snap)
    national = network["national"].pk
    assert sum(v[0] for (c, _m, s), v in snap.items() if c == national and s) == len(world.ids)


def test_the_headline_reads_agree_with_the_full_rows(network: dict[str, Any]) -> None:
    """The level below and the comparison periods read counters and histograms through JSON key extraction in SQL
    (selectors.headline_figures); on both databases they equal the same figures read from the whole rows."""
    world = World(network, random.Random(5), transfers=False)
    world.new_case()
    for _ in range(40):
        world.step()
    kpi_rebuild()
    months = sorted(set(KpiMonth.objects.values_list("month", flat=True)))
    for centre in (network["national"], network["shanghai"], network["pudong"], network["zhejiang"]):
        for subtree in (False, True):
            for span in ([months[0]], months[:3], months):
                full = figures(centre.pk, span, subtree)
                lean = headline(centre.pk, span, subtree)
                assert {n: lean[n] for n in COUNTERS} == {n: full[n] for n in COUNTERS}
                for name in ("accept_days", "conclude_days"):
                    assert lean["detail"].get(name, {}) == full["detail"].get(name, {}), (centre.code, name)


def test_the_case_services_mark_what_they_change(network: dict[str, Any]) -> None:
    """The same checks through the real services (dates are now): intake, acceptance, conclusion with its survey and
    return visits, reopening, transfer of the reopened case, receipt, a second conclusion at the new centre."""
    from django.utils import timezone

    from tests.feedback_support import concluded_case
    from weiyuan.cases import services as cs

    today = timezone.localdate()
    case = concluded_case(network)
    rejected = make_case(network["zhejiang"])
    cs.case_reject(case=rejected, actor=network["zj_intake"], reason="no_evidence", text="缺少证据。", fix="补充证据。")
    make_case(network["pudong"])
    check(today, "conclusion and rejection")
    case = cs.case_reopen(case=case, actor=network["sh_director"], reason="申请人补充了新的情况。")
    check(today, "reopening")
    case = cs.case_transfer(case=case, actor=network["sh_director"], target=network["zhejiang"], reason="管辖变更")
    case = cs.case_receive_transfer(case=case, actor=network["zj_intake"])
    check(today, "transfer")
    case = cs.case_assign(case=case, actor=network["zj_director"], handler=network["zj_handler"])
    case = cs.case_start(case=case, actor=network["zj_handler"])
    cs.case_conclude(case=case, actor=network["zj_handler"], outcome="settled", result_letter="双方已达成和解协议。")
    check(today, "second conclusion")
    assert KpiMonth.objects.get(centre=network["zhejiang"], subtree=False, month=month_of(today)).concluded == 1


def test_the_cases_behind_each_figure_are_as_many_as_the_figure(network: dict[str, Any]) -> None:
    """The drill-down lists the cases a figure counts: per centre, scope, period, set and breakdown row (the
    province rows are left to test_the_cases_behind_a_province_of_the_breakdown)."""
    world = World(network, random.Random(8), transfers=False)
    world.new_case()
    for _ in range(40):
        world.step()
    kpi_rebuild()
    user = network["national_supervisor"]
    sets = {"applications": "applications", "accepted": "accepted", "rejected": "rejected", "concluded": "concluded"}
    rows_checked = 0
    for period in (Period("year", 2026), Period("quarter", 2026, 1), Period("month", 2026, 3)):
        for centre in (network["national"], network["shanghai"], network["pudong"], network["zhejiang"]):
            for subtree in (False, True):
                agg = figures(centre.pk, period.months, subtree)
                for which, counter in sets.items():
                    qs = drill_cases(user, centre, period, subtree=subtree, which=which)
                    assert qs.count() == agg[counter], (period.code, centre.code, subtree, which)
                for dimension in ("ip_type", "service_type", "channel", "industry", "priority_group"):
                    for row in breakdown(agg, dimension):
                        for which in ("applications", "concluded"):
                            qs = drill_cases(user, centre, period, subtree=subtree, which=which,
                                             dimension=dimension, key=row["key"])  # fmt: skip
                            assert qs.count() == row[which], (period.code, centre.code, dimension, row["key"], which)
                            rows_checked += row[which] > 0
    assert rows_checked > 50
    now = {(r.centre_id, r.subtree): r.open_cases for r in KpiCurrent.objects.all()}
    for centre in (network["national"], network["shanghai"], network["pudong"], network["zhejiang"]):
        for subtree in (False, True):
            qs = drill_cases(user, centre, Period("year", 2026), subtree=subtree, which="open")
            assert qs.count() == now.get((centre.pk, subtree), 0), (centre.code, subtree)


# --- a transfer, minimal -------------------------------------------------------------------------------------------


def test_a_transfer_moves_the_clocks_that_ended_in_another_month(network: dict[str, Any]) -> None:
    from weiyuan.cases.services.lifecycle import case_transfer

    sh, zj = network["shanghai"], network["zhejiang"]
    case = make_case(sh)
    Clock.objects.filter(case=case).delete()
    case = Case.objects_unscoped.get(pk=case.pk)
    case.submitted_at, case.accepted_at, case.state = local(2026, 3, 30), local(2026, 4, 2), CaseState.ACCEPTED
    case.save()
    Clock(case=case, rule="acceptance", started_at=local(2026, 3, 30), due_at=local(2026, 4, 7, 17),
          finished_at=local(2026, 4, 2), state=ClockState.MET).save()  # fmt: skip
    kpi_refresh()
    assert KpiMonth.objects.get(centre=sh, month=dt.date(2026, 4, 1), subtree=False).clocks_due == 1
    case_transfer(case=case, actor=network["sh_director"], target=zj, reason="属于浙江省管辖")
    kpi_refresh()
    april = {(r.centre_id, r.subtree): r.clocks_due for r in KpiMonth.objects.filter(month=dt.date(2026, 4, 1))}
    assert april.get((zj.pk, False)) == 1 and april.get((sh.pk, False), 0) == 0


# --- deletions -----------------------------------------------------------------------------------------------------


def test_deleting_a_draft_marks_nothing_and_deleting_a_case_marks_its_months(network: dict[str, Any]) -> None:
    sh = network["shanghai"]
    draft = make_case(sh, submit=False)
    kpi_refresh()
    Case.objects_unscoped.get(pk=draft.pk).delete()
    assert not KpiDirty.objects.exists()

    case = make_case(sh)
    case = Case.objects_unscoped.get(pk=case.pk)
    case.submitted_at, case.concluded_at, case.state = local(2026, 2, 27), local(2026, 3, 3), CaseState.CONCLUDED
    case.save()
    kpi_refresh()
    assert KpiMonth.objects.filter(centre=sh, subtree=False, month=dt.date(2026, 2, 1), applications=1).exists()
    Case.objects_unscoped.get(pk=case.pk).delete()
    marked = set(KpiDirty.objects.values_list("centre_id", "month"))
    assert {(sh.pk, dt.date(2026, 2, 1)), (sh.pk, dt.date(2026, 3, 1))} <= marked
    kpi_refresh()
    assert not KpiMonth.objects.filter(month__in=[dt.date(2026, 2, 1), dt.date(2026, 3, 1)]).exists()
    assert snapshot() == rebuilt_snapshot()


def test_deleting_a_case_marks_the_months_of_the_rows_deleted_with_it(network: dict[str, Any]) -> None:
    from tests.referrals_support import make_org

    sh = network["shanghai"]
    case = make_case(sh)
    Clock.objects.filter(case=case).delete()
    case = Case.objects_unscoped.get(pk=case.pk)
    case.submitted_at, case.accepted_at, case.state = local(2026, 3, 30), local(2026, 4, 2), CaseState.ACCEPTED
    case.save()
    Clock(case=case, rule="acceptance", started_at=local(2026, 3, 30), due_at=local(2026, 4, 7, 17),
          finished_at=local(2026, 4, 2), state=ClockState.MET).save()  # fmt: skip
    Referral(case=case, organisation=make_org(sh), sent_by=network["sh_director"], cover_letter="移交函",
             sent_at=local(2026, 5, 6), ack_due_at=local(2026, 5, 9)).save()  # fmt: skip
    kpi_refresh()
    assert (
        KpiMonth.objects.filter(month=dt.date(2026, 5, 1), referrals=1).count() == 3
    )  # sh own and subtree, national subtree
    Case.objects_unscoped.get(pk=case.pk).delete()
    kpi_refresh()
    assert snapshot() == rebuilt_snapshot() == {}


# --- the local month -----------------------------------------------------------------------------------------------


def test_moments_near_midnight_count_in_their_month_in_china(network: dict[str, Any]) -> None:
    sh = network["shanghai"]
    march_late = local(2026, 3, 31, 23, 30)  # 15:30 UTC, March either way
    april_early = local(2026, 4, 1, 0, 30)  # 2026-03-31 16:30 UTC: April in China, March in UTC
    may_early = local(2026, 5, 1, 7, 59)  # 2026-04-30 23:59 UTC
    cases = []
    for submitted in (march_late, april_early):
        case = make_case(sh)
        Clock.objects.filter(case=case).delete()
        case = Case.objects_unscoped.get(pk=case.pk)
        case.submitted_at = submitted
        case.save()
        cases.append(case)
    KpiDirty.objects.all().delete()  # keep only what the next saves mark
    kpi_rebuild()
    second = Case.objects_unscoped.get(pk=cases[1].pk)
    second.accepted_at, second.concluded_at, second.state = april_early, may_early, CaseState.CONCLUDED
    second.save()
    Clock(case=second, rule="handling", started_at=april_early, due_at=local(2026, 6, 1, 0, 0),
          finished_at=local(2026, 6, 1, 0, 0), state=ClockState.MET).save()  # fmt: skip
    Survey(case=second, centre=sh, applicant=second.applicant_user, created_at=may_early).save()
    assert set(KpiDirty.objects.values_list("centre_id", "month")) == {
        (sh.pk, dt.date(2026, 4, 1)),
        (sh.pk, dt.date(2026, 5, 1)),
        (sh.pk, dt.date(2026, 6, 1)),
    }
    kpi_refresh()
    own = {r.month: r for r in KpiMonth.objects.filter(centre=sh, subtree=False)}
    assert (own[dt.date(2026, 3, 1)].applications, own[dt.date(2026, 4, 1)].applications) == (1, 1)
    assert (own[dt.date(2026, 5, 1)].concluded, own[dt.date(2026, 5, 1)].surveys_sent) == (1, 1)
    assert own[dt.date(2026, 6, 1)].clocks_on_time == 1  # finished at its due moment: on time
    assert own[dt.date(2026, 4, 1)].detail["accept_days"] == {"0": 1}
    assert snapshot() == rebuilt_snapshot()
    april = drill_cases(network["national_supervisor"], network["national"], Period("month", 2026, 4),
                        subtree=True, which="applications")  # fmt: skip
    assert [c.pk for c in april] == [second.pk]
    page = client_of(network["sh_supervisor"]).get(f"{reverse('kpis:dashboard', args=['sh'])}?period=2026-04")
    assert page.context["board"].kpis["applications"] == 1


# --- loading cases -------------------------------------------------------------------------------------------------


def test_cases_load_with_deferred_fields(network: dict[str, Any]) -> None:
    case = make_case(network["shanghai"])
    assert [c.tracking_number for c in Case.objects_unscoped.only("id", "tracking_number")] == [case.tracking_number]


# --- hostile query strings -----------------------------------------------------------------------------------------


HOSTILE = [
    "period=9999-Q9", "period=9999", "period=0000-01", "period=2026-13", "period=2026-Q0", "period=2027-12",
    "period=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96", "period=2026-03&period=evil", "period=" + "9" * 400,
    "scope=evil", "scope=own", "scope=", "set=../", "set=__class__", "set=overdue", "set=open",
    "dim=__class__&key=x", "dim=region&key=", "dim=service_type&key=%27%22%3B--",
    "dim=industry&key=%27%20OR%201%3D1--", "dim=priority_group&key=" + "x" * 5000, "dim=industry&key=%E2%80%AE",
    "page=-1", "page=0", "page=abc", "page=99999999999999999999", "page=1e9",
    "metric=__class__", "metric=", "metric=satisfaction_mean", "format=", "format=xlsx", "format=csv",
    "format=../../etc/passwd", "set=rejected&period=1999-01&format=xlsx", "set=overdue&format=csv",
]  # fmt: skip


def _get(client: Client, url: str) -> int:
    response = client.get(url)
    if hasattr(response, "streaming_content"):
        body = b"".join(response.streaming_content)
        if response["Content-Type"].startswith("application/vnd.openxml"):
            load_workbook(io.BytesIO(body))  # a readable workbook, even with no rows
    return response.status_code


@pytest.mark.parametrize("who", ["national_supervisor", "sh_director"])
def test_hostile_query_strings_never_answer_500(network: dict[str, Any], who: str) -> None:
    make_case(network["shanghai"])
    kpi_rebuild()
    client = client_of(network[who])
    code = "national" if who == "national_supervisor" else "sh"
    bases = [
        reverse("kpis:home"),
        reverse("kpis:dashboard", args=[code]),
        reverse("kpis:cases", args=[code]),
        reverse("kpis:ranking"),
        reverse("kpis:export", args=[code, "summary", "xlsx"]),
        reverse("kpis:export", args=[code, "by-region", "csv"]),
        reverse("kpis:export", args=[code, "children", "xlsx"]),
    ]
    for base in bases:
        for query in HOSTILE:
            status = _get(client, f"{base}?{query}")
            assert status in (200, 404), (base, query, status)
    for table in ("by-__class__", "by-", "..", "summary.xlsx"):
        assert _get(client, f"/kpis/c/{code}/export/{table}.csv") == 404
    assert _get(client, "/kpis/c/..%2F/") == 404


def test_the_cases_behind_a_province_of_the_breakdown(network: dict[str, Any]) -> None:
    case = make_case(network["shanghai"])  # applicant in 310115: province 310000
    kpi_rebuild()
    client = client_of(network["national_supervisor"])
    board = client.get(reverse("kpis:dashboard", args=["national"])).context["board"]
    assert [(r["key"], r["applications"]) for r in breakdown(board.agg, "region")] == [("310000", 1)]
    page = client.get(f"{reverse('kpis:cases', args=['national'])}?set=applications&dim=region&key=310000")
    assert [c.pk for c in page.context["page"]] == [case.pk]


def test_exporting_no_cases_gives_an_empty_sheet_with_its_headers(network: dict[str, Any]) -> None:
    client = client_of(network["national_supervisor"])
    response = client.get(f"{reverse('kpis:cases', args=['national'])}?period=2001-02&set=concluded&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[attr-defined]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 and rows[0][0] == "案件编号"


def test_a_nul_character_in_the_key_does_not_answer_500(network: dict[str, Any], request: Any) -> None:
    client = client_of(network["national_supervisor"])
    for dim in ("industry", "service_type", "ip_type", "channel"):  # region: see the test above
        assert _get(client, f"{reverse('kpis:cases', args=['national'])}?dim={dim}&key=a%00b") in (200, 404)
