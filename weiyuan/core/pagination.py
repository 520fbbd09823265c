"""Pagination whose count stops at a cap, so a supervisor's list over the whole network does not count a million rows.

Counting every row of a large scope costs more than the page itself (about 300 ms for 1,000,000 cases on the
reference machine, docs/benchmarks.md); past the cap the UI says "50,000+" and asks for a filter.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet

COUNT_CAP = 50_000


def capped_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, capped): the exact count up to `cap`, otherwise (cap, True)."""
    # Only primary keys, no joins: the count subquery stays an index scan.
    n = qs.order_by().select_related(None).values("pk")[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


class CappedPaginator(Paginator):
    def __init__(self, object_list: Any, per_page: int, cap: int = COUNT_CAP, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return super().count
        n, self.capped = capped_count(self.object_list, self.cap)
        return n

    @property
    def count_label(self) -> str:
        return f"{self.count:,}+" if (self.count and self.capped) else f"{self.count:,}"


def page_bounds(count: int, page: int, page_size: int) -> tuple[int, int]:
    """(pages, start offset) for a 1-based page number."""
    return max(1, math.ceil(count / page_size)), (page - 1) * page_size
