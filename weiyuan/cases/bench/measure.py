"""Timing the hot reads of the case data set through the real selectors and API, and the report of a run."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import timezone

from weiyuan.cases.bench.centres import BENCH_CODE_PREFIX
from weiyuan.core.bench import (
    BenchError,
    GenerationReport,
    Measurement,
    machine,
    machine_line,
    render_table,
    sample_rows,
    splice_report,
    timed,
)
from weiyuan.core.choices import Role


def measure(*, runs: int, warmup: int, log: Callable[[str], None]) -> tuple[list[Measurement], dict[str, Any]]:
    from weiyuan.accounts.models import User
    from weiyuan.cases import selectors as cs
    from weiyuan.core.pagination import CappedPaginator

    with connection.cursor() as cursor:
        # The measured staff member: the intake officer of the busiest centre.
        cursor.execute(
            "SELECT c.centre_id, count(*) FROM cases_case c JOIN network_centre n ON n.id = c.centre_id "
            "WHERE n.code LIKE %s GROUP BY c.centre_id ORDER BY count(*) DESC LIMIT 1",
            [BENCH_CODE_PREFIX + "%"],
        )
        row = cursor.fetchone()
        if row is None:
            raise BenchError("no generated cases: run without --skip-generate")
        centre_id, centre_cases = row
        cursor.execute(
            "SELECT user_id FROM accounts_membership WHERE centre_id = %s AND role = %s ORDER BY id LIMIT 1",
            [centre_id, Role.INTAKE_OFFICER],
        )
        intake_id = cursor.fetchone()[0]
        cursor.execute("SELECT user_id FROM accounts_membership WHERE role = %s ORDER BY id LIMIT 1", [Role.SUPERVISOR])
        supervisor_row = cursor.fetchone()
    n = runs + warmup + 1
    numbers = sample_rows(
        "SELECT tracking_number FROM cases_case WHERE centre_id = %s AND state <> 'draft' ORDER BY random() LIMIT %s",
        [centre_id, n],
        n,
    )
    prefixes = [
        name[:4]
        for name in sample_rows(
            "SELECT applicant_name FROM cases_case WHERE centre_id = %s ORDER BY random() LIMIT %s", [centre_id, n], n
        )
    ]
    rights = sample_rows(
        "SELECT r.number FROM cases_caseright r JOIN cases_case c ON c.id = r.case_id WHERE c.centre_id = %s "
        "AND c.state <> 'draft' ORDER BY random() LIMIT %s",
        [centre_id, n],
        n,
    )
    applicant_cases = sample_rows(
        "SELECT applicant_user_id, tracking_number FROM cases_case WHERE applicant_user_id IS NOT NULL "
        "ORDER BY random() LIMIT %s",
        [n],
        n,
    )
    network_numbers = sample_rows(
        "SELECT tracking_number FROM cases_case WHERE state <> 'draft' ORDER BY random() LIMIT %s", [n], n
    )
    network_rights = sample_rows("SELECT number FROM cases_caseright ORDER BY random() LIMIT %s", [n], n)
    network_prefixes = [
        name[:4] for name in sample_rows("SELECT applicant_name FROM cases_case ORDER BY random() LIMIT %s", [n], n)
    ]

    def staff() -> Any:
        # A request loads its user afresh (and the access module its memberships): so does every run here.
        return User.objects.get(pk=intake_id)

    def queue_page(user: Any, page: int | str, **filters: Any) -> Any:
        # As the workbench does: paginate, then attach the next due clock to the 25 rows shown.
        got = CappedPaginator(cs.case_list(user=user, filters=cs.CaseFilters(**filters)), 25).get_page(page)
        return cs.attach_next_due(got.object_list), got.number

    _items, last_page = queue_page(staff(), 10**9, queue="centre")
    deep_page = min(500, last_page)
    results: list[Measurement] = []
    log(f"measuring ({warmup} warm-up + {runs} runs each)…")
    results.append(
        timed("staff queue, first page", lambda k: queue_page(staff(), 1, queue="centre"), runs=runs, warmup=warmup)
    )
    results.append(
        timed(
            f"staff queue, page {deep_page}",
            lambda k: queue_page(staff(), deep_page, queue="centre"),
            runs=runs,
            warmup=warmup,
            note="" if deep_page == 500 else f"the centre has {last_page} pages",
        )
    )
    results.append(
        timed(
            "search: tracking number",
            lambda k: queue_page(staff(), 1, queue="centre", q=numbers[k]),
            runs=runs,
            warmup=warmup,
        )
    )
    results.append(
        timed(
            "search: applicant name (prefix)",
            lambda k: queue_page(staff(), 1, queue="centre", q=prefixes[k]),
            runs=runs,
            warmup=warmup,
        )
    )
    results.append(
        timed(
            "search: right number",
            lambda k: queue_page(staff(), 1, queue="centre", q=rights[k]),
            runs=runs,
            warmup=warmup,
        )
    )

    def case_page(k: int) -> None:
        user_id, number = applicant_cases[k]
        user = User.objects.get(pk=user_id)
        case = cs.case_get(user=user, tracking_number=number)
        list(cs.case_timeline(case=case, public_only=True))
        list(cs.case_clocks(case=case))
        list(cs.case_messages(case=case, include_internal=False))

    results.append(timed("applicant's case page", case_page, runs=runs, warmup=warmup))
    results.append(_api_list(intake_id, runs=runs, warmup=warmup))
    if supervisor_row is not None:
        supervisor_id = supervisor_row[0]

        def supervisor() -> Any:
            return User.objects.get(pk=supervisor_id)

        results.append(
            timed(
                "supervisor (whole network): first page",
                lambda k: queue_page(supervisor(), 1, queue="subtree"),
                runs=runs,
                warmup=warmup,
                note="extra",
            )
        )
        for label, terms in (
            ("tracking number", network_numbers),
            ("applicant name (prefix)", network_prefixes),
            ("right number", network_rights),
        ):
            results.append(
                timed(
                    f"supervisor (whole network) search: {label}",
                    partial(_supervisor_search, queue_page, supervisor, terms),
                    runs=runs,
                    warmup=warmup,
                    note="extra",
                )
            )
    context = {"centre_id": centre_id, "centre_cases": centre_cases, "last_page": last_page}
    return results, context


def _supervisor_search(queue_page: Callable[..., Any], user: Callable[[], Any], terms: list[Any], k: int) -> Any:
    return queue_page(user(), 1, queue="subtree", q=terms[k])


def _api_list(intake_id: int, *, runs: int, warmup: int) -> Measurement:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from weiyuan.accounts.models import User

    try:
        url = reverse("api:case_list")
    except NoReverseMatch:
        return Measurement("API list GET /api/v1/cases", [0.0], 0, "the API has no case list route")
    try:
        from weiyuan.accounts.services import api_token_create, api_token_revoke
    except ImportError:
        return Measurement("API list GET /api/v1/cases", [0.0], 0, "no API tokens (accounts.services)")
    user = User.objects.get(pk=intake_id)
    token, clear = api_token_create(user=user, name="bench")
    client = Client()
    try:

        def call(k: int) -> None:
            response = client.get(url, {"queue": "centre", "page": "1"}, HTTP_AUTHORIZATION=f"Bearer {clear}")
            if response.status_code != 200:
                raise BenchError(f"API list answered {response.status_code}: {response.content[:300]!r}")

        return timed("API list GET /api/v1/cases (token)", call, runs=runs, warmup=warmup)
    finally:
        api_token_revoke(user=user, token=token)


def table_sizes() -> list[tuple[str, int, str]]:
    tables = [
        "network_centre",
        "accounts_user",
        "cases_case",
        "cases_caseright",
        "cases_caseevent",
        "clocks_clock",
        "cases_casemessage",
    ]
    out = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT count(*), pg_size_pretty(pg_total_relation_size(%s)) FROM {table}",  # noqa: S608
                [table],
            )
            count, size = cursor.fetchone()
            out.append((table, int(count), str(size)))
    return out


BEGIN = "<!-- bench:begin (generated by manage.py bench; edit outside these markers) -->"
END = "<!-- bench:end -->"


def write_report(
    *,
    path: Path,
    command: str,
    results: list[Measurement],
    generation: GenerationReport | None,
    context: dict[str, Any],
    runs: int,
    warmup: int,
    explains: dict[str, str],
) -> None:
    info = machine()
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")
    parts = [
        BEGIN,
        "",
        f"Run {when} with:",
        "",
        "```",
        command,
        "```",
        "",
        machine_line(info),
        "",
        "Data:",
        "",
        "| table | rows | size (with indexes) |",
        "|---|---:|---:|",
        *[f"| {t} | {n:,} | {s} |" for t, n, s in table_sizes()],
        "",
    ]
    if generation is not None and not generation.skipped:
        phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in generation.phases)
        parts += [f"Generation took {generation.seconds:.0f} s ({phases}).", ""]
    elif generation is not None:
        parts += ["Generation skipped: the database already held the data set.", ""]
    parts += [
        f"Measured as the intake officer of the busiest centre ({context['centre_cases']:,} cases, "
        f"{context['last_page']:,} pages of 25 in its queue) and as the national supervisor (whole network); "
        f"{warmup} warm-up runs, then {runs} timed runs per read, each loading the user afresh as a request would. "
        "Times are wall-clock in the Django process, including ORM and (for the API) django-ninja serialisation.",
        "",
        render_table(results),
        "",
    ]
    for name, plan in explains.items():
        parts += [f"EXPLAIN ANALYZE of the slowest query of “{name}”:", "", "```", plan, "```", ""]
    parts.append(END)
    splice_report(path, BEGIN, END, "\n".join(parts))
