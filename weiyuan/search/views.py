"""The public search page (/kb/search/): one box over every published kind of content, with filters; HTMX
replaces only the results while typing."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from weiyuan.search.backends.base import COUNT_CAP
from weiyuan.search.forms import SearchForm
from weiyuan.search.query import QueryError, Results, search

PAGE_SIZE = 10


class ResultsPaginator(Paginator):
    """Pages over the (capped) number of matches; the hits of the page come from the search itself."""

    capped = False

    @property
    def count_label(self) -> str:
        return f"{self.count:,}+" if self.capped else f"{self.count:,}"


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    context: dict[str, object] = {"form": form, "hx_target": "search-results"}
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        raw_page = request.GET.get("page", "1")
        number = int(raw_page) if raw_page.isdigit() and int(raw_page) > 0 else 1
        try:
            results = search(
                data["q"],
                types=[data["type"]] if data["type"] else [],
                law_key=data["law"],
                ip_type=data["ip_type"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                limit=PAGE_SIZE,
                offset=(number - 1) * PAGE_SIZE,
            )
        except QueryError as exc:
            form.add_error("q", str(exc))
        else:
            context.update(results=results, page=_page(results, number), count_cap=COUNT_CAP)
    template = "search/_results.html" if request.htmx else "search/search.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _page(results: Results, number: int) -> object:
    paginator = ResultsPaginator(range(results.total), PAGE_SIZE)
    paginator.capped = results.total >= COUNT_CAP
    return paginator.get_page(number)
