"""Reading funds, always scoped by the acting user (weiyuan/access/funds.py): the centres a user may see, one
centre's budget of a year against its spending, the report per centre or subtree and year, the spending list
(filters from an allow-list) and one entry or invoice (404 when the user may not see it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from weiyuan.access.funds import FundsPermission, can_view_funds, centre_scope_q, funds_decide, funds_scope_q
from weiyuan.funds.models import (
    ZERO,
    BudgetLine,
    Category,
    FundYear,
    SpendingAttachment,
    SpendingEntry,
    SpendingState,
)
from weiyuan.funds.services.common import parse_year, today
from weiyuan.network.models import Centre

P = FundsPermission
S = SpendingState
MAX_REPORT_YEARS = 10


def _money(value: Any) -> Decimal:
    """A sum in yuan with its two places (SQLite's SUM drops them: 2000 rather than 2000.00)."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


def funds_centres(*, user: Any) -> QuerySet[Centre]:
    """The centres whose funds the user may see, in tree order."""
    return Centre.objects.filter(centre_scope_q(user)).order_by("path")


def funds_centre_get(*, user: Any, code: str) -> Centre:
    centre = Centre.objects.filter(code=code).first()
    if centre is None or not can_view_funds(user, centre):
        raise Http404("centre not found")
    return centre


def default_centre(user: Any) -> Centre | None:
    return funds_centres(user=user).first()


def year_closed(centre: Centre, year: int) -> bool:
    return FundYear.objects.filter(centre=centre, year=year, closed_at__isnull=False).exists()


@dataclass
class CategoryFigures:
    category: str
    label: str
    budget: Decimal = ZERO
    approved: Decimal = ZERO
    pending: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.approved

    @property
    def over(self) -> bool:
        """Approved spending above the budget."""
        return self.approved > self.budget

    @property
    def over_with_pending(self) -> bool:
        """Approved and submitted spending above the budget (a warning before approval)."""
        return not self.over and self.approved + self.pending > self.budget

    @property
    def used_percent(self) -> int | None:
        if self.budget <= 0:
            return None
        return int(self.approved * 100 / self.budget)


@dataclass
class YearFigures:
    year: int
    rows: list[CategoryFigures]

    @property
    def total(self) -> CategoryFigures:
        t = CategoryFigures("", str(_("合计")))
        for r in self.rows:
            t.budget += r.budget
            t.approved += r.approved
            t.pending += r.pending
        return t

    @property
    def warnings(self) -> list[CategoryFigures]:
        return [r for r in self.rows if r.over or r.over_with_pending]


def _figures(centre_q: Q, years: list[int]) -> list[YearFigures]:
    """Budget, approved and submitted spending per year and category over the centres of `centre_q`: two grouped
    queries on the (centre, year, category) indexes, whatever the number of centres."""
    table: dict[tuple[int, str], CategoryFigures] = {}
    for y in years:
        for c in Category:
            table[(y, c.value)] = CategoryFigures(c.value, str(c.label))
    budgets = (
        BudgetLine.objects.filter(centre_q, year__in=years)
        .order_by()
        .values("year", "category")
        .annotate(total=Sum("amount"))
    )
    for row in budgets:
        table[(row["year"], row["category"])].budget = _money(row["total"])
    spent = (
        SpendingEntry.objects.filter(centre_q, year__in=years, state__in=(S.APPROVED, S.SUBMITTED))
        .order_by()
        .values("year", "category", "state")
        .annotate(total=Sum("amount"))
    )
    for row in spent:
        figures = table[(row["year"], row["category"])]
        if row["state"] == S.APPROVED:
            figures.approved = _money(row["total"])
        else:
            figures.pending = _money(row["total"])
    return [YearFigures(y, [table[(y, c.value)] for c in Category]) for y in years]


def centres_year_figures(*, centre_ids: list[int], year: int) -> dict[int, YearFigures]:
    """The year of many centres at once (the API's budget list): two grouped queries, whatever their number."""
    table: dict[int, dict[str, CategoryFigures]] = {
        cid: {c.value: CategoryFigures(c.value, str(c.label)) for c in Category} for cid in centre_ids
    }
    budgets = (
        BudgetLine.objects.filter(centre_id__in=centre_ids, year=year)
        .order_by()
        .values("centre_id", "category")
        .annotate(total=Sum("amount"))
    )
    for row in budgets:
        table[row["centre_id"]][row["category"]].budget = _money(row["total"])
    spent = (
        SpendingEntry.objects.filter(centre_id__in=centre_ids, year=year, state__in=(S.APPROVED, S.SUBMITTED))
        .order_by()
        .values("centre_id", "category", "state")
        .annotate(total=Sum("amount"))
    )
    for row in spent:
        figures = table[row["centre_id"]][row["category"]]
        if row["state"] == S.APPROVED:
            figures.approved = _money(row["total"])
        else:
            figures.pending = _money(row["total"])
    return {cid: YearFigures(year, [rows[c.value] for c in Category]) for cid, rows in table.items()}


def closed_centre_ids(*, centre_ids: list[int], year: int) -> set[int]:
    return set(
        FundYear.objects.filter(centre_id__in=centre_ids, year=year, closed_at__isnull=False).values_list(
            "centre_id", flat=True
        )
    )


def centre_year_figures(*, centre: Centre, year: int) -> YearFigures:
    """One centre's year (callers have checked the user may see the centre)."""
    return _figures(Q(centre_id=centre.pk), [year])[0]


def budget_lines(*, centre: Centre, year: int) -> dict[str, BudgetLine]:
    return {
        line.category: line for line in BudgetLine.objects.filter(centre=centre, year=year).select_related("set_by")
    }


@dataclass(frozen=True)
class ReportFilters:
    """The allow-list of report parameters: `centre` (a code), `year_from` / `year_to`, `subtree` ("1")."""

    centre: Centre | None
    years: list[int]
    subtree: bool
    errors: dict[str, str] = field(default_factory=dict)


def parse_report_filters(*, user: Any, data: Any) -> ReportFilters:
    errors: dict[str, str] = {}
    centre = None
    code = str(data.get("centre") or "").strip()
    if code:
        centre = Centre.objects.filter(code=code).first()
        if centre is None or not can_view_funds(user, centre):
            errors["centre"] = str(_("找不到该机构：%(code)s。") % {"code": code})
            centre = None
    if centre is None:
        centre = default_centre(user)
    this_year = today().year
    years: list[int] = []
    bounds = []
    for key in ("year_from", "year_to"):
        raw = str(data.get(key) or "").strip()
        try:
            bounds.append(parse_year(raw, key) if raw else this_year)
        except ValidationError as exc:
            errors[key] = exc.message_dict[key][0]
            bounds.append(this_year)
    low, high = min(bounds), max(bounds)
    if high - low + 1 > MAX_REPORT_YEARS:
        errors["year_to"] = str(_("一次最多比较 %(n)s 个年度。") % {"n": MAX_REPORT_YEARS})
        high = low + MAX_REPORT_YEARS - 1
    years = list(range(low, high + 1))
    subtree = str(data.get("subtree") or "") == "1"
    if subtree and centre is not None and not funds_decide(user, P.FUNDS_REPORT_SUBTREE, centre):
        errors["subtree"] = str(_("下级机构汇总报表仅供监督人员查看。"))
        subtree = False
    return ReportFilters(centre=centre, years=years, subtree=subtree, errors=errors)


def funds_report(*, filters: ReportFilters) -> list[YearFigures]:
    """The report of the filters' centre (or its subtree) for each year (the filters were parsed for the user)."""
    centre = filters.centre
    if centre is None:
        return []
    q = Q(centre__path__startswith=centre.path) if filters.subtree else Q(centre_id=centre.pk)
    return _figures(q, filters.years)


# --- spending ---------------------------------------------------------------------------------------------------

SPENDING_STATES = ("", *S.values)


@dataclass(frozen=True)
class SpendingFilters:
    """The allow-list of list filters: centre (code), year, category, state."""

    centre: Centre | None = None
    year: int | None = None
    category: str = ""
    state: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def parse_spending_filters(*, user: Any, data: Any) -> SpendingFilters:
    errors: dict[str, str] = {}
    centre = None
    code = str(data.get("centre") or "").strip()
    if code:
        centre = Centre.objects.filter(code=code).first()
        if centre is None or not can_view_funds(user, centre):
            errors["centre"] = str(_("找不到该机构：%(code)s。") % {"code": code})
            centre = None
    year = None
    raw = str(data.get("year") or "").strip()
    if raw:
        try:
            year = parse_year(raw)
        except ValidationError:
            errors["year"] = str(_("年度应为四位数字，例如 2026。"))
    category = str(data.get("category") or "").strip()
    if category and category not in Category.values:
        errors["category"] = str(_("未知的经费类别「%(value)s」。") % {"value": category})
        category = ""
    state = str(data.get("state") or "").strip()
    if state not in SPENDING_STATES:
        errors["state"] = str(_("状态可选：%(states)s，或留空。") % {"states": "、".join(S.values)})
        state = ""
    return SpendingFilters(centre=centre, year=year, category=category, state=state, errors=errors)


def spending_list(*, user: Any, filters: SpendingFilters) -> QuerySet[SpendingEntry]:
    qs = SpendingEntry.objects.filter(funds_scope_q(user)).select_related("centre", "submitted_by", "decided_by")
    if filters.centre is not None:
        qs = qs.filter(centre=filters.centre)
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.state:
        qs = qs.filter(state=filters.state)
    return qs.order_by("-spent_on", "-id")


def spending_get(*, user: Any, pk: int) -> SpendingEntry:
    entry = (
        SpendingEntry.objects.select_related(
            "centre", "created_by", "submitted_by", "decided_by", "voided_by", "expert_work__assignment"
        )
        .filter(pk=pk)
        .first()
    )
    if entry is None or not can_view_funds(user, entry.centre):
        raise Http404("spending entry not found")
    return entry


def attachment_get(*, user: Any, pk: int) -> SpendingAttachment:
    attachment = SpendingAttachment.objects.select_related("entry", "entry__centre").filter(pk=pk).first()
    if attachment is None or not can_view_funds(user, attachment.entry.centre):
        raise Http404("attachment not found")
    return attachment


def entry_attachments(*, entry: SpendingEntry) -> list[SpendingAttachment]:
    return list(entry.attachments.select_related("uploaded_by").order_by("received_at", "id"))
