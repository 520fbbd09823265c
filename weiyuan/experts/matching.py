"""Matching experts to a case: ranked candidates with the reasons for their rank, and the conflicted ones apart.

1. **Criteria**: fields (from the case's IP types and service type through `ExpertField.ip_types/service_types`,
   or given), IPC symbols and Nice classes (given: a case's right number does not carry its classes), the region
   (the applicant's) and languages (given; an overseas case wants English by default).
2. **Candidate pool** (SQL, index-only): the wanted facet keys with their weights, summed per expert over the live
   rows of `ExpertFacet` (active and not unavailable experts), the best `POOL_SIZE` kept. No profile is read here.
3. **Scoring** (Python, the pool only): the same match points, plus the past rating, minus the current load (open
   expert tasks) and a "busy" penalty; each candidate carries the reasons.
4. **Conflicts**: the expert's affiliation or a declared conflict matches the applicant or the respondent by
   normalised name (NFKC, Simplified, no spaces or punctuation, 有限公司/有限责任公司/股份有限公司 … dropped) or
   by unified social credit code. A conflicted expert is excluded, with the conflict shown, unless the director of
   the case's centre overrode it with a written reason for this case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.cases.models import Case, CaseAssignment
from weiyuan.core.choices import IPType
from weiyuan.core.punctuation import join_list, parenthesised
from weiyuan.experts.models import (
    Availability,
    Expert,
    ExpertConflict,
    ExpertConflictOverride,
    ExpertFacet,
    ExpertField,
    Language,
)
from weiyuan.experts.normalise import (
    NATIONWIDE,
    credit_code_key,
    ipc_keys,
    organisation_key,
    province_of,
    region_cover_keys,
)

POOL_SIZE = 150

# Points per matched facet key. IPC keys nest (class H04 > subclass H04L > group H04L 9/32), so a group match
# scores 4 + 4 + 2 = 10, a subclass match 8, a class match 4. Regions: an expert whose service region covers the
# case's (the region itself, its city or its province) scores 2 + 4 = 6, one elsewhere in the same province 4,
# one serving the whole country 2.
WEIGHTS = {"f": 8, "ipc3": 4, "ipc": 4, "ipcg": 2, "nice": 8, "reg": 2, "regp": 4, "lang": 5}
RATING_POINTS = 2.0  # per star above (or below) 3, averaged over the expert's ratings
LOAD_PENALTY = 3.0  # per open expert task, for at most LOAD_CAP tasks
LOAD_CAP = 5
BUSY_PENALTY = 6.0

OVERSEAS_SERVICE = "overseas_guidance"
# At most this many of each criterion (so the wanted keys stay under MAX_KEYS: 12 + 3 x 8 + 10 + 5 + 5 = 56).
LIMITS = {"fields": 12, "ipc": 8, "nice": 10, "languages": 5}


def criteria_limit_errors(**given: list[object] | None) -> dict[str, str]:
    """Criteria beyond LIMITS, named by parameter ("fields", "ipc", "nice", "languages")."""
    return {
        name: _("最多 %(n)s 个。") % {"n": LIMITS[name]}
        for name, values in given.items()
        if values is not None and len(values) > LIMITS[name]
    }


@dataclass(frozen=True)
class Criteria:
    field_codes: tuple[str, ...] = ()
    ipc_classes: tuple[str, ...] = ()
    nice_classes: tuple[int, ...] = ()
    languages: tuple[str, ...] = ()
    region_code: str = ""
    # Which of them came from the case rather than from the user (shown on the page).
    derived: frozenset[str] = frozenset()

    def wanted(self) -> dict[str, int]:
        keys: dict[str, int] = {}
        for code in self.field_codes:
            keys[f"f:{code}"] = WEIGHTS["f"]
        for symbol in self.ipc_classes:
            for key in ipc_keys(symbol):
                keys[key] = WEIGHTS[key.split(":", 1)[0]]
        for n in self.nice_classes:
            keys[f"nice:{n}"] = WEIGHTS["nice"]
        for code in self.languages:
            keys[f"lang:{code}"] = WEIGHTS["lang"]
        if self.region_code:
            for key in region_cover_keys(self.region_code):
                keys[key] = WEIGHTS["reg"]
            keys[f"regp:{province_of(self.region_code)}"] = WEIGHTS["regp"]
            keys[f"reg:{NATIONWIDE}"] = WEIGHTS["reg"]
        return keys


def _case_ip_types(case: Case) -> set[str]:
    types = {case.ip_type}
    types.update(case.rights.values_list("ip_type", flat=True))
    return types - {IPType.OTHER}


def criteria_for_case(
    case: Case,
    *,
    field_codes: list[str] | None = None,
    ipc_classes: list[str] | None = None,
    nice_classes: list[int] | None = None,
    languages: list[str] | None = None,
    region_code: str | None = None,
    all_fields: list[ExpertField] | None = None,
) -> Criteria:
    """Criteria from the case, each replaced by what the user gave (None = derive from the case)."""
    derived: set[str] = set()
    if field_codes is None:
        ip_types = _case_ip_types(case)
        service = case.service_type.code
        fields = all_fields if all_fields is not None else list(ExpertField.objects.all())
        field_codes = [f.code for f in fields if ip_types & set(f.ip_types) or service in f.service_types]
        derived.add("fields")
    if languages is None:
        languages = [Language.EN] if case.service_type.code == OVERSEAS_SERVICE else []
        derived.add("languages")
    if region_code is None:
        region_code = case.applicant_region_id or ""
        derived.add("region")
    return Criteria(
        field_codes=tuple(field_codes[: LIMITS["fields"]]),
        ipc_classes=tuple((ipc_classes or [])[: LIMITS["ipc"]]),
        nice_classes=tuple((nice_classes or [])[: LIMITS["nice"]]),
        languages=tuple(languages[: LIMITS["languages"]]),
        region_code=region_code,
        derived=frozenset(derived),
    )


# --- conflicts -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    label: str  # 申请人 / 被请求人
    name: str
    key: str
    credit_code: str


@dataclass(frozen=True)
class Conflict:
    text: str


def case_parties(case: Case) -> list[Party]:
    parties = []
    for label, name, code in (
        (_("申请人"), case.applicant_name, case.applicant_credit_code),
        (_("被请求人"), case.respondent_name, case.respondent_credit_code),
    ):
        if name or code:
            parties.append(Party(label, name, organisation_key(name), credit_code_key(code)))
    return parties


def conflicts_of(
    expert: Expert | ExpertRow, parties: list[Party], *, declared: list[tuple[str, str, str]] | None = None
) -> list[Conflict]:
    """Every way the expert's affiliation or declared conflicts (name, name key, credit code) touch a party."""
    if declared is None:
        declared = list(
            ExpertConflict.objects.filter(expert_id=expert.pk)
            .order_by("id")
            .values_list("name", "name_key", "credit_code")
        )
    sources = [("affiliation", expert.organisation_name, expert.organisation_key, expert.organisation_credit_code)]
    sources += [("declared", name, key, code) for name, key, code in declared]
    found: list[Conflict] = []
    for source, name, key, code in sources:
        for party in parties:
            same_code = bool(code and party.credit_code and credit_code_key(code) == party.credit_code)
            if not same_code and not (key and party.key and key == party.key):
                continue
            values = {
                "source": _("所属单位") if source == "affiliation" else _("申报的利益冲突单位"),
                "name": name,
                "party": party.label,
                "party_name": party.name,
                "code": code,
            }
            if same_code:
                text = _("%(source)s「%(name)s」与%(party)s「%(party_name)s」统一社会信用代码相同（%(code)s）") % values
            else:
                text = _("%(source)s「%(name)s」与%(party)s「%(party_name)s」名称相同") % values
            found.append(Conflict(text))
    return found


# --- ranking -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpertRow:
    """What the ranking and the candidates page read of a profile: plain values, no model instance (the pool has
    hundreds of them per request)."""

    pk: int
    name: str
    organisation_name: str
    organisation_key: str
    organisation_credit_code: str
    title: str
    user_id: int | None
    availability: str
    busy_until: dt.date | None
    rating_total: int
    rating_count: int
    nationwide: bool

    @property
    def rating_average(self) -> float | None:
        return self.rating_total / self.rating_count if self.rating_count else None

    def busy_on(self, day: dt.date) -> bool:
        return self.availability == Availability.BUSY and (self.busy_until is None or self.busy_until >= day)


ROW_COLUMNS = tuple(f.name for f in fields(ExpertRow) if f.name not in ("pk", "nationwide"))


@dataclass
class Reason:
    label: str
    detail: str
    points: float


@dataclass
class Candidate:
    expert: ExpertRow
    score: float
    reasons: list[Reason] = field(default_factory=list)
    load: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    override: ExpertConflictOverride | None = None

    @property
    def excluded(self) -> bool:
        return bool(self.conflicts) and self.override is None


@dataclass
class MatchResult:
    criteria: Criteria
    ranked: list[Candidate]
    excluded: list[Candidate]
    pool_size: int
    pool_capped: bool


# Each wanted key also has a bit in a mask summed in the same query (an expert has each key at most once), which
# tells which keys matched without reading the facet rows again. The criteria's limits keep keys under 63.
MAX_KEYS = 62
# Too broad to rank by (a quarter of a real database serves the whole country): added after the pool is drawn.
NATIONWIDE_KEY = f"reg:{NATIONWIDE}"


def candidate_pool(wanted: dict[str, int], *, size: int = POOL_SIZE) -> list[tuple[int, int, set[str]]]:
    """(expert id, match points, matched keys) of the best-matching live experts: one grouped, index-only query.

    The wanted keys join as a VALUES list (key, points, bit): a hash join per facet row is cheaper than a CASE
    with one comparison per key. Portable SQL (PostgreSQL and SQLite both name VALUES columns column1, 2, 3)."""
    keys = [k for k in wanted if k != NATIONWIDE_KEY][:MAX_KEYS]
    if not keys:
        return []
    table = connection.ops.quote_name(ExpertFacet._meta.db_table)
    rows_sql = ", ".join(["(%s, %s, %s)"] * len(keys))
    sql = (
        f"SELECT f.expert_id, SUM(w.column2) AS points, SUM(w.column3) AS mask FROM {table} f "  # noqa: S608
        f"JOIN (VALUES {rows_sql}) AS w ON w.column1 = f.key WHERE f.live "
        "GROUP BY f.expert_id ORDER BY points DESC, f.expert_id LIMIT %s"
    )
    params: list[Any] = []
    for bit, key in enumerate(keys):
        params += [key, wanted[key], 1 << bit]
    params.append(size)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (expert_id, int(points), {k for bit, k in enumerate(keys) if int(mask) >> bit & 1})
        for expert_id, points, mask in rows
    ]


class _Labels:
    """The reasons' words, translated once per ranking (not once per candidate)."""

    def __init__(self, field_names: dict[str, str]) -> None:
        self.field_names = field_names
        self.fields = _("专业领域")
        self.ipc = _("IPC 分类")
        self.levels = {"ipcg": _("大组相同"), "ipc": _("小类相同"), "ipc3": _("大类相同")}
        self.nice = _("尼斯分类")
        self.nice_class = _("第 %(n)s 类")
        self.region = _("服务地区")
        self.covers = _("覆盖申请人所在地")
        self.province = _("同一省份")
        self.nationwide = _("全国")
        self.languages = _("工作语言")
        self.language_names = {code: str(label) for code, label in Language.choices}
        self.rating = _("过往评分")
        self.rating_detail = _("%(avg).1f 分（%(n)s 次）")
        self.load = _("在办任务")
        self.load_detail = _("%(n)s 件")
        self.busy = _("可用状态")
        self.busy_detail = _("忙碌至 %(date)s")


def _match_reasons(criteria: Criteria, matched: set[str], labels: _Labels) -> list[Reason]:
    reasons: list[Reason] = []
    fields = [c for c in criteria.field_codes if f"f:{c}" in matched]
    if fields:
        names = join_list(labels.field_names.get(c, c) for c in fields)
        reasons.append(Reason(labels.fields, names, WEIGHTS["f"] * len(fields)))
    ipc_parts, ipc_points = [], 0
    counted: set[str] = set()
    for symbol in criteria.ipc_classes:
        keys = [k for k in ipc_keys(symbol) if k in matched]
        if keys:
            best = keys[-1].split(":", 1)[0]
            ipc_parts.append(f"{symbol}{parenthesised(labels.levels[best])}")
            ipc_points += sum(WEIGHTS[k.split(":", 1)[0]] for k in keys if k not in counted)
            counted.update(keys)
    if ipc_parts:
        reasons.append(Reason(labels.ipc, join_list(ipc_parts), ipc_points))
    nice = [n for n in criteria.nice_classes if f"nice:{n}" in matched]
    if nice:
        detail = join_list(labels.nice_class % {"n": n} for n in nice)
        reasons.append(Reason(labels.nice, detail, WEIGHTS["nice"] * len(nice)))
    if criteria.region_code:
        covers = [k for k in region_cover_keys(criteria.region_code) if k in matched]
        in_province = f"regp:{province_of(criteria.region_code)}" in matched
        if covers and in_province:
            reasons.append(Reason(labels.region, labels.covers, WEIGHTS["reg"] * len(covers) + WEIGHTS["regp"]))
        elif in_province:
            reasons.append(Reason(labels.region, labels.province, WEIGHTS["regp"]))
        elif f"reg:{NATIONWIDE}" in matched:
            reasons.append(Reason(labels.region, labels.nationwide, WEIGHTS["reg"]))
    languages = [c for c in criteria.languages if f"lang:{c}" in matched]
    if languages:
        detail = join_list(labels.language_names.get(c, c) for c in languages)
        reasons.append(Reason(labels.languages, detail, WEIGHTS["lang"] * len(languages)))
    return reasons


def _extra_reasons(expert: ExpertRow, load: int, today: dt.date, labels: _Labels) -> list[Reason]:
    reasons: list[Reason] = []
    average = expert.rating_average
    if average is not None:
        detail = labels.rating_detail % {"avg": average, "n": expert.rating_count}
        reasons.append(Reason(labels.rating, detail, round((average - 3) * RATING_POINTS, 1)))
    if load:
        detail = labels.load_detail % {"n": load}
        reasons.append(Reason(labels.load, detail, -LOAD_PENALTY * min(load, LOAD_CAP)))
    if expert.busy_on(today):
        reasons.append(Reason(labels.busy, labels.busy_detail % {"date": expert.busy_until}, -BUSY_PENALTY))
    return reasons


def rank_candidates(*, case: Case, criteria: Criteria, field_names: dict[str, str] | None = None) -> MatchResult:
    """The ranked candidates for the case (no access check: callers go through `expert_candidates`)."""
    pool = candidate_pool(criteria.wanted())
    ids = [expert_id for expert_id, _points, _keys in pool]
    if not ids:
        return MatchResult(criteria, [], [], 0, False)
    # "Serves the whole country" is read with the profiles (one EXISTS per pool member), not in the pool query.
    rows = (
        Expert.objects_unscoped.filter(pk__in=ids)
        .annotate(nationwide=Exists(ExpertFacet.objects.filter(expert=OuterRef("pk"), key=NATIONWIDE_KEY)))
        .values_list("pk", *ROW_COLUMNS, "nationwide")
    )
    experts = {row[0]: ExpertRow(*row) for row in rows}
    by_region = bool(criteria.region_code)
    declared: dict[int, list[tuple[str, str, str]]] = {}
    for expert_id, name, key, code in ExpertConflict.objects.filter(expert_id__in=ids).values_list(
        "expert_id", "name", "name_key", "credit_code"
    ):
        declared.setdefault(expert_id, []).append((name, key, code))
    user_ids = [e.user_id for e in experts.values() if e.user_id]
    loads: dict[int, int] = {}
    if user_ids:
        loads = dict(
            CaseAssignment.objects.filter(user_id__in=user_ids, kind=CaseAssignment.Kind.EXPERT, ended_at__isnull=True)
            .values("user_id")
            .annotate(n=Count("id"))
            .values_list("user_id", "n")
        )
    overrides = {
        o.expert_id: o
        for o in ExpertConflictOverride.objects.filter(case=case, expert_id__in=ids).select_related("decided_by")
    }
    if field_names is None:
        field_names = dict(ExpertField.objects.values_list("code", "name"))
    labels = _Labels(field_names)
    parties = case_parties(case)
    today = timezone.localdate()
    ranked: list[Candidate] = []
    excluded: list[Candidate] = []
    for expert_id, _points, matched in pool:
        expert = experts.get(expert_id)
        if expert is None:  # deleted between the two queries
            continue
        load = loads.get(expert.user_id, 0) if expert.user_id else 0
        if by_region and expert.nationwide:
            matched = matched | {NATIONWIDE_KEY}
        reasons = _match_reasons(criteria, matched, labels) + _extra_reasons(expert, load, today, labels)
        candidate = Candidate(
            expert=expert,
            score=round(sum(r.points for r in reasons), 1),
            reasons=reasons,
            load=load,
            conflicts=conflicts_of(expert, parties, declared=declared.get(expert_id, [])),
            override=overrides.get(expert_id),
        )
        (excluded if candidate.excluded else ranked).append(candidate)
    ranked.sort(key=_order_key)
    excluded.sort(key=_order_key)
    return MatchResult(criteria, ranked, excluded, len(pool), len(pool) >= POOL_SIZE)


def _order_key(c: Candidate) -> tuple[float, float, int, int]:
    return (-c.score, -(c.expert.rating_average or 0.0), c.load, c.expert.pk)
