"""The report after the fair, per event: complaints counted by IP type, outcome, country (or region) and industry
of the exhibitor, the measures taken and the refusals, the repeat respondents, and the median times in hours (filing
-> notice served, served -> finding, finding -> measures confirmed). Read in a fixed number of queries (two) whatever
the number of complaints; the caller has already checked that the user sees the event (`selectors.event_get`).

The industry is the respondent exhibitor's section (门类) of GB/T 4754-2017 (`core.choices.Industry`), as given in
the exhibitor list; complaints against an exhibitor listed without one are counted as "not given" (docs/exhibitions.md).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from weiyuan.core.choices import Industry, IPType
from weiyuan.exhibitions.models import Complaint, ComplaintState, Event, Measure, MeasureKind, MeasureState

S = ComplaintState

# Outcome buckets of the report, in order: each state belongs to one.
OUTCOME_OF_STATE: dict[str, str] = {
    S.INFRINGING: "infringing",
    S.COMPLIED: "infringing",
    S.REFUSED: "infringing",
    S.NOT_INFRINGING: "not_infringing",
    S.REFERRED: "referred",
    S.WITHDRAWN: "withdrawn",
    S.FILED: "open",
    S.SERVED: "open",
    S.DEFENDED: "open",
}


def outcome_labels() -> dict[str, str]:
    return {
        "infringing": _("认定侵权"),
        "not_infringing": _("认定不侵权"),
        "referred": _("无法判定，已移交"),
        "withdrawn": _("已撤回"),
        "open": _("尚未办结"),
    }


@dataclass(frozen=True)
class Repeat:
    company: str
    booth: str
    here: int  # complaints against it at this event
    earlier: int  # complaints against the same company at earlier events (when last filed)


@dataclass(frozen=True)
class EventReport:
    event: Event
    total: int
    by_ip_type: list[tuple[str, int]]
    by_outcome: list[tuple[str, int]]
    by_country: list[tuple[str, int]]
    by_industry: list[tuple[str, int]]  # "C 制造业", count; "not given" last
    measures: list[tuple[str, int, int, int]]  # kind label, confirmed, refused, due
    refusals: int  # complaints whose respondent refused to comply (organiser told)
    repeats: list[Repeat]
    medians: list[tuple[str, float | None, int]]  # label, median hours (None without data), how many measured


def _hours(start: Any, end: Any) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 3600


def _median(values: list[float | None]) -> tuple[float | None, int]:
    present = [v for v in values if v is not None]
    return (round(statistics.median(present), 1) if present else None), len(present)


def event_report(*, event: Event) -> EventReport:
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in Complaint.objects.filter(station__event=event)
        .annotate(confirmed_at=Max("measures__confirmed_at"))
        .values(
            "right_type",
            "state",
            "filed_at",
            "served_at",
            "decided_at",
            "confirmed_at",
            "earlier_complaints",
            "respondent__company",
            "respondent__company_key",
            "respondent__booth",
            "respondent__country",
            "respondent__industry",
        )
        .order_by("filed_at", "id")
    ]
    measure_rows = (
        Measure.objects.filter(complaint__station__event=event).values("kind", "state").annotate(n=Count("pk"))
    )
    ip_labels = dict(IPType.choices)
    by_type = Counter(r["right_type"] for r in rows)
    outcomes = Counter(OUTCOME_OF_STATE[r["state"]] for r in rows)
    unknown = _("未填写")
    by_country = Counter((r["respondent__country"] or "").strip() or unknown for r in rows)
    by_industry = Counter(r["respondent__industry"] or "" for r in rows)
    measures: dict[str, Counter[str]] = {kind: Counter() for kind in MeasureKind.values}
    for m in measure_rows:
        measures[m["kind"]][m["state"]] += m["n"]
    per_company: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        per_company.setdefault(r["respondent__company_key"], []).append(r)
    repeats = [
        Repeat(
            company=items[-1]["respondent__company"],
            booth=items[-1]["respondent__booth"],
            here=len(items),
            earlier=max(i["earlier_complaints"] for i in items),
        )
        for items in per_company.values()
        if len(items) > 1 or any(i["earlier_complaints"] for i in items)
    ]
    repeats.sort(key=lambda r: (-(r.here + r.earlier), r.booth))
    medians = [
        (_("受理至送达被投诉人"), *_median([_hours(r["filed_at"], r["served_at"]) for r in rows])),
        (_("送达至作出判定"), *_median([_hours(r["served_at"], r["decided_at"]) for r in rows])),
        (
            _("判定至确认措施落实"),
            *_median([_hours(r["decided_at"], r["confirmed_at"]) for r in rows if r["state"] == S.COMPLIED]),
        ),
    ]
    return EventReport(
        event=event,
        total=len(rows),
        by_ip_type=[(str(ip_labels.get(k, k)), n) for k, n in sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))],
        by_outcome=[(label, outcomes.get(key, 0)) for key, label in outcome_labels().items()],
        by_country=sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0])),
        by_industry=industry_counts(by_industry, unknown),
        measures=[
            (
                str(label),
                measures[kind][MeasureState.CONFIRMED],
                measures[kind][MeasureState.REFUSED],
                measures[kind][MeasureState.DUE],
            )
            for kind, label in MeasureKind.choices
        ],
        refusals=sum(1 for r in rows if r["state"] == S.REFUSED),
        repeats=repeats,
        medians=medians,
    )


def industry_counts(counts: Counter[str], unknown: str) -> list[tuple[str, int]]:
    """Sections by count (then letter), each as "C 制造业"; complaints without a section last, as `unknown`."""
    labels = dict(Industry.choices)
    named = sorted(((code, n) for code, n in counts.items() if code), key=lambda kv: (-kv[1], kv[0]))
    out = [(f"{code} {labels.get(code, '')}".strip(), n) for code, n in named]
    if counts.get(""):
        out.append((unknown, counts[""]))
    return out


def report_headers() -> list[str]:
    return [_("分类"), _("项目"), _("数量")]


def report_rows(report: EventReport) -> Iterator[list[Any]]:
    """The report as rows of one sheet (section, item, figure), for the Excel export."""
    yield [_("展会"), report.event.name, ""]
    yield [_("投诉总数"), "", report.total]
    for label, n in report.by_ip_type:
        yield [_("按权利类型"), label, n]
    for label, n in report.by_outcome:
        yield [_("按处理结果"), label, n]
    for label, n in report.by_country:
        yield [_("按被投诉人国家或地区"), label, n]
    for label, n in report.by_industry:
        yield [_("按被投诉人行业门类"), label, n]
    for label, confirmed, refused, due in report.measures:
        yield [_("措施已落实"), label, confirmed]
        yield [_("措施被拒绝"), label, refused]
        yield [_("措施待落实"), label, due]
    yield [_("拒不配合（已告知主办方）"), "", report.refusals]
    for repeat in report.repeats:
        yield [
            _("重复被投诉人"),
            f"{repeat.booth} {repeat.company}",
            _("本届 %(here)s 次，此前展会 %(earlier)s 次") % {"here": repeat.here, "earlier": repeat.earlier},
        ]
    for label, hours, n in report.medians:
        yield [
            _("中位时长（小时）"),
            _("%(label)s（样本 %(n)s 件）") % {"label": label, "n": n},
            "" if hours is None else hours,
        ]
