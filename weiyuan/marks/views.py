"""The trademark screening page (商标近似筛查, /marks/): screen a mark against the register, and compare two marks.

For any signed-in, active account, applicants included (weiyuan/access/marks.py, the rule of the API); anonymous
visitors go to the login page. Both forms are plain GETs, so the page works without JavaScript; with HTMX a form
swaps only its own results. Bad input is shown naming the field, with what the user typed kept in the form.
Reasons are rendered in the interface language. Goods closeness (shared Nice classes and similar groups, named
from the imported similar-group table) is shown beside the score and never changes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from weiyuan.access.marks import MarksPermission, marks_decide
from weiyuan.cases.views.common import refused
from weiyuan.marks.models import NICE_CLASS_COUNT, MarkStatus
from weiyuan.marks.normalise import MAX_LENGTH, MarkTextError, NormalisedMark, normalise_mark
from weiyuan.marks.score import Comparison, GoodsCloseness, compare_marks, goods_closeness, weights
from weiyuan.marks.screening import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Hit,
    Screening,
    ScreenInputError,
    check_classes,
    check_limit,
    screen_mark,
)
from weiyuan.marks.selectors import group_names, nice_headings

LABELS = {
    "mark": gettext_lazy("商标"),
    "class": gettext_lazy("尼斯分类"),
    "groups": gettext_lazy("类似群"),
    "limit": gettext_lazy("返回条数"),
    "a": gettext_lazy("商标 A"),
    "b": gettext_lazy("商标 B"),
}
MAX_GROUPS = 20
_SPLIT = re.compile(r"[;；,，、\s]+")
_GROUP = re.compile(r"^\d{4}$")


def _split(values: list[str]) -> list[str]:
    return [part for value in values for part in _SPLIT.split(value) if part]


def _summary(errors: dict[str, str]) -> list[tuple[str, str, str]]:
    """(label, message, anchor) for cases/_error_summary.html, in the order of the form."""
    return [(str(LABELS[name]), errors[name], f"field-{name}") for name in LABELS if name in errors]


def _is_htmx_for(request: HttpRequest, target: str) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and str(getattr(htmx, "target", "") or "") == target


@dataclass
class ScreenInput:
    """What the user typed, kept as typed, and what was made of it."""

    mark: str = ""
    classes_raw: list[str] = field(default_factory=list)
    groups: str = ""
    limit: str = str(DEFAULT_LIMIT)
    classes: tuple[int, ...] = ()
    group_codes: tuple[str, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def selected(self) -> set[int]:
        """The classes to keep ticked: every number 1-45 the user gave, even when another one was bad."""
        return {int(v) for v in _split(self.classes_raw) if v.isdigit() and 1 <= int(v) <= NICE_CLASS_COUNT}


def parse_screen(params: Any) -> ScreenInput:
    """Check every field (not only the first bad one), so the page names all that need fixing."""
    given = ScreenInput(
        mark=params.get("mark", ""),
        classes_raw=params.getlist("class"),
        groups=params.get("groups", ""),
        limit=params.get("limit", "").strip() or str(DEFAULT_LIMIT),
    )
    try:
        normalise_mark(given.mark, field="mark")
    except MarkTextError as error:
        given.errors["mark"] = error.message
    try:
        given.classes = check_classes(_split(given.classes_raw))
    except ScreenInputError as error:
        given.errors["class"] = error.message
    codes = _split([given.groups])
    bad = [code for code in codes if not _GROUP.match(code)]
    if bad:
        given.errors["groups"] = _("类似群编号应为 4 位数字：%(value)s") % {"value": bad[0]}
    elif len(set(codes)) > MAX_GROUPS:
        given.errors["groups"] = _("最多填写 %(max)d 个类似群。") % {"max": MAX_GROUPS}
    else:
        given.group_codes = tuple(sorted(set(codes)))
    try:
        check_limit(given.limit)
    except ScreenInputError as error:
        given.errors["limit"] = error.message
    return given


@dataclass(frozen=True)
class GoodsView:
    closeness: GoodsCloseness
    shared_classes: list[tuple[int, str]]
    # The hit's similar groups worth showing: those in the shared classes (or, with no classes asked, those the
    # query shares), as (code, name or "", shared with the query's groups).
    groups: list[tuple[str, str, bool]]


@dataclass(frozen=True)
class HitRow:
    rank: int
    hit: Hit
    percent: int
    status_label: str
    classes: list[tuple[int, str]]
    goods: GoodsView | None


def _hit_rows(screening: Screening, wanted_groups: tuple[str, ...], headings: dict[int, str]) -> list[HitRow]:
    asked = bool(screening.classes or wanted_groups)

    def shown_groups(hit: Hit) -> list[str]:
        if screening.classes:
            return [g for g in hit.mark.groups if g[:2].isdigit() and int(g[:2]) in screening.classes]
        return [g for g in hit.mark.groups if g in wanted_groups]

    names = group_names({g for hit in screening.hits for g in shown_groups(hit)} | set(wanted_groups)) if asked else {}
    rows = []
    for rank, hit in enumerate(screening.hits, start=1):
        goods = None
        if asked:
            closeness = goods_closeness(
                screening.classes, hit.mark.classes, wanted_groups, hit.mark.groups, names=names
            )
            goods = GoodsView(
                closeness=closeness,
                shared_classes=[(n, headings.get(n, "")) for n in closeness.shared_classes],
                groups=[(g, names.get(g, ""), g in closeness.shared_groups) for g in shown_groups(hit)],
            )
        rows.append(
            HitRow(
                rank=rank,
                hit=hit,
                percent=round(hit.score * 100),
                status_label=str(MarkStatus(hit.mark.status).label) if hit.mark.status in MarkStatus.values else "",
                classes=[(n, headings.get(n, "")) for n in hit.mark.classes],
                goods=goods,
            )
        )
    return rows


def _page(**extra: Any) -> dict[str, Any]:
    headings = extra.pop("headings", None) or nice_headings()
    context: dict[str, Any] = {
        "headings": sorted(headings.items()),
        "threshold": weights().threshold,
        "max_length": MAX_LENGTH,
        "max_limit": MAX_LIMIT,
        "screen": ScreenInput(),
        "compare": {"a": "", "b": "", "errors": {}},
    }
    context.update(extra)
    return context


@login_required
@require_GET
def screen_page(request: HttpRequest) -> HttpResponse:
    decision = marks_decide(request.user, MarksPermission.SCREEN)
    if not decision:
        return refused(request, decision.reason, title=_("商标近似筛查"))
    headings = nice_headings()
    context = _page(headings=headings)
    if "mark" in request.GET:  # the form was submitted (an empty mark is an error to show, not a blank page)
        given = parse_screen(request.GET)
        context["screen"] = given
        if not given.errors:
            try:
                screening = screen_mark(given.mark, classes=given.classes, limit=given.limit)
            except ScreenInputError as error:  # checked above; kept so a new rule there still names its field
                given.errors[error.field] = error.message
            else:
                context["screening"] = screening
                context["rows"] = _hit_rows(screening, given.group_codes, headings)
        context["error_summary"] = _summary(given.errors)
    return _respond(request, context, "screen-results", "marks/_screen_results.html", bool(context["screen"].errors))


@login_required
@require_GET
def compare_page(request: HttpRequest) -> HttpResponse:
    decision = marks_decide(request.user, MarksPermission.COMPARE)
    if not decision:
        return refused(request, decision.reason, title=_("商标近似筛查"))
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    errors: dict[str, str] = {}
    marks: dict[str, NormalisedMark] = {}
    for name, text in (("a", a), ("b", b)):
        try:
            marks[name] = normalise_mark(text, field=name)
        except MarkTextError as error:
            errors[name] = error.message
    comparison: Comparison | None = None
    if not errors:
        comparison = compare_marks(marks["a"], marks["b"])
    context = _page(
        compare={"a": a, "b": b, "errors": errors, "result": comparison},
        compare_summary=_summary(errors),
        compare_percent=round(comparison.score * 100) if comparison else 0,
    )
    return _respond(request, context, "compare-result", "marks/_compare_result.html", bool(errors))


def _respond(request: HttpRequest, context: dict[str, Any], target: str, partial: str, bad: bool) -> HttpResponse:
    # An HTMX request swaps only its results, and htmx does not swap a 4xx answer: the partial is a 200 with the
    # errors in it. The whole page answers 400 to bad input.
    if _is_htmx_for(request, target):
        return render(request, partial, context)
    return render(request, "marks/screen.html", context, status=400 if bad else 200)
