"""Generating the case data set: one transaction, set-based, at about a minute per million cases.

Small tables (centres, people, memberships) go in with COPY, the big ones (cases, rights, timeline events, clocks,
messages) with one INSERT ... SELECT over generate_series each, with the secondary indexes of the big tables dropped
during the load and rebuilt after it, then VACUUM ANALYZE.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from weiyuan.cases.bench.case_sql import case_columns
from weiyuan.cases.bench.centres import BENCH_CODE_PREFIX, CentreRow, credit_code, plan_centres
from weiyuan.cases.bench.words import (
    BRAND_WORDS,
    CITY_WORDS,
    INDUSTRY_WORDS,
    PERSON_GIVEN,
    PERSON_SURNAMES,
    SERVICE_WEIGHTS,
)
from weiyuan.core.bench import BenchError, GenerationReport, copy_rows, insert_select, next_id, set_identity
from weiyuan.core.choices import ApplicantKind, Role

BIG_TABLES = ("cases_case", "cases_caseright", "cases_caseevent", "clocks_clock", "cases_casemessage")
SPAN_DAYS = 3 * 365  # the generated cases were submitted over the last three years


def existing_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM network_centre WHERE code LIKE %s", [BENCH_CODE_PREFIX + "%"])
        centres = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM network_centre")
        all_centres = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM cases_case")
        cases = cursor.fetchone()[0]
    return {"bench_centres": centres, "centres": all_centres, "cases": cases}


def reset_database() -> None:
    """Empty every table the generator fills (the database name was checked by the caller)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE network_centre, accounts_user, cases_case, audit_auditevent, audit_auditchainhead, "
            "notifications_outboxmessage RESTART IDENTITY CASCADE"
        )


def _paths() -> list[tuple[str, int, str, str, str, int, str]]:
    """(state, step, action, from, to, hours after submission, who) for every state's usual path."""
    base = [("create", "", "draft", 0, "applicant"), ("submit", "draft", "submitted", 0, "applicant")]
    accept = [("accept", "submitted", "accepted", 48, "intake")]
    assign = [("assign", "accepted", "assigned", 50, "intake")]
    start = [("start", "assigned", "in_handling", 72, "handler")]
    conclude = [("conclude", "in_handling", "concluded", 480, "handler")]
    paths: dict[str, list[tuple[str, str, str, int, str]]] = {
        "draft": base[:1],
        "submitted": base,
        "info_requested": [*base, ("request_info", "submitted", "info_requested", 24, "intake")],
        "accepted": [*base, *accept],
        "rejected": [*base, ("reject", "submitted", "rejected", 48, "intake")],
        "assigned": [*base, *accept, *assign],
        "in_handling": [*base, *accept, *assign, *start],
        "concluded": [*base, *accept, *assign, *start, *conclude],
        "closed": [*base, *accept, *assign, *start, *conclude, ("close", "concluded", "closed", 600, "handler")],
        "reopened": [*base, *accept, *assign, *start, *conclude, ("reopen", "concluded", "reopened", 700, "handler")],
        "withdrawn": [*base, ("withdraw", "submitted", "withdrawn", 96, "applicant")],
        "transferred": [*base, ("transfer", "submitted", "transferred", 30, "intake")],
    }
    return [
        (state, k, action, src, dst, hours, who)
        for state, steps in paths.items()
        for k, (action, src, dst, hours, who) in enumerate(steps)
    ]


def generate(*, cases: int, centres: int, log: Callable[[str], None]) -> GenerationReport:
    """Create `centres` centres with staff, `cases // 20` applicants and `cases` cases with their history."""
    from weiyuan.cases.models import ServiceType
    from weiyuan.network.models import Region

    services = {code: pk for pk, code in ServiceType.objects.values_list("pk", "code")}
    missing = set(SERVICE_WEIGHTS) - set(services)
    if missing:
        raise BenchError(f"service types missing (run migrations): {', '.join(sorted(missing))}")
    region_codes = list(Region.objects.filter(level__gte=2).values_list("code", flat=True))
    loader = _Loader(cases=cases, services=services, region_codes=region_codes, log=log)
    with transaction.atomic(), connection.cursor() as wrapper:
        loader.cursor = wrapper.cursor  # the psycopg cursor, for COPY
        index_defs = loader.prepare()
        loader.load_centres(centres)
        loader.load_people()
        loader.helper_tables()
        loader.load_cases()
        loader.load_rights()
        loader.load_events()
        loader.load_clocks()
        loader.load_messages()
        loader.finish(index_defs)
    with connection.cursor() as cursor:
        for table in (*BIG_TABLES, "network_centre", "accounts_user", "accounts_membership"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    loader.phase("vacuum analyze")
    loader.report.seconds = time.monotonic() - loader.started
    return loader.report


class _Loader:
    """The phases of one load, sharing the cursor, the clock and what earlier phases produced."""

    def __init__(self, *, cases: int, services: dict[str, int], region_codes: list[str], log: Callable[[str], None]):
        self.cases = cases
        self.services = services
        self.region_codes = region_codes
        self.log = log
        self.report = GenerationReport(skipped=False)
        self.started = self.phase_started = time.monotonic()
        self.now = timezone.now()
        self.applicants = max(100, cases // 20)
        self.cursor: Any = None
        self.centre_rows: list[CentreRow] = []
        self.staff: dict[int, dict[str, int]] = {}
        self.app_rows: list[tuple[int, int, str, str, str, str]] = []
        self.slot_count = 0
        self.service_slot_count = 0
        self.first_case = 0

    def phase(self, name: str) -> None:
        now = time.monotonic()
        self.report.phases.append((name, now - self.phase_started))
        self.log(f"  {name}: {now - self.phase_started:.1f} s")
        self.phase_started = now

    def prepare(self) -> list[tuple[str, str]]:
        """Session settings for a bulk load; drop the secondary indexes of the big tables (returned, to rebuild)."""
        cursor = self.cursor
        try:
            with transaction.atomic():
                # Superuser only: skip FK and trigger checks during the load (the data is consistent by construction).
                cursor.execute("SET LOCAL session_replication_role = replica")
        except Exception:  # noqa: BLE001 - not a superuser: load with the checks on (slower)
            self.log("  (not a superuser: foreign-key checks stay on during the load)")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [list(BIG_TABLES)],
        )
        index_defs = list(cursor.fetchall())
        for name, _definition in index_defs:
            cursor.execute(f'DROP INDEX "{name}"')
        return index_defs

    def load_centres(self, centres: int) -> None:
        from weiyuan.network.models import Centre

        cursor, now = self.cursor, self.now
        # Centres.
        centre_rows = self.centre_rows = plan_centres(count=centres, first_id=next_id(cursor, "network_centre"))
        all_ip = [
            "invention",
            "utility_model",
            "design",
            "trademark",
            "gi",
            "ic_layout",
            "copyright",
            "trade_secret",
            "other",
        ]
        copy_rows(
            cursor,
            Centre,
            (
                {
                    "id": c.id,
                    "code": c.code,
                    "name": c.name,
                    "kind": c.kind,
                    "site": c.site,
                    "parent_id": c.parent_id,
                    "path": c.path,
                    "depth": c.depth,
                    "region_id": c.region_id,
                    "ip_types": all_ip,
                    "service_types": list(SERVICE_WEIGHTS),
                    "address": f"{c.name[:6]}示范路{c.id % 900 + 100}号",
                    "hours": "工作日 9:00—17:30",
                    "phone": f"0{10 + c.id % 89}-{60000000 + c.id:08d}",
                    "filing_status": "approved",
                    "created_at": now - dt.timedelta(days=SPAN_DAYS + 30),
                }
                for c in centre_rows
            ),
        )
        set_identity(cursor, "network_centre")
        self.phase(f"centres ({len(centre_rows)})")

    def load_people(self) -> None:
        from weiyuan.accounts.models import Membership, User

        cursor, now, centre_rows = self.cursor, self.now, self.centre_rows
        applicants, region_codes = self.applicants, self.region_codes
        # People: intake officer, handler and director per centre, a national supervisor, and the applicants.
        password = make_password(None)
        first_user = next_id(cursor, "accounts_user")
        staff = self.staff
        user_rows: list[dict[str, Any]] = []
        member_rows: list[dict[str, Any]] = []
        uid = first_user
        joined = now - dt.timedelta(days=SPAN_DAYS + 30)
        for c in centre_rows:
            staff[c.id] = {}
            for role in (Role.INTAKE_OFFICER, Role.HANDLER, Role.DIRECTOR):
                user_rows.append(
                    {
                        "id": uid,
                        "username": f"bench-{role}-{c.id}",
                        "email": f"{role}.{c.id}@bench.weiyuan",
                        "display_name": PERSON_SURNAMES[uid % len(PERSON_SURNAMES)]
                        + PERSON_GIVEN[uid % len(PERSON_GIVEN)],
                        "password": password,
                        "date_joined": joined,
                        "email_verified": True,
                    }
                )
                member_rows.append({"user_id": uid, "centre_id": c.id, "role": role, "created_at": joined})
                staff[c.id][role] = uid
                uid += 1
        user_rows.append(
            {
                "id": uid,
                "username": "bench-supervisor",
                "email": "supervisor@bench.weiyuan",
                "display_name": "基准监督员",
                "password": password,
                "date_joined": joined,
                "email_verified": True,
            }
        )
        member_rows.append(
            {"user_id": uid, "centre_id": centre_rows[0].id, "role": Role.SUPERVISOR, "created_at": joined}
        )
        uid += 1
        app_rows = self.app_rows
        for k in range(applicants):
            region = region_codes[(k * 31) % len(region_codes)]
            if k % 5 == 4:
                name = (
                    PERSON_SURNAMES[k % len(PERSON_SURNAMES)]
                    + PERSON_GIVEN[(k // 7) % len(PERSON_GIVEN)]
                    + PERSON_GIVEN[(k // 3) % len(PERSON_GIVEN)][:1]
                )
                kind, credit = ApplicantKind.PERSON, ""
            else:
                name = (
                    CITY_WORDS[k % len(CITY_WORDS)]
                    + BRAND_WORDS[(k // len(CITY_WORDS)) % len(BRAND_WORDS)]
                    + INDUSTRY_WORDS[(k // 7) % len(INDUSTRY_WORDS)]
                    + f"有限公司{'' if k < 12000 else k // 12000}"
                )
                kind, credit = ApplicantKind.ORGANISATION, credit_code(k, region)
            user_rows.append(
                {
                    "id": uid,
                    "username": f"bench-applicant-{k}",
                    "email": f"applicant{k}@bench.weiyuan",
                    "display_name": name,
                    "password": password,
                    "date_joined": joined,
                    "email_verified": True,
                    "applicant_kind": kind,
                    "organisation_name": name if kind == ApplicantKind.ORGANISATION else "",
                    "credit_code": credit,
                    "region_id": region,
                }
            )
            app_rows.append((k, uid, name, kind, credit, region))
            uid += 1
        copy_rows(cursor, User, user_rows)
        first_membership = next_id(cursor, "accounts_membership")
        copy_rows(cursor, Membership, ({"id": first_membership + i, **m} for i, m in enumerate(member_rows)))
        set_identity(cursor, "accounts_user")
        set_identity(cursor, "accounts_membership")
        self.phase(f"people ({len(user_rows)} users)")

    def helper_tables(self) -> None:
        """Weighted centre slots, applicants, weighted service types, staff per centre (temporary tables)."""
        cursor, centre_rows, staff, services = self.cursor, self.centre_rows, self.staff, self.services
        app_rows = self.app_rows
        # Helper tables: weighted centre slots, applicants, weighted service types.
        cursor.execute(
            "CREATE TEMP TABLE bench_slot (slot int PRIMARY KEY, centre_id bigint, intake_id bigint, "
            "handler_id bigint) "
            "ON COMMIT DROP"
        )
        total_weight = sum(c.weight for c in centre_rows)
        slots = max(10_000, len(centre_rows) * 4)
        slot_rows: list[tuple[int, int, int, int]] = []
        for c in centre_rows:
            n_slots = max(1, round(c.weight / total_weight * slots))
            for _ in range(n_slots):
                slot_rows.append((len(slot_rows), c.id, staff[c.id][Role.INTAKE_OFFICER], staff[c.id][Role.HANDLER]))
        with cursor.copy("COPY bench_slot (slot, centre_id, intake_id, handler_id) FROM STDIN") as copy:
            for row in slot_rows:
                copy.write_row(row)
        cursor.execute(
            "CREATE TEMP TABLE bench_app (idx int PRIMARY KEY, user_id bigint, name text, kind text, credit text, "
            "region_id text) ON COMMIT DROP"
        )
        with cursor.copy("COPY bench_app (idx, user_id, name, kind, credit, region_id) FROM STDIN") as copy:
            for app in app_rows:
                copy.write_row(app)
        cursor.execute("CREATE TEMP TABLE bench_service (slot int PRIMARY KEY, id bigint) ON COMMIT DROP")
        service_slots = [services[code] for code, w in SERVICE_WEIGHTS.items() for _ in range(w)]
        with cursor.copy("COPY bench_service (slot, id) FROM STDIN") as copy:
            for i, pk in enumerate(service_slots):
                copy.write_row((i, pk))
        cursor.execute(
            "CREATE TEMP TABLE bench_staff (centre_id bigint PRIMARY KEY, intake_id bigint, handler_id bigint) "
            "ON COMMIT DROP"
        )
        with cursor.copy("COPY bench_staff (centre_id, intake_id, handler_id) FROM STDIN") as copy:
            for cid, roles in staff.items():
                copy.write_row((cid, roles[Role.INTAKE_OFFICER], roles[Role.HANDLER]))
        for temp in ("bench_slot", "bench_app", "bench_service", "bench_staff"):
            cursor.execute(f"ANALYZE {temp}")
        self.first_case = next_id(cursor, "cases_case")
        self.slot_count = len(slot_rows)
        self.service_slot_count = len(service_slots)

    def load_cases(self) -> None:
        from weiyuan.cases.models import Case

        insert_select(
            self.cursor,
            Case,
            *case_columns(
                cases=self.cases,
                now=self.now,
                services=self.services,
                slots=self.slot_count,
                applicants=self.applicants,
                service_slots=self.service_slot_count,
                span_days=SPAN_DAYS,
            ),
        )
        self.phase(f"cases ({self.cases})")

    def load_rights(self) -> None:
        from weiyuan.cases.models import CaseRight

        cursor, first_case = self.cursor, self.first_case
        # Rights: one per case whose service type needs one; numbers in the real formats, unique per case.
        rights_from = """
            FROM cases_case c JOIN cases_servicetype st ON st.id = c.service_type_id
            WHERE c.id >= %(first)s AND st.needs_right
        """
        number = """CASE c.ip_type
            WHEN 'trademark' THEN (10000000 + c.id)::text
            WHEN 'gi' THEN (70000000 + c.id)::text
            WHEN 'invention' THEN 'ZL' || (2015 + c.id %% 10) || '1' || PATENT_TAIL
            WHEN 'utility_model' THEN 'ZL' || (2015 + c.id %% 10) || '2' || PATENT_TAIL
            WHEN 'design' THEN 'ZL' || (2015 + c.id %% 10) || '3' || PATENT_TAIL
            WHEN 'ic_layout' THEN 'BS.' || (15 + c.id %% 10) || '5' || lpad((c.id %% 1000000)::text, 6, '0')
            WHEN 'copyright' THEN '国作登字-' || (2015 + c.id %% 10) || '-F-' || lpad((c.id %% 100000000)::text, 8, '0')
            ELSE 'CNA' || (2015 + c.id %% 10) || lpad((c.id %% 100000)::text, 5, '0') || '.' || (c.id %% 10) END"""
        number = number.replace("PATENT_TAIL", "lpad((c.id %% 10000000)::text, 7, '0') || '.' || (c.id %% 10)")
        insert_select(
            cursor,
            CaseRight,
            {
                "case_id": "c.id",
                "ip_type": "c.ip_type",
                "number": number,
                "title": "c.title",
                "owner": "c.applicant_name",
                "legal_status": "'有效'",
                "certificate_id": "NULL",
            },
            rights_from,
            {"first": first_case},
        )
        self.phase("rights")

    def load_events(self) -> None:
        from weiyuan.cases.models import CaseEvent

        cursor, first_case, now = self.cursor, self.first_case, self.now
        # Timeline events: the steps of each state's path, at plausible offsets from submission.
        cursor.execute(
            "CREATE TEMP TABLE bench_path (state text, step int, action text, from_state text, to_state text, "
            "hours int, who text) ON COMMIT DROP"
        )
        with cursor.copy("COPY bench_path FROM STDIN") as copy:
            for path_row in _paths():
                copy.write_row(path_row)
        events_from = """
            FROM cases_case c JOIN bench_path p ON p.state = c.state JOIN bench_staff st ON st.centre_id = c.centre_id
            WHERE c.id >= %(first)s
        """
        insert_select(
            cursor,
            CaseEvent,
            {
                "case_id": "c.id",
                "action": "p.action",
                "from_state": "p.from_state",
                "to_state": "p.to_state",
                "actor_id": "CASE p.who WHEN 'applicant' THEN c.created_by_id WHEN 'intake' THEN st.intake_id "
                "ELSE COALESCE(c.handler_id, st.handler_id) END",
                "centre_id": "c.centre_id",
                "public": "true",
                "note": "''",
                "created_at": "LEAST(COALESCE(c.submitted_at, c.created_at) + make_interval(hours => p.hours), "
                "%(now)s)",
            },
            events_from,
            {"first": first_case, "now": now},
        )
        self.phase("timeline events")

    def load_clocks(self) -> None:
        from weiyuan.clocks.models import Clock

        cursor, first_case = self.cursor, self.first_case
        # Clocks: acceptance for every submitted case, information response while waiting, handling once accepted.
        clock_sql = [
            (
                "acceptance",
                "c.submitted_at",
                "CASE WHEN c.state = 'info_requested' THEN NULL ELSE c.submitted_at + interval '7 days' END",
                "CASE WHEN c.state IN ('submitted','transferred') THEN 'running' WHEN c.state = 'info_requested' "
                "THEN 'paused' WHEN c.state = 'withdrawn' THEN 'cancelled' ELSE 'met' END",
                "CASE WHEN c.state IN ('submitted','transferred','info_requested') THEN NULL "
                "ELSE COALESCE(c.accepted_at, c.submitted_at + interval '2 days') END",
                "5",
                "c.state <> 'draft'",
            ),
            (
                "info_response",
                "c.submitted_at + interval '1 day'",
                "c.submitted_at + interval '16 days'",
                "'running'",
                "NULL",
                "15",
                "c.state = 'info_requested'",
            ),
            (
                "handling",
                "c.accepted_at",
                "c.accepted_at + interval '42 days'",
                "CASE WHEN c.state IN ('concluded','closed') THEN 'met' ELSE 'running' END",
                "c.concluded_at",
                "30",
                "c.accepted_at IS NOT NULL",
            ),
        ]
        for rule, started_at, due_at, state, finished_at, amount, where in clock_sql:
            insert_select(
                cursor,
                Clock,
                {
                    "case_id": "c.id",
                    "rule": f"'{rule}'",
                    "state": state,
                    "started_at": started_at,
                    "due_at": due_at,
                    "remaining_units": amount,
                    "paused_at": "CASE WHEN c.state = 'info_requested' THEN c.submitted_at + interval '1 day' END"
                    if rule == "acceptance"
                    else "NULL",
                    "finished_at": finished_at,
                    "calendar_fallback": "false",
                    "created_at": started_at,
                },
                f"FROM cases_case c WHERE c.id >= %(first)s AND {where}",
                {"first": first_case},
            )
        self.phase("clocks")

    def load_messages(self) -> None:
        from weiyuan.cases.models import CaseMessage

        cursor, first_case, now = self.cursor, self.first_case, self.now
        # Messages: a question and an answer on one case in ten of those being handled.
        for author, body, hours in (
            ("COALESCE(c.applicant_user_id, c.created_by_id)", "请问案件目前进展如何？对方仍在销售。", 96),
            ("c.handler_id", "您好，材料已收到，我们正在组织比对，预计十个工作日内出具意见。", 120),
        ):
            insert_select(
                cursor,
                CaseMessage,
                {
                    "case_id": "c.id",
                    "author_id": author,
                    "body": f"'{body}'",
                    "internal": "false",
                    "created_at": f"LEAST(c.submitted_at + interval '{hours} hours', %(now)s)",
                },
                "FROM cases_case c WHERE c.id >= %(first)s AND c.id %% 10 = 0 AND c.handler_id IS NOT NULL",
                {"first": first_case, "now": now},
            )
        self.phase("messages")

    def finish(self, index_defs: list[tuple[str, str]]) -> None:
        cursor = self.cursor
        cursor.execute(
            "UPDATE network_centre AS n SET next_case_seq = x.n + 1 FROM "
            "(SELECT centre_id, count(*) AS n FROM cases_case GROUP BY centre_id) AS x WHERE x.centre_id = n.id"
        )
        for _name, definition in index_defs:
            cursor.execute(definition)
        self.phase(f"indexes ({len(index_defs)} rebuilt)")
