"""Reading the expert database, always scoped by the acting user (weiyuan/access/experts.py), and the matching of
experts for a case. Filters come from an allow-list (`ExpertFilters`), never from raw query keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from weiyuan.access.experts import ExpertPermission, case_expert_decide
from weiyuan.cases.models import Case
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.experts.matching import Criteria, MatchResult, rank_candidates
from weiyuan.experts.models import Availability, Expert, ExpertFacet, ExpertField, Language, Qualification
from weiyuan.experts.normalise import ClassError, ipc_keys, parse_ipc, parse_nice, province_of, region_cover_keys

ACTIVE_CHOICES = ("1", "0", "all")


@dataclass(frozen=True)
class ExpertFilters:
    q: str = ""
    field: str = ""
    ipc: str = ""  # canonical symbol
    nice: int | None = None
    language: str = ""
    region: str = ""  # 6-digit code
    qualification: str = ""
    availability: str = ""
    active: str = "1"  # "1" in the database, "0" deactivated, "all"
    centre: str = ""  # centre code


def parse_filters(params: Any) -> tuple[ExpertFilters, dict[str, str]]:
    """Filters from GET parameters (web page and API); problems are named by parameter, the rest still applies."""
    errors: dict[str, str] = {}

    def text(name: str, limit: int = 60) -> str:
        value = str(params.get(name) or "").replace("\x00", "").strip()
        if len(value) > limit:
            errors[name] = _("最多 %(limit)s 个字符。") % {"limit": limit}
            return ""
        return value

    ipc = text("ipc", 20)
    if ipc:
        try:
            ipc = parse_ipc(ipc)
        except ClassError as exc:
            errors["ipc"] = str(exc)
            ipc = ""
    nice: int | None = None
    if text("nice", 10):
        try:
            nice = parse_nice(text("nice", 10))
        except ClassError as exc:
            errors["nice"] = str(exc)
    field = text("field", 40)
    if field and not ExpertField.objects.filter(code=field).exists():
        errors["field"] = _("没有代码为 %(code)s 的专业领域。") % {"code": field}
        field = ""
    region = text("region", 6)
    if region and not (len(region) == 6 and region.isdigit()):
        errors["region"] = _("请填 6 位行政区划代码，例如 310000。")
        region = ""
    allowed = {
        "language": Language.values,
        "qualification": Qualification.values,
        "availability": Availability.values,
        "active": ACTIVE_CHOICES,
    }
    picked: dict[str, str] = {}
    for name, values in allowed.items():
        value = text(name, 20)
        if value and value not in values:
            errors[name] = _("可选值：%(values)s") % {"values": "、".join(values)}
            value = ""
        picked[name] = value
    return (
        ExpertFilters(
            q=text("q", 60),
            field=field,
            ipc=ipc,
            nice=nice,
            language=picked["language"],
            region=region,
            qualification=picked["qualification"],
            availability=picked["availability"],
            active=picked["active"] or "1",
            centre=text("centre", 40),
        ),
        errors,
    )


def _facet(key: str) -> Q:
    return Q(pk__in=ExpertFacet.objects.filter(key=key).values("expert_id"))


def expert_list(*, user: Any, filters: ExpertFilters) -> QuerySet[Expert]:
    qs = Expert.objects.restrict(user)
    if filters.active == "1":
        qs = qs.filter(active=True)
    elif filters.active == "0":
        qs = qs.filter(active=False)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(organisation_name__icontains=filters.q))
    keys = []
    if filters.field:
        keys.append(f"f:{filters.field}")
    if filters.ipc:
        keys.append(ipc_keys(filters.ipc)[-1])
    if filters.nice is not None:
        keys.append(f"nice:{filters.nice}")
    if filters.language:
        keys.append(f"lang:{filters.language}")
    if filters.region:
        if filters.region == province_of(filters.region):
            keys.append(f"regp:{filters.region}")  # a province: experts serving anywhere in it
        else:  # a city or county: experts whose service region covers it
            qs = qs.filter(
                pk__in=ExpertFacet.objects.filter(key__in=region_cover_keys(filters.region)).values("expert_id")
            )
    if filters.qualification:
        keys.append(f"q:{filters.qualification}")
    if filters.availability:
        keys.append(f"avail:{filters.availability}")
    for key in keys:
        qs = qs.filter(_facet(key))
    if filters.centre:
        qs = qs.filter(centre__code=filters.centre)
    return qs.select_related("centre").prefetch_related("fields", "regions").order_by("name", "id")


def expert_get(*, user: Any, pk: int) -> Expert:
    """The profile if the user may see it; otherwise 404."""
    expert = (
        Expert.objects.restrict(user)
        .select_related("centre", "user")
        .prefetch_related("fields", "regions", "conflicts")
        .filter(pk=pk)
        .first()
    )
    if expert is None:
        raise Http404("expert not found")
    return expert


def expert_candidates(*, user: Any, case: Case, criteria: Criteria) -> MatchResult:
    """The ranked candidates for a case the user may see (`case` comes from `case_get`); 403 if they may not match."""
    decision = case_expert_decide(user, ExpertPermission.MATCH, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)
    return rank_candidates(case=case, criteria=criteria)
