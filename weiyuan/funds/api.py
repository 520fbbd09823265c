"""Funds in the REST API (tag "funds"), read-only: the budgets of the centres in the caller's scope with approved
and submitted spending and the remainder per category, the spending entries (paginated, filtered from an
allow-list), and the report of a centre or (supervisors) its subtree per year.

The same selectors and access rules as the pages: centre staff see their centres, a director also the level
below, supervisors their subtree; a centre outside the caller's scope is refused as unknown (422 naming `centre`,
as the pages' filters do), and callers without any funds scope get 403.

No `from __future__ import annotations`: django-ninja resolves the annotations of decorated views at import time.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from weiyuan.access.funds import has_funds
from weiyuan.api.errors import ApiError
from weiyuan.api.schemas import CentreRef, CleanIn, DetailOut, ValidationErrorOut
from weiyuan.api.selectors import page_of
from weiyuan.core.pagination import COUNT_CAP
from weiyuan.funds import selectors
from weiyuan.funds.models import SpendingEntry
from weiyuan.funds.services.common import collect, parse_year, today

router = Router(tags=["funds"])

ERRORS = {400: DetailOut, 401: DetailOut, 403: DetailOut, 404: DetailOut, 409: DetailOut}
INVALID = {422: ValidationErrorOut}


def _user(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not has_funds(user):
        raise ApiError(403, _("经费页面仅供援助机构工作人员和监督人员查看。"))
    return user


class CategoryOut(Schema):
    category: str
    label: str
    budget_yuan: Decimal
    approved_yuan: Decimal
    submitted_yuan: Decimal
    remaining_yuan: Decimal
    over_budget: bool


class YearOut(Schema):
    year: int
    categories: list[CategoryOut]
    total: CategoryOut


class BudgetOut(Schema):
    centre: CentreRef
    year: int
    closed: bool
    categories: list[CategoryOut]
    total: CategoryOut


class BudgetQuery(CleanIn):
    centre: str = Field("", description="Code of one centre within the caller's scope; empty: every such centre.")
    year: str = Field("", description="Budget year (calendar year); empty: this year.")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


class BudgetListOut(Schema):
    items: list[BudgetOut]
    count: int
    count_capped: bool = False
    page: int
    page_size: int
    pages: int


class ReportQuery(CleanIn):
    centre: str = Field("", description="Code of a centre within the caller's scope; empty: the first one.")
    year_from: str = Field("", description="First year; empty: this year.")
    year_to: str = Field("", description="Last year (at most 10 years); empty: this year.")
    subtree: str = Field("", description="1: the centre and every centre below it (supervisors only).")


class ReportOut(Schema):
    centre: CentreRef
    subtree: bool
    years: list[YearOut]


class SpendingQuery(CleanIn):
    centre: str = ""
    year: str = ""
    category: str = Field("", description="personnel, expert_fees, training, outreach, it or other.")
    state: str = Field("", description="draft, submitted, approved, returned or voided.")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


class SpendingOut(Schema):
    id: int
    number: str
    centre: CentreRef
    year: int
    category: str
    amount_yuan: Decimal
    spent_on: dt.date
    payee: str
    description: str
    state: str
    source: str
    over_budget: bool
    over_budget_reason: str
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    attachments: int
    url: str


class SpendingListOut(Schema):
    items: list[SpendingOut]
    count: int
    count_capped: bool = False
    page: int
    page_size: int
    pages: int


def _category_out(r: selectors.CategoryFigures) -> CategoryOut:
    return CategoryOut(
        category=r.category,
        label=r.label,
        budget_yuan=r.budget,
        approved_yuan=r.approved,
        submitted_yuan=r.pending,
        remaining_yuan=r.remaining,
        over_budget=r.over,
    )


def _year_out(y: selectors.YearFigures) -> YearOut:
    return YearOut(year=y.year, categories=[_category_out(r) for r in y.rows], total=_category_out(y.total))


@router.get("/budgets", response={200: BudgetListOut, **ERRORS, **INVALID}, url_name="funds_budgets")
def budget_list(request: HttpRequest, query: Query[BudgetQuery]) -> BudgetListOut:
    """The centres in the caller's scope (or the one asked for), each with its budget of the year against its
    spending, in tree order; a constant number of queries per page."""
    user = _user(request)
    errors: dict[str, str] = {}
    year = collect(errors, parse_year, query.year) if query.year else today().year
    centres = selectors.funds_centres(user=user)
    if query.centre:
        centres = centres.filter(code=query.centre)
        if not centres.exists():
            errors["centre"] = _("找不到该机构：%(code)s。") % {"code": query.centre}
    if errors:
        raise ValidationError(errors)
    items, count, pages = page_of(centres, page=query.page, page_size=query.page_size)
    ids = [c.pk for c in items]
    figures = selectors.centres_year_figures(centre_ids=ids, year=year)
    closed = selectors.closed_centre_ids(centre_ids=ids, year=year)
    out = [
        BudgetOut(
            centre=CentreRef(code=c.code, name=c.name),
            year=year,
            closed=c.pk in closed,
            categories=[_category_out(r) for r in figures[c.pk].rows],
            total=_category_out(figures[c.pk].total),
        )
        for c in items
    ]
    return BudgetListOut(
        items=out, count=count, count_capped=count >= COUNT_CAP, page=query.page, page_size=query.page_size, pages=pages
    )


@router.get("/report", response={200: ReportOut, **ERRORS, **INVALID}, url_name="funds_report")
def report(request: HttpRequest, query: Query[ReportQuery]) -> ReportOut:
    """Budget vs approved spending vs remaining per category and year, of a centre or (supervisors) its subtree."""
    user = _user(request)
    filters = selectors.parse_report_filters(user=user, data=query.model_dump())
    if filters.errors:
        raise ValidationError(filters.errors)
    centre = filters.centre
    if centre is None:
        raise ValidationError({"centre": _("没有可查看经费的机构。")})
    data = selectors.funds_report(filters=filters)
    return ReportOut(
        centre=CentreRef(code=centre.code, name=centre.name),
        subtree=filters.subtree,
        years=[_year_out(y) for y in data],
    )


def _spending_out(e: SpendingEntry) -> SpendingOut:
    return SpendingOut(
        id=e.pk,
        number=e.number,
        centre=CentreRef(code=e.centre.code, name=e.centre.name),
        year=e.year,
        category=e.category,
        amount_yuan=e.amount,
        spent_on=e.spent_on,
        payee=e.payee,
        description=e.description,
        state=e.state,
        source=e.source,
        over_budget=e.over_budget,
        over_budget_reason=e.over_budget_reason,
        submitted_at=e.submitted_at,
        decided_at=e.decided_at,
        attachments=e.attachment_count,  # type: ignore[attr-defined]
        url=f"/funds/spending/{e.pk}/",
    )


@router.get("/spending", response={200: SpendingListOut, **ERRORS, **INVALID}, url_name="funds_spending")
def spending_list(request: HttpRequest, query: Query[SpendingQuery]) -> SpendingListOut:
    """Spending entries of the caller's scope, newest first, filtered by centre, year, category and state."""
    user = _user(request)
    filters = selectors.parse_spending_filters(user=user, data=query.model_dump())
    if filters.errors:
        raise ValidationError(filters.errors)
    qs = selectors.spending_list(user=user, filters=filters).annotate(attachment_count=Count("attachments"))
    items, count, pages = page_of(qs, page=query.page, page_size=query.page_size)
    return SpendingListOut(
        items=[_spending_out(e) for e in items],
        count=count,
        count_capped=count >= COUNT_CAP,
        page=query.page,
        page_size=query.page_size,
        pages=pages,
    )
