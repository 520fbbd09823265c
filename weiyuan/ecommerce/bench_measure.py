"""What `manage.py ecommerce_bench` times (the data set: `bench.py`), and its report in docs/benchmarks.md.

- **One notice end to end**, through the real services, each step timed with its SQL statements: the draft, a CSV
  import of 300 listings, the right certificate and evidence, the completeness check, sending, the platform's
  measures on all 300 (one bulk request), counter-notices on some (each with an evidence file), complaints on a few,
  the clock sweep at expiry, and the platform's confirmation of each restoration. It runs in one transaction that is
  rolled back (files in a temporary directory), dated some weeks back so that the sweep at its expiry finds only its
  own listings, not the generated backlog. Each service's transaction is then a savepoint: COMMIT is not timed.
- **Reads** of the biggest platform's inbox (`/ecommerce/inbox/` through `django.test.Client`, logged in as its
  partner account; the API list with its scoped token), and the sweep's claim query over the generated backlog.
- **The clock sweep** (`sweep.sweep_counter_notice_waits`) at the end of the earliest day with waits due: every wait
  of a day ends at 24:00 of its last day, so this is what one sweep after midnight restores. Each run in a
  transaction that is rolled back, so every run restores the same listings.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client, override_settings
from django.utils import timezone

from weiyuan.core.bench import (
    BenchError,
    Measurement,
    _QueryRecorder,
    explain,
    machine,
    machine_line,
    render_table,
    splice_report,
    timed,
)
from weiyuan.ecommerce.bench import EMAIL_DOMAIN, TABLES, World, _user, world
from weiyuan.ecommerce.models import Listing, ListingState, Notice, NoticeState

BEGIN = "<!-- bench-ecommerce:begin -->"
END = "<!-- bench-ecommerce:end -->"
S = ListingState
SWEEP_BATCH = 500  # sweep.sweep_counter_notice_waits's default
# A sweep run is a background job on the 5-minute clock sweep (CELERY_BEAT_SCHEDULE): its bar is a tenth of that.
SWEEP_BUDGET_MS = 30_000.0


@dataclass
class FlowReport:
    listings: int
    counter_notices: int
    complaints: int
    runs: int
    steps: list[tuple[str, list[float], int]] = field(default_factory=list)  # (step, ms per run, SQL statements)

    @property
    def total_ms(self) -> list[float]:
        return [sum(ms[k] for _name, ms, _q in self.steps) for k in range(self.runs)]


# --- one notice end to end -----------------------------------------------------------------------------------


def _csv(listings: int) -> bytes:
    lines = ["链接,店铺,商品标题"] + [
        f"https://item.flow-bench.example/{n},基准测试{n % 40}号旗舰店,仿冒运动鞋{n}" for n in range(1, listings + 1)
    ]
    return "\n".join(lines).encode("utf-8")


def flow_once(w: World, *, listings: int, counter_notices: int, complaints: int) -> list[tuple[str, float, int]]:
    """One notice through its life; returns (step, ms, SQL statements). Everything is rolled back."""
    from weiyuan.core.choices import ApplicantKind
    from weiyuan.core.demo_content import pdf_file, png_file
    from weiyuan.ecommerce import listing_services as ls
    from weiyuan.ecommerce import listings as listing_rows
    from weiyuan.ecommerce import services
    from weiyuan.ecommerce.checks import notice_problems
    from weiyuan.ecommerce.models import DocumentKind
    from weiyuan.ecommerce.sweep import sweep_counter_notice_waits
    from weiyuan.network.models import Centre

    holder = _user(f"flow-holder@{EMAIL_DOMAIN}", "基准测试鞋业有限公司", applicant_kind=ApplicantKind.ORGANISATION)
    platform = w.flow_platform
    platform_user = w.platform_users[platform.pk]
    centre = Centre.objects.get(pk=w.centres[0])
    # Dated back, so the sweep at this notice's expiry finds no generated wait due earlier.
    earliest = (
        Listing.objects.filter(state=S.COUNTER_NOTICED).order_by("wait_due_at").values_list("wait_due_at", flat=True)
    ).first()
    t0 = min(timezone.now() - dt.timedelta(days=60), (earliest or timezone.now()) - dt.timedelta(days=30))
    steps: list[tuple[str, float, int]] = []
    ctx: dict[str, Any] = {}

    def step(name: str, fn: Callable[[], Any]) -> Any:
        recorder = _QueryRecorder()
        started = time.perf_counter()
        with connection.execute_wrapper(recorder):
            result = fn()
        steps.append((name, (time.perf_counter() - started) * 1000, recorder.count))
        return result

    positions = list(range(1, listings + 1))
    countered = positions[:counter_notices]
    complained = countered[:complaints]
    with tempfile.TemporaryDirectory() as media, transaction.atomic():
        storages = {
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": media}},
        }
        with override_settings(MEDIA_ROOT=media, STORAGES=storages):
            notice = step(
                "create the draft",
                lambda: services.notice_create(
                    actor=holder,
                    centre=centre,
                    platform=platform,
                    data=services.NoticeInput(
                        right_type="trademark",
                        right_number="30261234",
                        right_title="飞跃",
                        right_owner=holder.display_name,
                        statement="下列链接销售的运动鞋使用与第30261234号注册商标相同的标识，构成商标侵权。",
                        right_valid_from=dt.date(2018, 1, 1),
                        right_valid_until=dt.date(2035, 12, 31),
                    ),
                ),
            )
            step(
                f"import {listings} listings (CSV file)",
                lambda: services.notice_listings_add(
                    notice=notice, actor=holder, parsed=listing_rows.parse_csv(_csv(listings))
                ),
            )

            def documents() -> None:
                for kind, upload in (
                    (DocumentKind.CERTIFICATE, pdf_file("trademark-certificate.pdf", "Registration 30261234")),
                    (DocumentKind.EVIDENCE, png_file("listing-screenshot.png")),
                ):
                    services.notice_documents_add(notice=notice, actor=holder, kind=kind, uploads=[upload])

            step("add the certificate and the evidence", documents)

            def check() -> None:
                problems = notice_problems(notice, today=timezone.localtime(t0).date())
                if problems:
                    raise BenchError(f"the bench notice is incomplete: {[p.code for p in problems]}")

            step("completeness check", check)
            notice = step("send", lambda: services.notice_send(notice=notice, actor=holder, now=t0))
            step(
                f"platform: measures on all {listings} (one request)",
                lambda: ls.measures_record_many(
                    notice=notice,
                    actor=platform_user,
                    positions=positions,
                    measures=["delete", "terminate"],
                    now=t0 + dt.timedelta(hours=3),
                ),
            )
            by_position = {li.position: li for li in Listing.objects.filter(notice=notice)}

            def counter() -> None:
                for p in countered:
                    ls.counter_notice_record(
                        listing=by_position[p],
                        actor=platform_user,
                        text="本店商品系从正规渠道进货，不构成侵权，附进货发票。",
                        files=[pdf_file("invoice.pdf", f"Invoice for listing {p}")],
                        now=t0 + dt.timedelta(days=2),
                    )
                ctx["due"] = Listing.objects.get(pk=by_position[countered[0]].pk).wait_due_at

            step(f"platform: {counter_notices} counter-notices (an evidence file each)", counter)

            def complain() -> None:
                for p in complained:
                    ls.listing_complain(
                        listing=by_position[p],
                        actor=holder,
                        kind="complaint",
                        body="杭州市市场监督管理局",
                        document=pdf_file("complaint-receipt.pdf", f"Complaint receipt {p}"),
                        now=t0 + dt.timedelta(days=5),
                    )

            step(f"rights holder: {complaints} complaints", complain)

            def sweep() -> None:
                result = sweep_counter_notice_waits(now=ctx["due"] + dt.timedelta(seconds=1))
                expected = len(countered) - len(complained)
                if result["ecommerce_restored"] != expected:
                    raise BenchError(f"the sweep restored {result['ecommerce_restored']}, expected {expected}")

            step(f"clock sweep at expiry ({counter_notices - complaints} restored)", sweep)

            def confirm() -> None:
                for p in countered[len(complained) :]:
                    ls.listing_restore(
                        listing=by_position[p], actor=platform_user, now=ctx["due"] + dt.timedelta(hours=2)
                    )

            step(f"platform: {counter_notices - complaints} restorations confirmed", confirm)
        transaction.set_rollback(True)
    return steps


def flow(*, runs: int, listings: int, counter_notices: int, complaints: int, log: Callable[[str], None]) -> FlowReport:
    w = world()
    report = FlowReport(listings, counter_notices, complaints, runs)
    for k in range(runs):
        steps = flow_once(w, listings=listings, counter_notices=counter_notices, complaints=complaints)
        if not report.steps:
            report.steps = [(name, [], queries) for name, _ms, queries in steps]
        for (_name, samples, _q), (_n, ms, _q2) in zip(report.steps, steps, strict=True):
            samples.append(ms)
        log(f"end to end, run {k + 1}: {sum(ms for _n, ms, _q in steps):,.0f} ms")
    return report


def render_flow(report: FlowReport) -> str:
    lines = ["| step | median ms | SQL statements |", "|---|---:|---:|"]
    for name, samples, queries in report.steps:
        lines.append(f"| {name} | {statistics.median(samples):,.0f} | {queries:,} |")
    total_queries = sum(q for _n, _s, q in report.steps)
    lines.append(f"| **total** | **{statistics.median(report.total_ms):,.0f}** | {total_queries:,} |")
    return "\n".join(lines)


# --- reads and the sweep -------------------------------------------------------------------------------------


def _due_query(now: dt.datetime) -> list[tuple[int, Any]]:
    # The sweep's claim query, as sweep.sweep_counter_notice_waits runs it.
    return list(
        Listing.objects.filter(state=S.COUNTER_NOTICED, wait_due_at__lt=now)
        .order_by("wait_due_at", "pk")
        .values_list("pk", "wait_due_at")[:SWEEP_BATCH]
    )


def measure(
    *, runs: int, warmup: int, sweep_runs: int, log: Callable[[str], None]
) -> tuple[list[Measurement], list[Measurement], dict[str, Any]]:
    from weiyuan.accounts.services import api_token_create, api_token_revoke
    from weiyuan.ecommerce.sweep import sweep_counter_notice_waits

    w = world()
    platform = w.platforms[0]
    user = w.platform_users[platform.pk]
    inbox = Notice.objects.filter(platform=platform, state=NoticeState.SENT)
    context: dict[str, Any] = {
        "platform": platform.name,
        "inbox_notices": inbox.count(),
        "inbox_listings": Listing.objects.filter(notice__in=inbox).count(),
        "open_notices": inbox.filter(listings__state=S.NOTIFIED).distinct().count(),
    }
    if not context["inbox_notices"]:
        raise BenchError("no generated notices: run without --skip-generate")
    pages = max(1, (context["inbox_notices"] + 24) // 25)
    deep = max(1, min(100, pages // 2))
    context["deep_page"] = deep
    client = Client()
    client.force_login(user)

    def get(path: str, **headers: Any) -> Callable[[int], None]:
        def run(_k: int) -> None:
            response = client.get(path, **headers)
            if response.status_code != 200:
                raise BenchError(f"{path} answered {response.status_code}: {response.content[:300]!r}")

        return run

    reads = [
        timed("platform inbox, first page", get("/ecommerce/inbox/"), runs=runs, warmup=warmup),
        timed(
            "platform inbox, only notices with listings to handle",
            get("/ecommerce/inbox/?open=1"),
            runs=runs,
            warmup=warmup,
        ),
        timed(f"platform inbox, page {deep}", get(f"/ecommerce/inbox/?page={deep}"), runs=runs, warmup=warmup),
    ]
    token, clear = api_token_create(user=user, name="ecommerce-bench")
    try:
        reads.append(
            timed(
                "API GET /api/v1/ecommerce/notices (platform token)",
                get("/api/v1/ecommerce/notices?page=1&page_size=25", HTTP_AUTHORIZATION=f"Bearer {clear}"),
                runs=runs,
                warmup=warmup,
            )
        )
    finally:
        api_token_revoke(user=user, token=token)
    client.logout()
    reads.append(timed("public notice (Art. 44), first page", get("/ecommerce/public/"), runs=runs, warmup=warmup))

    now = timezone.now()
    backlog = Listing.objects.filter(state=S.COUNTER_NOTICED, wait_due_at__lt=now).count()
    running = Listing.objects.filter(state=S.COUNTER_NOTICED, wait_due_at__gte=now).count()
    context.update(backlog=backlog, running=running)
    reads.append(
        timed(
            f"sweep: claim query, first {SWEEP_BATCH} of {backlog:,} due",
            lambda _k: _due_query(now),
            runs=runs,
            warmup=warmup,
        )
    )
    earliest = (
        Listing.objects.filter(state=S.COUNTER_NOTICED).order_by("wait_due_at").values_list("wait_due_at", flat=True)
    ).first()
    sweeps: list[Measurement] = []
    if earliest is None:
        log("no counter-noticed listing: the sweep is not measured")
        return reads, sweeps, context
    idle_at = earliest - dt.timedelta(seconds=1)
    reads.append(
        timed(
            "sweep with nothing due (every 5 minutes)",
            lambda _k: sweep_counter_notice_waits(now=idle_at),
            runs=runs,
            warmup=warmup,
        )
    )
    sweep_at = earliest + dt.timedelta(seconds=1)
    day = Listing.objects.filter(state=S.COUNTER_NOTICED, wait_due_at__lt=sweep_at).count()
    context.update(sweep_day=timezone.localtime(earliest).date(), sweep_listings=day)

    def sweep(_k: int) -> None:
        with transaction.atomic():
            result = sweep_counter_notice_waits(now=sweep_at)
            transaction.set_rollback(True)
        if result["ecommerce_restored"] != day:
            raise BenchError(f"the sweep restored {result['ecommerce_restored']} of {day} due listings")

    sweeps.append(
        timed(
            f"clock sweep after one day's waits ended: {day:,} listings restored",
            sweep,
            runs=sweep_runs,
            warmup=1,
        )
    )
    context["per_listing_ms"] = sweeps[0].p50 / max(1, day)
    return reads, sweeps, context


# --- the report ----------------------------------------------------------------------------------------------


def table_sizes() -> list[tuple[str, int, str]]:
    rows = []
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}"  # noqa: S608
            )
            n, size = cursor.fetchone()
            rows.append((table, int(n), str(size)))
    return rows


def listing_states() -> str:
    counts = dict(Listing.objects.order_by().values_list("state").annotate(n=Count("id")))
    return ", ".join(f"{state} {counts[state]:,}" for state in S.values if counts.get(state))


def explains(results: list[Measurement]) -> dict[str, str]:
    return {m.name: explain(m.slowest_sql) for m in results if m.slowest_sql.lstrip().upper().startswith("SELECT")}


def report_text(
    *,
    command: str,
    flow_report: FlowReport | None,
    reads: list[Measurement],
    sweeps: list[Measurement],
    context: dict[str, Any],
    generation_seconds: float | None,
    runs: int,
    warmup: int,
) -> str:
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")
    parts = [
        BEGIN,
        "",
        f"Run {when} with `{command}`. {machine_line(machine())}",
        "",
        "| table | rows | size (with indexes) |",
        "|---|---:|---:|",
        *[f"| {t} | {n:,} | {s} |" for t, n, s in table_sizes()],
        "",
        f"Listings by state: {listing_states()}.",
        "",
    ]
    if generation_seconds is not None:
        parts += [f"Generated in {generation_seconds:,.0f} s (COPY, then VACUUM ANALYZE).", ""]
    if flow_report is not None:
        parts += [
            f"One notice end to end ({flow_report.listings} listings; median of {flow_report.runs} runs, "
            "each rolled back):",
            "",
            render_flow(flow_report),
            "",
        ]
    parts += [
        f"Reads as the partner account of {context['platform']} ({context['inbox_notices']:,} sent notices, "
        f"{context['inbox_listings']:,} listings, {context['open_notices']:,} notices with listings to handle); "
        f"the sweep over {context.get('backlog', 0):,} waits due and {context.get('running', 0):,} running. "
        f"{warmup} warm-up runs, then {runs} timed runs per read:",
        "",
        render_table(reads),
        "",
    ]
    if sweeps:
        parts += [
            f"The sweep at the end of {context['sweep_day']} ({len(sweeps[0].samples_ms)} runs, each rolled back; "
            f"about {context['per_listing_ms']:.1f} ms per listing restored — the conditional UPDATE, the step, "
            "the audit event, two outbox notices and the webhook delivery):",
            "",
            render_table(sweeps, target_ms=SWEEP_BUDGET_MS, label="sweep run"),
            "",
        ]
    parts.append(END)
    return "\n".join(parts)


def write_report(path: Path, text: str) -> None:
    splice_report(path, BEGIN, END, text)
