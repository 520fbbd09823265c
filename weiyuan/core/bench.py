"""The benchmark behind `make bench`: a national-scale data set in PostgreSQL and the latency of the hot reads.

Generation is set-based: small tables (centres, people, memberships) go in with COPY, the big ones (cases, rights,
timeline events, clocks, messages) with one INSERT ... SELECT over generate_series each, inside one transaction,
with the secondary indexes dropped during the load and rebuilt after it, then VACUUM ANALYZE. The reads are then
timed through the real selectors (and the real API through django.test.Client), as a request would run them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from weiyuan.core.choices import ApplicantKind, Role
from weiyuan.core.validators import credit_code_check_char

BENCH_CODE_PREFIX = "bench-"
BIG_TABLES = ("cases_case", "cases_caseright", "cases_caseevent", "clocks_clock", "cases_casemessage")
TARGET_P95_MS = 50.0
SPAN_DAYS = 3 * 365  # the generated cases were submitted over the last three years

CITY_WORDS = [
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "宁波",
    "温州",
    "义乌",
    "苏州",
    "无锡",
    "南京",
    "合肥",
    "武汉",
    "长沙",
    "成都",
    "重庆",
    "西安",
    "郑州",
    "济南",
    "青岛",
    "厦门",
    "福州",
    "泉州",
    "东莞",
    "佛山",
    "中山",
    "珠海",
    "天津",
    "沈阳",
    "大连",
    "哈尔滨",
    "长春",
    "昆明",
    "南宁",
    "贵阳",
    "南昌",
    "石家庄",
    "太原",
    "兰州",
    "乌鲁木齐",
]
BRAND_WORDS = [a + b for a in "云星海天金银华瑞恒鑫正博远嘉明晨盛泰宏安" for b in "澜河川宇创达锐峰源信德诚邦禾途景"]
INDUSTRY_WORDS = ["科技", "电子", "服饰", "食品", "文具", "五金", "家居", "生物医药", "新材料", "智能装备"]
PERSON_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
PERSON_GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "建华",
    "晓东",
    "海燕",
    "志强",
]
RESPONDENT_SUFFIXES = ["商贸有限公司", "电子商务有限公司", "贸易商行", "科技有限公司", "制品厂", "数码专营店"]
TITLES = [
    "注册商标在电商平台被仿冒",
    "展会展出涉嫌侵犯外观设计专利产品",
    "实用新型专利侵权判定",
    "发明专利被多家企业实施",
    "网店销售假冒注册商标商品",
    "原创作品被印制在商品上销售",
    "地理标志被冒用",
    "集成电路布图设计被复制",
    "商业秘密被离职员工带走",
    "植物新品种权纠纷",
    "海外展会遭遇专利侵权指控",
    "美国337调查应诉指导",
    "商标海外抢注风险预警",
    "专利无效宣告程序应对咨询",
    "短视频被搬运维权咨询",
    "商标连续三年不使用撤销答辩",
]
FACTS = [
    "申请人的注册商标核定使用在相关商品上，近期发现被请求人在网店销售标有近似标识的同类商品，已公证购买取得实物和发票。",
    "申请人的外观设计专利合法有效，被请求人展出的产品与专利整体视觉效果无实质差异，已拍摄现场照片并取得产品目录。",
    "申请人的专利经评价报告确认具备新颖性和创造性，被请求人销售的产品结构与权利要求1的全部技术特征相同。",
    "申请人的作品已办理著作权登记，被请求人未经许可复制并通过直播间销售，已录屏保存证据。",
    "申请人拟开拓海外市场，需要了解目标市场的知识产权布局和风险，请求提供分析预警和应对建议。",
]
REQUESTS = [
    "请求出具侵权判定参考意见。",
    "请求现场处理并责令撤下涉嫌侵权展品。",
    "请求协助向平台投诉并删除侵权链接。",
    "请求提供纠纷解决方案和维权途径指导。",
    "请求提供咨询指导。",
]
IP_WEIGHTED = (
    ["trademark"] * 6
    + ["invention"] * 3
    + ["utility_model"] * 3
    + ["design"] * 4
    + ["copyright", "copyright", "gi", "ic_layout", "trade_secret", "other"]
)
SERVICE_WEIGHTS = {
    "consultation": 30,
    "infringement_opinion": 25,
    "ecommerce_complaint": 15,
    "other": 8,
    "early_warning": 7,
    "exhibition_complaint": 6,
    "overseas_guidance": 5,
    "major_dispute_solution": 4,
}
REJECT_REASONS = [
    "no_evidence",
    "no_respondent",
    "out_of_area",
    "out_of_remit",
    "pending_elsewhere",
    "info_not_supplied",
]
OUTCOMES = ["advice_given", "opinion_issued", "referred", "settled", "not_substantiated", "solution_provided"]
WORKING = ("accepted", "assigned", "in_handling", "concluded", "closed", "reopened")


class BenchError(Exception):
    pass


# --- generation ----------------------------------------------------------------------------------------------


@dataclass
class GenerationReport:
    skipped: bool
    seconds: float = 0.0
    phases: list[tuple[str, float]] = field(default_factory=list)


def database_name() -> str:
    return str(connection.settings_dict.get("NAME") or "")


def check_database(*, allow_any: bool) -> None:
    if connection.vendor != "postgresql":
        raise BenchError("the benchmark needs PostgreSQL (DATABASE_URL=postgres://.../weiyuan_bench)")
    if "bench" not in database_name() and not allow_any:
        raise BenchError(
            f"refusing to generate into database {database_name()!r}: its name should contain 'bench' "
            "(make bench uses weiyuan_bench); pass --allow-any-database to override"
        )


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


def _literal_default(f: models.Field[Any, Any]) -> Any:
    value = f.get_default()
    if isinstance(f, models.JSONField):
        return json.dumps(value if value is not None else None)
    return value


def copy_rows(cursor: Any, model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """COPY rows (dicts by attname; missing fields take their default) into the model's table."""
    fields = list(model._meta.concrete_fields)
    defaults = {f.attname: f.get_default() for f in fields}
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    columns = ", ".join(str(f.column) for f in fields)
    n = 0
    with cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            values = []
            for f in fields:
                value = row.get(f.attname, defaults[f.attname])
                if f.attname in json_fields:
                    value = json.dumps(value)
                values.append(value)
            copy.write_row(values)
            n += 1
    return n


def _set_identity(cursor: Any, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((SELECT max(id) FROM {table}), 1))",  # noqa: S608
        [table],
    )


def _next_id(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(max(id), 0) + 1 FROM {table}")  # noqa: S608 - table names are constants
    return int(cursor.fetchone()[0])


@dataclass
class CentreRow:
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    path: str
    depth: int
    region_id: str
    weight: float
    site: str = ""


def plan_centres(*, count: int, first_id: int) -> list[CentreRow]:
    """National centre; a protection and an assistance centre per province; a centre per city; then sub-centres
    and workstations per county, until `count`. The Zhejiang assistance centre is the busiest (the measured one)."""
    from weiyuan.network.models import Region

    regions = list(Region.objects.values_list("code", "name", "level", "parent_id"))
    provinces = [r for r in regions if r[2] == 1 and r[0] < "710000"]
    cities = [r for r in regions if r[2] == 2 and r[3] and r[3] < "710000"]
    counties = [r for r in regions if r[2] == 3 and r[0] < "710000"]
    rows: list[CentreRow] = []
    next_id = first_id

    def add(name: str, kind: str, parent: CentreRow | None, region: str, weight: float, site: str = "") -> CentreRow:
        nonlocal next_id
        row = CentreRow(
            id=next_id,
            code=f"{BENCH_CODE_PREFIX}{next_id}",
            name=name,
            kind=kind,
            parent_id=parent.id if parent else None,
            path=f"{parent.path if parent else '/'}{next_id}/",
            depth=parent.depth + 1 if parent else 0,
            region_id=region,
            weight=weight,
            site=site,
        )
        next_id += 1
        rows.append(row)
        return row

    national = add("国家知识产权维权援助指导中心（基准）", "national_centre", None, "110000", 10)
    assistance: dict[str, CentreRow] = {}
    for code, name, _level, _parent in provinces:
        if len(rows) >= count:
            return rows
        add(f"{name}知识产权保护中心", "protection_centre", national, code, 25)
        if len(rows) >= count:
            return rows
        busiest = code == "330000"
        assistance[code] = add(
            f"{name}知识产权维权援助中心", "assistance_centre", national, code, 250 if busiest else 40
        )
    city_centres: dict[str, CentreRow] = {}
    for code, name, _level, parent in cities:
        if len(rows) >= count:
            return rows
        province = assistance.get(parent or "") or national
        city_centres[code] = add(f"{name}知识产权维权援助中心", "assistance_centre", province, code, 8)
    sites = ["park", "market", "university", "association", "fair"]
    n = 0
    while len(rows) < count and counties:
        code, name, _level, parent = counties[n % len(counties)]
        n += 1
        upper = city_centres.get(parent or "") or assistance.get(code[:2] + "0000") or national
        if n % 3:
            add(f"{name}知识产权维权援助分中心", "sub_centre", upper, code, 2)
        else:
            site = sites[n % len(sites)]
            add(f"{name}知识产权维权援助工作站（{n}）", "workstation", upper, code, 1, site)
    return rows


def _credit(seed: int, region: str) -> str:
    first17 = "91" + region + f"{(seed * 7919) % 10**9:09d}"
    return first17 + credit_code_check_char(first17)


def generate(*, cases: int, centres: int, log: Callable[[str], None]) -> GenerationReport:
    """Create `centres` centres with staff, `cases // 20` applicants and `cases` cases with their history."""
    from weiyuan.accounts.models import Membership, User
    from weiyuan.cases.models import Case, CaseEvent, CaseMessage, CaseRight, ServiceType
    from weiyuan.clocks.models import Clock
    from weiyuan.network.models import Centre, Region

    report = GenerationReport(skipped=False)
    started = time.monotonic()
    phase_started = started

    def phase(name: str) -> None:
        nonlocal phase_started
        now = time.monotonic()
        report.phases.append((name, now - phase_started))
        log(f"  {name}: {now - phase_started:.1f} s")
        phase_started = now

    now = timezone.now()
    applicants = max(100, cases // 20)
    services = {code: pk for pk, code in ServiceType.objects.values_list("pk", "code")}
    missing = set(SERVICE_WEIGHTS) - set(services)
    if missing:
        raise BenchError(f"service types missing (run migrations): {', '.join(sorted(missing))}")
    region_codes = list(Region.objects.filter(level__gte=2).values_list("code", flat=True))

    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the psycopg cursor, for COPY
        try:
            with transaction.atomic():
                # Superuser only: skip FK and trigger checks during the load (the data is consistent by construction).
                cursor.execute("SET LOCAL session_replication_role = replica")
        except Exception:  # noqa: BLE001 - not a superuser: load with the checks on (slower)
            log("  (not a superuser: foreign-key checks stay on during the load)")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")

        # Drop secondary indexes of the big tables; rebuild them after the load.
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [list(BIG_TABLES)],
        )
        index_defs = cursor.fetchall()
        for name, _definition in index_defs:
            cursor.execute(f'DROP INDEX "{name}"')

        # Centres.
        centre_rows = plan_centres(count=centres, first_id=_next_id(cursor, "network_centre"))
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
        _set_identity(cursor, "network_centre")
        phase(f"centres ({len(centre_rows)})")

        # People: intake officer, handler and director per centre, a national supervisor, and the applicants.
        password = make_password(None)
        first_user = _next_id(cursor, "accounts_user")
        staff: dict[int, dict[str, int]] = {}
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
        app_rows: list[tuple[int, int, str, str, str, str]] = []
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
                kind, credit = ApplicantKind.ORGANISATION, _credit(k, region)
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
        first_membership = _next_id(cursor, "accounts_membership")
        copy_rows(cursor, Membership, ({"id": first_membership + i, **m} for i, m in enumerate(member_rows)))
        _set_identity(cursor, "accounts_user")
        _set_identity(cursor, "accounts_membership")
        phase(f"people ({len(user_rows)} users)")

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
        first_case = _next_id(cursor, "cases_case")

        # Cases: case i was submitted (SPAN_DAYS * (N - i) / N) days ago; state follows its age.
        step_seconds = SPAN_DAYS * 86400 / cases
        from_sql = """
            FROM (
                SELECT b.*,
                    row_number() OVER (PARTITION BY b.centre_id ORDER BY b.i) AS seq,
                    CASE WHEN b.t < %(now)s - interval '120 days' THEN
                        CASE WHEN b.h < 700 THEN 'closed' WHEN b.h < 760 THEN 'concluded' WHEN b.h < 880 THEN 'rejected'
                             WHEN b.h < 960 THEN 'withdrawn' WHEN b.h < 990 THEN 'in_handling' ELSE 'reopened' END
                    ELSE
                        CASE WHEN b.h < 30 THEN 'draft' WHEN b.h < 130 THEN 'submitted'
                             WHEN b.h < 180 THEN 'info_requested' WHEN b.h < 260 THEN 'accepted'
                             WHEN b.h < 340 THEN 'rejected' WHEN b.h < 440 THEN 'assigned'
                             WHEN b.h < 740 THEN 'in_handling' WHEN b.h < 860 THEN 'concluded'
                             WHEN b.h < 940 THEN 'closed' WHEN b.h < 960 THEN 'reopened'
                             WHEN b.h < 980 THEN 'withdrawn' ELSE 'transferred' END
                    END AS state,
                    CASE WHEN b.h2 %% 100 < 60 THEN 'online' WHEN b.h2 %% 100 < 75 THEN 'hotline'
                         WHEN b.h2 %% 100 < 85 THEN 'walk_in' WHEN b.h2 %% 100 < 90 THEN 'exhibition'
                         WHEN b.h2 %% 100 < 97 THEN 'ecommerce' ELSE 'referral' END AS channel
                FROM (
                    SELECT g.i,
                        ((g.i::bigint * 2654435761) %% 1000) AS h,
                        ((g.i::bigint * 40503) %% 997) AS h2,
                        %(now)s - make_interval(secs => (%(n)s - g.i) * %(step)s) AS t,
                        s.centre_id, s.intake_id, s.handler_id,
                        a.user_id AS app_user, a.name AS app_name, a.kind AS app_kind, a.credit AS app_credit,
                        a.region_id AS app_region,
                        sv.id AS service_id
                    FROM generate_series(1, %(n)s) AS g(i)
                    JOIN bench_slot s ON s.slot = (g.i::bigint * 7919) %% %(slots)s
                    JOIN bench_app a ON a.idx = (g.i::bigint * 104729) %% %(apps)s
                    JOIN bench_service sv ON sv.slot = (g.i::bigint * 31337) %% %(services)s
                ) b
            ) x
        """
        exprs = {
            "tracking_number": "'WY-' || to_char(x.t AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '-' "
            "|| lpad(x.centre_id::text, 5, '0') || '-' || lpad(x.seq::text, 6, '0')",
            "centre_id": "x.centre_id",
            "service_type_id": "x.service_id",
            "ip_type": "(%(ip)s::text[])[1 + x.i %% %(n_ip)s]",
            "channel": "x.channel",
            "state": "x.state",
            "is_major": f"x.service_id = {services['major_dispute_solution']}",
            "applicant_user_id": "CASE WHEN x.channel = 'online' THEN x.app_user END",
            "created_by_id": "CASE WHEN x.channel = 'online' THEN x.app_user ELSE x.intake_id END",
            "applicant_name": "x.app_name",
            "applicant_kind": "x.app_kind",
            "applicant_credit_code": "x.app_credit",
            "applicant_id_number": "NULL",
            "applicant_phone": "NULL",
            "applicant_region_id": "x.app_region",
            "respondent_name": "(%(cities)s::text[])[1 + (x.i / 7) %% %(n_cities)s] "
            "|| (%(brands)s::text[])[1 + (x.i / 13) %% %(n_brands)s] "
            "|| (%(suffixes)s::text[])[1 + x.i %% %(n_suffixes)s]",
            "respondent_address": "'某电商平台店铺'",
            "title": "(%(titles)s::text[])[1 + x.h2 %% %(n_titles)s]",
            "facts": "(%(facts)s::text[])[1 + x.i %% %(n_facts)s]",
            "request": "(%(requests)s::text[])[1 + x.h %% %(n_requests)s]",
            "handler_id": "CASE WHEN x.state IN ('assigned','in_handling','concluded','closed','reopened') "
            "THEN x.handler_id END",
            "state_before_transfer": "CASE WHEN x.state = 'transferred' THEN 'submitted' ELSE '' END",
            "duplicate_of": "'[]'::jsonb",
            "reject_reason": "CASE WHEN x.state = 'rejected' THEN (%(reasons)s::text[])[1 + x.i %% %(n_reasons)s] "
            "ELSE '' END",
            "reject_text": "CASE WHEN x.state = 'rejected' THEN '申请材料不符合受理条件。' ELSE '' END",
            "reject_fix": "CASE WHEN x.state = 'rejected' THEN '请补充材料后重新提交。' ELSE '' END",
            "outcome": "CASE WHEN x.state IN ('concluded','closed') "
            "THEN (%(outcomes)s::text[])[1 + x.i %% %(n_outcomes)s] "
            "ELSE '' END",
            "result_letter": "CASE WHEN x.state IN ('concluded','closed') "
            "THEN '经研究，已就您的申请出具处理意见，详见案件页面。' "
            "ELSE '' END",
            "created_at": "x.t - interval '10 minutes'",
            "submitted_at": "CASE WHEN x.state = 'draft' THEN NULL ELSE x.t END",
            "accepted_at": "CASE WHEN x.state IN ('accepted','assigned','in_handling','concluded','closed','reopened') "
            "THEN LEAST(x.t + interval '2 days', %(now)s) END",
            "concluded_at": "CASE WHEN x.state IN ('concluded','closed') "
            "THEN LEAST(x.t + interval '20 days', %(now)s) END",
            "closed_at": "CASE WHEN x.state = 'closed' THEN LEAST(x.t + interval '25 days', %(now)s) END",
            "updated_at": "%(now)s",
        }
        params = {
            "now": now,
            "n": cases,
            "step": step_seconds,
            "slots": len(slot_rows),
            "apps": applicants,
            "services": len(service_slots),
            "ip": IP_WEIGHTED,
            "n_ip": len(IP_WEIGHTED),
            "cities": CITY_WORDS,
            "n_cities": len(CITY_WORDS),
            "brands": BRAND_WORDS,
            "n_brands": len(BRAND_WORDS),
            "suffixes": RESPONDENT_SUFFIXES,
            "n_suffixes": len(RESPONDENT_SUFFIXES),
            "titles": TITLES,
            "n_titles": len(TITLES),
            "facts": FACTS,
            "n_facts": len(FACTS),
            "requests": REQUESTS,
            "n_requests": len(REQUESTS),
            "reasons": REJECT_REASONS,
            "n_reasons": len(REJECT_REASONS),
            "outcomes": OUTCOMES,
            "n_outcomes": len(OUTCOMES),
        }
        _insert_named(cursor, Case, exprs, from_sql, params)
        phase(f"cases ({cases})")

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
        _insert_named(
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
        phase("rights")

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
        _insert_named(
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
        phase("timeline events")

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
            _insert_named(
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
        phase("clocks")

        # Messages: a question and an answer on one case in ten of those being handled.
        for author, body, hours in (
            ("COALESCE(c.applicant_user_id, c.created_by_id)", "请问案件目前进展如何？对方仍在销售。", 96),
            ("c.handler_id", "您好，材料已收到，我们正在组织比对，预计十个工作日内出具意见。", 120),
        ):
            _insert_named(
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
        phase("messages")

        cursor.execute(
            "UPDATE network_centre AS n SET next_case_seq = x.n + 1 FROM "
            "(SELECT centre_id, count(*) AS n FROM cases_case GROUP BY centre_id) AS x WHERE x.centre_id = n.id"
        )
        for _name, definition in index_defs:
            cursor.execute(definition)
        phase(f"indexes ({len(index_defs)} rebuilt)")

    with connection.cursor() as cursor:
        for table in (*BIG_TABLES, "network_centre", "accounts_user", "accounts_membership"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    phase("vacuum analyze")
    report.seconds = time.monotonic() - started
    return report


def _insert_named(
    cursor: Any, model: type[models.Model], exprs: dict[str, str], from_sql: str, params: dict[str, Any]
) -> int:
    """insert_select with named parameters: defaults are passed as named parameters too."""
    columns: list[str] = []
    selects: list[str] = []
    values = dict(params)
    for f in model._meta.concrete_fields:
        if f.primary_key and f.column not in exprs:
            continue
        columns.append(str(f.column))
        if f.column in exprs:
            selects.append(exprs[f.column])
            continue
        if not (f.has_default() or f.null or isinstance(f, models.CharField | models.TextField)):
            raise BenchError(f"{model.__name__}.{f.name} has no default; the benchmark must set it")
        key = f"default_{f.column}"
        values[key] = _literal_default(f) if (f.has_default() or f.null) else ""
        selects.append(f"%({key})s" + ("::jsonb" if isinstance(f, models.JSONField) else ""))
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(selects)} {from_sql}"
    cursor.execute(sql, values)
    return int(cursor.rowcount)


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


# --- measurement ---------------------------------------------------------------------------------------------


@dataclass
class Measurement:
    name: str
    samples_ms: list[float]
    queries: int
    note: str = ""
    slowest_sql: str = ""

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[max(0, round(0.95 * len(ordered)) - 1)]


class _QueryRecorder:
    """Counts the queries of one run and keeps the slowest (as SQL with its parameters bound, for EXPLAIN).

    An execute wrapper rather than CaptureQueriesContext: a request through django.test.Client resets the
    connection's query log when it starts, which would hide the API's queries."""

    def __init__(self) -> None:
        self.count = 0
        self.slowest: tuple[float, str, Any] = (-1.0, "", None)

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - t0
            self.count += 1
            if elapsed > self.slowest[0] and not many:
                self.slowest = (elapsed, sql, params)

    def slowest_sql(self) -> str:
        _elapsed, sql, params = self.slowest
        if not sql:
            return ""
        compose = getattr(connection.ops, "compose_sql", None)  # PostgreSQL: the SQL with its parameters bound
        return str(compose(sql, params)) if params and compose else sql


def timed(name: str, fn: Callable[[int], Any], *, runs: int, warmup: int, note: str = "") -> Measurement:
    for k in range(warmup):
        fn(k)
    recorder = _QueryRecorder()
    with connection.execute_wrapper(recorder):
        fn(warmup)
    samples = []
    for k in range(runs):
        t0 = time.perf_counter()
        fn(warmup + 1 + k)
        samples.append((time.perf_counter() - t0) * 1000)
    return Measurement(name, samples, recorder.count, note, recorder.slowest_sql())


def _sample(sql: str, params: Sequence[Any], n: int) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [r[0] if len(r) == 1 else r for r in cursor.fetchall()]
    if not rows:
        raise BenchError(f"no sample rows for: {sql}")
    return [rows[i % len(rows)] for i in range(n)]


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
    numbers = _sample(
        "SELECT tracking_number FROM cases_case WHERE centre_id = %s AND state <> 'draft' ORDER BY random() LIMIT %s",
        [centre_id, n],
        n,
    )
    prefixes = [
        name[:4]
        for name in _sample(
            "SELECT applicant_name FROM cases_case WHERE centre_id = %s ORDER BY random() LIMIT %s", [centre_id, n], n
        )
    ]
    rights = _sample(
        "SELECT r.number FROM cases_caseright r JOIN cases_case c ON c.id = r.case_id WHERE c.centre_id = %s "
        "AND c.state <> 'draft' ORDER BY random() LIMIT %s",
        [centre_id, n],
        n,
    )
    applicant_cases = _sample(
        "SELECT applicant_user_id, tracking_number FROM cases_case WHERE applicant_user_id IS NOT NULL "
        "ORDER BY random() LIMIT %s",
        [n],
        n,
    )
    network_numbers = _sample(
        "SELECT tracking_number FROM cases_case WHERE state <> 'draft' ORDER BY random() LIMIT %s", [n], n
    )
    network_rights = _sample("SELECT number FROM cases_caseright ORDER BY random() LIMIT %s", [n], n)
    network_prefixes = [
        name[:4] for name in _sample("SELECT applicant_name FROM cases_case ORDER BY random() LIMIT %s", [n], n)
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


def explain(sql: str) -> str:
    if not sql:
        return ""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(r[0] for r in cursor.fetchall())


# --- reporting -----------------------------------------------------------------------------------------------


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


def machine() -> dict[str, str]:
    info = {"nproc": str(os.cpu_count() or "?"), "python": platform.python_version()}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            info["postgresql"] = cursor.fetchone()[0].split(" on ")[0]
            cursor.execute("SHOW shared_buffers")
            info["shared_buffers"] = cursor.fetchone()[0]
            cursor.execute("SHOW work_mem")
            info["work_mem"] = cursor.fetchone()[0]
            info["database"] = (
                f"{info['postgresql']} with shared_buffers={info['shared_buffers']}, work_mem={info['work_mem']}"
                " (server defaults)"
            )
        else:
            cursor.execute("SELECT sqlite_version()")
            info["database"] = f"SQLite {cursor.fetchone()[0]}"
    return info


def machine_line(info: dict[str, str]) -> str:
    return (
        f"Machine: {info.get('nproc')} CPUs ({info.get('cpu', '?')}), {info.get('memory', '?')} RAM; "
        f"{info.get('database')}; Python {info.get('python')}, Django {_django_version()}."
    )


def render_table(results: list[Measurement], *, target_ms: float = TARGET_P95_MS, label: str = "read") -> str:
    lines = [f"| {label} | p50 ms | p95 ms | SQL statements | p95 ≤ {target_ms:.0f} ms |", "|---|---:|---:|---:|:---:|"]
    for m in results:
        if m.queries == 0 and m.samples_ms == [0.0]:
            lines.append(f"| {m.name} | – | – | – | not measured: {m.note} |")
            continue
        ok = "yes" if m.p95 <= target_ms else "**no**"
        name = m.name + (f" ({m.note})" if m.note and m.note != "extra" else "")
        lines.append(f"| {name} | {m.p50:.1f} | {m.p95:.1f} | {m.queries} | {ok} |")
    return "\n".join(lines)


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


def splice_report(path: Path, begin: str, end: str, generated: str) -> None:
    """Replace what lies between the markers `begin` and `end` of the page at `path` (or add it at the end)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if begin in text and end in text:
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        content = head + generated + tail
    elif text:
        # Keep what is there; the figures go at the end, between markers, and are replaced by the next run.
        content = text.rstrip("\n") + "\n\n## Last run\n\n" + generated + "\n"
    else:
        content = "# Benchmarks\n\n`make bench`: the figures of the last run.\n\n" + generated + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")


def _django_version() -> str:
    import django

    return django.get_version()
