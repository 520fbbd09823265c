"""What every search backend offers, and the filter SQL they share (on the entry table, aliased `e`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from weiyuan.search.plan import Plan

# Counting stops here: "10,000+ results" is as useful as the exact figure and costs far less on common words.
COUNT_CAP = 10_000


PIN_BOOST = 1000.0


def pinned_sql(pinned: Sequence[int]) -> str:
    """Entries holding every word stay on top when the search is broadened to any word (ids are ints from the
    index itself, never from input)."""
    if not pinned:
        return ""
    return f" + CASE WHEN e.id IN ({', '.join(str(int(i)) for i in pinned)}) THEN {PIN_BOOST} ELSE 0 END"


class Mode(StrEnum):
    ALL = "all"  # every word of the query (each through any of its alternatives)
    ANY = "any"  # at least one word; more words matched rank higher


@dataclass(frozen=True)
class Filters:
    types: Sequence[str] = ()
    law_key: str = ""
    ip_type: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def sql(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.types:
            clauses.append("e.source IN (" + ", ".join(["%s"] * len(self.types)) + ")")
            params.extend(self.types)
        if self.law_key:
            clauses.append("e.law_key = %s")
            params.append(self.law_key)
        if self.ip_type:
            clauses.append("e.ip_types LIKE %s")
            params.append(f"% {self.ip_type} %")
        if self.date_from:
            clauses.append("e.published_on >= %s")
            params.append(self.date_from)
        if self.date_to:
            clauses.append("e.published_on <= %s")
            params.append(self.date_to)
        return ("".join(f" AND {c}" for c in clauses), params)


class Backend(Protocol):
    def write(self, rows: Sequence[tuple[int, str, str, str]]) -> None:
        """Store (entry id, title words, keyword words, body words) for each row, replacing what was there."""

    def delete(self, ids: Sequence[int]) -> None: ...

    def clear(self) -> None: ...

    def optimize(self) -> None:
        """After a bulk load: compact the index / refresh statistics."""

    def query(
        self, plan: Plan, filters: Filters, *, mode: Mode, limit: int, offset: int, pinned: Sequence[int] = ()
    ) -> tuple[list[tuple[int, float]], int]:
        """(entry id, score) best first, and the number of matches (capped at COUNT_CAP)."""
        ...

    def fuzzy_titles(self, plan: Plan, filters: Filters, *, limit: int) -> list[tuple[int, float]]:
        """Entries whose title is close to the query (typos), used when the words match nothing."""
        ...


# The backends build SQL from constants and the placeholders of `Filters.sql()` only; every value is a parameter.
