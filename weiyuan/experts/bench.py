"""The expert-matching benchmark (`manage.py experts_bench`, PostgreSQL): 50,000 generated experts, then p50/p95
of matching for cases, through the selector and through the API.

Generation is set-based: the rows of every table (profiles, their fields, regions and declared conflicts, and the
facet index) are built in Python from one seeded random generator and written with COPY in one transaction, then
ANALYZE. Generated profiles carry a credential number "BENCH-…" so a later run finds (or `--reset` removes) them.
The cases are taken from the database (e.g. the ones `make bench` generated); if there are none, a bench centre,
handler and a few cases are created.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from weiyuan.core.bench import BenchError, Measurement, copy_rows, next_id, set_identity, timed
from weiyuan.experts.matching import criteria_for_case, rank_candidates
from weiyuan.experts.models import Expert, ExpertConflict, ExpertFacet, ExpertField
from weiyuan.experts.normalise import dedupe_key, expert_facet_keys, organisation_key

BENCH_PREFIX = "BENCH-"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国立新晓梅志远思雅嘉文博海燕启航国栋"
ORG_HEADS = [
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "苏州",
    "武汉",
    "成都",
    "西安",
    "天津",
    "重庆",
    "宁波",
    "厦门",
]
ORG_WORDS = [
    "华信",
    "中科",
    "知衡",
    "明诚",
    "汇智",
    "博远",
    "君合",
    "天元",
    "恒信",
    "瀚海",
    "启明",
    "联创",
    "同方",
    "金桥",
]
ORG_KINDS = ["大学", "研究院", "律师事务所", "知识产权代理有限公司", "科技有限公司", "专利事务所", "电子有限公司"]
COMMON_NICE = [9, 25, 35, 42, 3, 30, 41, 5, 11, 29, 43, 7, 20, 28, 18, 14]
TABLES = [
    "experts_expert",
    "experts_expert_fields",
    "experts_expert_regions",
    "experts_expertconflict",
    "experts_expertfacet",
]


def _ipc_pool(rng: random.Random) -> list[str]:
    pool = []
    for section in "ABCDEFGH":
        for klass in rng.sample(range(1, 100), 8):
            for letter in rng.sample("BCDFGHJKLMNPQRSTW", 4):
                pool.append(f"{section}{klass:02d}{letter}")
    return pool


def bench_count() -> int:
    return Expert.objects_unscoped.filter(credential_number__startswith=BENCH_PREFIX).count()


def reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM experts_expert WHERE credential_number LIKE %s RETURNING id", [BENCH_PREFIX + "%"])


def _keeper_centres() -> list[int]:
    from weiyuan.network.models import Centre, FilingStatus

    ids = list(
        Centre.objects.filter(filing_status=FilingStatus.APPROVED)
        .order_by("depth", "id")
        .values_list("id", flat=True)[:300]
    )
    if not ids:
        raise BenchError("no approved centre to keep the experts: run `make bench` (or seed_demo) first")
    return ids


def generate(*, experts: int, log: Callable[[str], None]) -> float:
    """Write `experts` generated profiles (with their relations and facet rows); returns the seconds taken."""
    from weiyuan.network.models import Region

    if connection.vendor != "postgresql":
        raise BenchError("the benchmark needs PostgreSQL (DATABASE_URL=postgres://.../weiyuan_bench)")
    started = time.monotonic()
    _ensure_cases()
    rng = random.Random(20260505)
    fields = list(ExpertField.objects.values_list("pk", "code"))
    regions = list(Region.objects.filter(level__lte=2).values_list("code", flat=True))
    centres = _keeper_centres()
    ipc_pool = _ipc_pool(rng)
    orgs = [f"{rng.choice(ORG_HEADS)}{rng.choice(ORG_WORDS)}{rng.choice(ORG_KINDS)}" for _ in range(3000)]
    companies = [f"{rng.choice(ORG_HEADS)}{rng.choice(ORG_WORDS)}{n}号科技有限公司" for n in range(5000)]
    # One expert in ten gets an account (existing users), so the load query has rows to read.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.id FROM accounts_user u WHERE NOT EXISTS (SELECT 1 FROM experts_expert e WHERE e.user_id = u.id) "
            "ORDER BY u.id LIMIT %s",
            [experts // 10],
        )
        user_ids = [r[0] for r in cursor.fetchall()]
    now = timezone.now()
    today = timezone.localdate()
    expert_rows: list[dict[str, Any]] = []
    field_rows: list[dict[str, Any]] = []
    region_rows: list[dict[str, Any]] = []
    conflict_rows: list[dict[str, Any]] = []
    facet_rows: list[dict[str, Any]] = []
    with transaction.atomic():
        wrapper = connection.cursor()
        cursor = wrapper.cursor  # the psycopg cursor, for COPY
        ids = {t: next_id(wrapper, t) for t in TABLES}
        for i in range(experts):
            pk = ids["experts_expert"] + i
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            org = rng.choice(orgs)
            my_fields = rng.sample(fields, rng.choice((1, 2, 2, 3)))
            ipc = sorted(
                {
                    (f"{s} {rng.randint(1, 60)}/{rng.choice((0, 2, 4, 6, 8, 10, 12, 14, 16, 18)):02d}")
                    if rng.random() < 0.4
                    else s
                    for s in rng.sample(ipc_pool, rng.choice((0, 1, 2, 3, 4)))
                }
            )
            nice = sorted(
                {
                    rng.choice(COMMON_NICE) if rng.random() < 0.7 else rng.randint(1, 45)
                    for _ in range(rng.choice((0, 0, 1, 2, 3)))
                }
            )
            languages = ["zh"] + [
                c for c, p in (("en", 0.35), ("ja", 0.08), ("ko", 0.04), ("de", 0.03)) if rng.random() < p
            ]
            my_regions = [] if rng.random() < 0.25 else sorted(set(rng.sample(regions, rng.choice((1, 1, 2)))))
            quals = rng.sample(
                ["patent_attorney", "lawyer", "examiner", "professor", "judge", "other"], rng.choice((1, 2))
            )
            roll = rng.random()
            availability = "available" if roll < 0.8 else ("busy" if roll < 0.92 else "unavailable")
            busy_until = today + dt.timedelta(days=rng.randint(-30, 60)) if availability == "busy" else None
            active = rng.random() < 0.97
            rated = rng.random() < 0.4
            count = rng.randint(1, 10) if rated else 0
            expert_rows.append(
                {
                    "id": pk,
                    "name": name,
                    "organisation_name": org,
                    "organisation_credit_code": "",
                    "title": rng.choice(["教授", "研究员", "副教授", "高级工程师", "律师", "专利代理师"]),
                    "credential_number": f"{BENCH_PREFIX}{i:06d}",
                    "ipc_classes": ipc,
                    "nice_classes": nice,
                    "languages": languages,
                    "qualifications": quals,
                    "availability": availability,
                    "busy_until": busy_until,
                    "fee_terms": "",
                    "hourly_rate": Decimal(rng.choice((300, 500, 800, 1000, 1500))),
                    "user_id": user_ids[i] if i < len(user_ids) else None,
                    "centre_id": centres[i % len(centres)],
                    "active": active,
                    "deactivated_reason": "" if active else "bench",
                    "dedupe_key": dedupe_key(name, org) + f"#{i}",
                    "organisation_key": organisation_key(org),
                    "rating_total": sum(rng.randint(2, 5) for _ in range(count)),
                    "rating_count": count,
                    "version": 1,
                    "created_by_id": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            for field_pk, _code in my_fields:
                field_rows.append(
                    {"id": ids["experts_expert_fields"] + len(field_rows), "expert_id": pk, "expertfield_id": field_pk}
                )
            for code in my_regions:
                region_rows.append(
                    {"id": ids["experts_expert_regions"] + len(region_rows), "expert_id": pk, "region_id": code}
                )
            for company in rng.sample(companies, rng.choice((0, 0, 1, 2))):
                conflict_rows.append(
                    {
                        "id": ids["experts_expertconflict"] + len(conflict_rows),
                        "expert_id": pk,
                        "name": company,
                        "name_key": organisation_key(company),
                        "credit_code": "",
                        "note": "",
                    }
                )
            keys = expert_facet_keys(
                field_codes=[c for _pk, c in my_fields],
                ipc_classes=ipc,
                nice_classes=nice,
                languages=languages,
                regions=my_regions,
                qualifications=quals,
                availability=availability,
            )
            live = active and availability != "unavailable"
            for key in sorted(keys):
                facet_rows.append(
                    {"id": ids["experts_expertfacet"] + len(facet_rows), "expert_id": pk, "key": key, "live": live}
                )
        log(f"built {len(expert_rows):,} experts, {len(facet_rows):,} facet rows in {time.monotonic() - started:.1f} s")
        copy_rows(cursor, Expert, expert_rows)
        copy_rows(cursor, Expert.fields.through, field_rows)
        copy_rows(cursor, Expert.regions.through, region_rows)
        copy_rows(cursor, ExpertConflict, conflict_rows)
        copy_rows(cursor, ExpertFacet, facet_rows)
        for table in TABLES:
            set_identity(wrapper, table)
    # VACUUM sets the visibility map, so the candidate pool is an index-only scan (as autovacuum would in use).
    with connection.cursor() as c:
        for table in TABLES:
            c.execute(f"VACUUM ANALYZE {table}")
    return time.monotonic() - started


def _ensure_cases(count: int = 40) -> None:
    """Cases to match for, when the database has none (a database without `make bench`'s data): a bench centre with
    a handler and `count` submitted cases of several IP and service types."""
    from weiyuan.accounts.models import Membership, User
    from weiyuan.cases.models import Case, ServiceType
    from weiyuan.network.models import Centre, FilingStatus, Region

    if Case.objects_unscoped.exclude(state="draft").exists():
        return
    rng = random.Random(11)
    with transaction.atomic():
        centre = Centre.objects.create(
            code="bench-experts",
            name="专家匹配基准测试中心",
            kind="assistance_centre",
            region_id="310000",
            filing_status=FilingStatus.APPROVED,
            path="/",
        )
        centre.path = f"/{centre.pk}/"
        centre.save(update_fields=["path"])
        handler = User.objects.create(username="bench-experts-handler", email="handler@bench-experts.test")
        Membership.objects.create(user=handler, centre=centre, role="handler")
        counties = list(Region.objects.filter(level=3).values_list("code", flat=True)[:3000])
        services = list(ServiceType.objects.values_list("pk", flat=True))
        ip_types = ["trademark", "invention", "utility_model", "design", "copyright", "trade_secret"]
        for i in range(count):
            Case.objects_unscoped.create(
                tracking_number=f"WY-2026-{centre.pk % 100000:05d}-{i + 1:06d}",
                centre=centre,
                service_type_id=services[i % len(services)],
                ip_type=ip_types[i % len(ip_types)],
                state="submitted",
                created_by=handler,
                applicant_name=f"{rng.choice(ORG_HEADS)}{rng.choice(ORG_WORDS)}科技有限公司",
                applicant_kind="organisation",
                applicant_region_id=rng.choice(counties),
                respondent_name=f"{rng.choice(ORG_HEADS)}{rng.choice(ORG_WORDS)}{i}号科技有限公司",
                title=f"基准测试案件{i}",
                facts="基准测试。",
                request="基准测试。",
                submitted_at=timezone.now(),
            )


def _bench_cases(n: int) -> list[Any]:
    from weiyuan.cases.models import Case

    _ensure_cases()
    cases = list(
        Case.objects_unscoped.exclude(state="draft").select_related("service_type", "centre").order_by("-id")[: n * 20]
    )
    return cases[:: max(1, len(cases) // n)]


def measure(*, runs: int, warmup: int, log: Callable[[str], None]) -> list[Measurement]:
    from django.test import Client

    from weiyuan.accounts.models import Membership, User
    from weiyuan.accounts.services import api_token_create, api_token_revoke

    cases = _bench_cases(runs + warmup + 1)
    rng = random.Random(7)
    subclasses = list(ExpertFacet.objects.filter(key__startswith="ipc:").values_list("key", flat=True).distinct()[:400])
    variants: list[dict[str, Any]] = []
    for k in range(runs + warmup + 1):
        variant: dict[str, Any] = {}
        if k % 4 in (1, 3) and subclasses:
            variant["ipc_classes"] = [rng.choice(subclasses)[4:]]
        if k % 4 in (2, 3):
            variant["nice_classes"] = sorted(rng.sample(COMMON_NICE, 2))
        if k % 4 == 3:
            variant["languages"] = ["en"]
        variants.append(variant)
    pools: list[int] = []

    def selector(k: int) -> None:
        case = cases[k % len(cases)]
        result = rank_candidates(case=case, criteria=criteria_for_case(case, **variants[k]))
        pools.append(result.pool_size)

    results = [timed("matching over the expert database (selector)", selector, runs=runs, warmup=warmup)]
    log(f"pool sizes: median {sorted(pools)[len(pools) // 2]}, max {max(pools)}")

    case = cases[0]
    member = Membership.objects.filter(centre_id=case.centre_id, role="handler", active=True).first()
    if member is None:
        log("no handler at the sampled case's centre: API not measured")
        return results
    user = User.objects.get(pk=member.user_id)
    token, clear = api_token_create(user=user, name="experts-bench")
    client = Client()
    staff_cases = [c for c in cases if c.centre_id == case.centre_id] or [case]
    try:

        def api(k: int) -> None:
            c = staff_cases[k % len(staff_cases)]
            params = {
                key: ",".join(str(v) for v in value) if key != "ipc_classes" else ";".join(value)
                for key, value in variants[k].items()
            }
            query = {"ipc": params.get("ipc_classes", ""), "nice": params.get("nice_classes", "")}
            if "languages" in params:
                query["languages"] = params["languages"]
            response = client.get(
                f"/api/v1/cases/{c.tracking_number}/expert-candidates", query, HTTP_AUTHORIZATION=f"Bearer {clear}"
            )
            if response.status_code != 200:
                raise BenchError(f"API answered {response.status_code}: {response.content[:300]!r}")

        results.append(timed("GET /api/v1/cases/{n}/expert-candidates (token)", api, runs=runs, warmup=warmup))
    finally:
        api_token_revoke(user=user, token=token)
    return results
