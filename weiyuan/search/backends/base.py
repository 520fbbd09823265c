"""What every search backend offers, and the filter SQL they share (on the entry table, aliased `e`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from django.db import connection

from weiyuan.search.plan import Plan

# A query with fewer matches than COUNT_CAP is counted exactly and every match is ranked (BM25 / ts_rank). A broader
# query (the commonest words of a million entries: 专利 is in 40 % of them) shows "1,000+": ranking 400,000 matches
# one by one would take seconds (and SQLite's BM25 walks each word's whole document list to count it). It ranks
# candidates instead: its CANDIDATE_TIER oldest matches (the law texts, imported first, and the earliest guides) and
# its CANDIDATE_TIER newest matches among the RECENT_WINDOW newest entries, scored by where the words occur
# (`broad_score_sql`). Both engines read those in index order and stop at the LIMIT; pages past COUNT_CAP results
# are not offered (the page asks for more words).
COUNT_CAP = 1_000
CANDIDATE_TIER = COUNT_CAP // 2
RECENT_WINDOW = 5_000
BROAD_TITLE, BROAD_LAW, BROAD_BODY = 4.0, 1.5, 1.0
BODY_PREFIX = 1_000


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
        """(entry id, score) best first, and the number of matches (at most COUNT_CAP: more are ranked as
        candidates, see above)."""
        ...

    def fuzzy_titles(self, plan: Plan, filters: Filters, *, limit: int) -> list[tuple[int, float]]:
        """Entries whose title is close to the query (typos), used when the words match nothing."""
        ...


# The backends build SQL from constants and the placeholders of `Filters.sql()` only; every value is a parameter.


def broad_score_sql(plan: Plan, mode: Mode, weights: Sequence[float] = ()) -> tuple[str, list[Any]]:
    """A score computed from the entry row alone, for the candidates of a broad query: per word of the query,
    BROAD_TITLE if the (normalised) title holds it, else BROAD_LAW if the law's title does, else BROAD_BODY if the
    entry holds it elsewhere, times the word's weight (rarer words weigh more, where the backend knows) and the
    entry's rank weight; the law and article named in the query add their boosts. With every word required, a
    candidate holds each word somewhere; with any word, the first BODY_PREFIX characters of the text are looked at.
    """
    position = "strpos" if connection.vendor == "postgresql" else "instr"
    parts: list[str] = []
    params: list[Any] = []
    for index, group in enumerate(plan.groups):
        terms = [token for alternative in group.alternatives for token in alternative]
        factor = float(weights[index]) if index < len(weights) else 1.0
        case = ["CASE"]
        for column, weight in (("e.title_normalised", BROAD_TITLE), ("e.law_title", BROAD_LAW)):
            case.append("WHEN " + " OR ".join([f"{position}({column}, %s) > 0"] * len(terms)))
            case.append(f"THEN {weight * factor:.4f}")
            params.extend(terms)
        if mode == Mode.ANY:
            case.append("WHEN " + " OR ".join([f"{position}(e.head, %s) > 0"] * len(terms)))
            case.append(f"THEN {BROAD_BODY * factor:.4f} ELSE 0 END")
            params.extend(terms)
        else:
            case.append(f"ELSE {BROAD_BODY * factor:.4f} END")
        parts.append(" ".join(case))
    words = " + ".join(parts) or "0"
    return (
        f"({words}) * e.rank_weight + CASE WHEN e.law_key = %s THEN {BROAD_TITLE} ELSE 0 END"
        f" + CASE WHEN e.article_number = %s THEN {2 * BROAD_TITLE} ELSE 0 END",
        [*params, plan.law_key or None, plan.article_number],
    )


def broad_rank(
    candidates: Sequence[int],
    plan: Plan,
    *,
    mode: Mode,
    limit: int,
    offset: int,
    pinned: Sequence[int],
    weights: Sequence[float] = (),
) -> list[tuple[int, float]]:
    """Rank the candidate entries of a broad query (ties: the newest first). Pinned entries (holding every word of
    a query broadened to any word) are candidates wherever they lie."""
    candidates = list(dict.fromkeys([*pinned, *candidates]))  # also drops ids found by both tiers
    if not candidates:
        return []
    score, params = broad_score_sql(plan, mode, weights)
    ids = ", ".join(str(int(i)) for i in candidates)  # ids from the index itself, never from input
    with connection.cursor() as cursor:
        # The head of the text is cut once per row (MATERIALIZED), not once per word of the query.
        cursor.execute(
            "WITH e AS MATERIALIZED (SELECT id, title_normalised, law_title, law_key, article_number, rank_weight,"  # noqa: S608
            f" substr(body, 1, {BODY_PREFIX}) AS head FROM search_searchentry WHERE id IN ({ids}))"
            f" SELECT e.id, {score}{pinned_sql(pinned)} AS score FROM e"
            " ORDER BY score DESC, e.id DESC LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return [(int(r[0]), float(r[1])) for r in cursor.fetchall()]
