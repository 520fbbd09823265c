"""Pagination for pages that show more than one list: each list pages with its own query parameter."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpRequest

from weiyuan.cases.views.common import PAGE_SIZE
from weiyuan.core.pagination import CappedPaginator


def paged(request: HttpRequest, qs: QuerySet[Any], param: str = "page") -> Page:
    """A page of `qs` numbered by `?<param>=`; `page.prev_url` / `page.next_url` keep the other parameters."""
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get(param))

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return "?" + query.urlencode()

    page.prev_url = url(page.previous_page_number()) if page.has_previous() else ""  # type: ignore[attr-defined]
    page.next_url = url(page.next_page_number()) if page.has_next() else ""  # type: ignore[attr-defined]
    return page
