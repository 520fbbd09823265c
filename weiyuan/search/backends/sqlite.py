"""SQLite FTS5 (the embedded default). Ranking: BM25 with title words weighted 4x and keywords (law title, headings,
tags) 1.5x over body words, plus law and article boosts. A query holding one of the index's common words, or
matching COUNT_CAP entries or more, is ranked by `base.broad_rank` instead (see `CommonWord` for why)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from typing import Any

from django.db import connection

from weiyuan.search.backends.base import (
    CANDIDATE_TIER,
    COUNT_CAP,
    RECENT_WINDOW,
    Filters,
    Mode,
    broad_rank,
    pinned_sql,
)
from weiyuan.search.models import CommonWord
from weiyuan.search.plan import Plan

TITLE_WEIGHT, KEYWORDS_WEIGHT, BODY_WEIGHT = 4.0, 1.5, 1.0
LAW_BOOST, ARTICLE_BOOST = 4.0, 8.0
# A word in more entries than this is common: BM25 would walk its document list on every query (about 2 ms per
# 20,000 entries), so such queries are ranked from the entry rows.
COMMON_DOCUMENTS = 20_000
COMMON_WORDS_TTL_SECONDS = 60

_common_lock = threading.Lock()
_common: tuple[float, dict[str, int]] = (0.0, {})


def common_words() -> dict[str, int]:
    """token -> number of entries holding it, for the common words (read at most once a minute per process)."""
    global _common
    loaded_at, words = _common
    if time.monotonic() - loaded_at > COMMON_WORDS_TTL_SECONDS:
        with _common_lock:
            words = dict(CommonWord.objects.values_list("token", "documents"))
            _common = (time.monotonic(), words)
    return words


def common_words_forget() -> None:
    global _common
    _common = (0.0, {})


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def match_expression(plan: Plan, mode: Mode) -> str:
    groups = []
    for group in plan.groups:
        alternatives = [
            _quote(alt[0]) if len(alt) == 1 else "(" + " AND ".join(_quote(t) for t in alt) + ")"
            for alt in group.alternatives
        ]
        groups.append("(" + " OR ".join(alternatives) + ")")
    return (" AND " if mode == Mode.ALL else " OR ").join(groups)


class SqliteBackend:
    def write(self, rows: Sequence[tuple[int, str, str, str]]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            self.delete([row[0] for row in rows])
            sql = "INSERT INTO search_fts (rowid, title, keywords, body) VALUES (%s, %s, %s, %s)"
            cursor.executemany(sql, list(rows))

    def delete(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [(i,) for i in ids])

    def optimize(self) -> None:
        # Merges the index segments (and pending in-transaction data) into one b-tree: after bulk loads.
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
            cursor.execute("DELETE FROM search_common_word")
            cursor.execute("SELECT COALESCE(max(rowid), 0) FROM search_fts")
            if int(cursor.fetchone()[0]) > COMMON_DOCUMENTS:
                # Walks the whole vocabulary (about 15 s for a million entries): bulk loads and nightly only.
                cursor.execute(
                    "INSERT INTO search_common_word (token, documents)"
                    " SELECT term, doc FROM search_fts_vocab WHERE doc > %s AND length(term) <= 100",
                    [COMMON_DOCUMENTS],
                )
        common_words_forget()

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")

    def query(
        self, plan: Plan, filters: Filters, *, mode: Mode, limit: int, offset: int, pinned: Sequence[int] = ()
    ) -> tuple[list[tuple[int, float]], int]:
        expression = match_expression(plan, mode)
        where, params = filters.sql()
        # Without filters the word index alone answers counts and candidates (no lookup of each entry row).
        matches = (
            f"FROM search_fts JOIN search_searchentry e ON e.id = search_fts.rowid WHERE search_fts MATCH %s{where}"
            if where
            else "FROM search_fts WHERE search_fts MATCH %s"
        )
        with connection.cursor() as cursor:
            # One walk in rowid order, stopped at COUNT_CAP: the whole set (and its count) for a narrow query, the
            # oldest candidates for a broad one.
            cursor.execute(
                f"SELECT search_fts.rowid {matches} ORDER BY search_fts.rowid LIMIT {COUNT_CAP}", [expression, *params]
            )
            first = [int(r[0]) for r in cursor.fetchall()]
            total = len(first)
            common = common_words()
            if total >= COUNT_CAP or any(token in common for token in _tokens(plan)):
                entries = self._entries(cursor)
                candidates = first
                if total >= COUNT_CAP:
                    candidates = first[:CANDIDATE_TIER] + self._recent(cursor, matches, [expression, *params], entries)
                weights = _group_weights(plan, common, entries=entries)
                rows = broad_rank(
                    candidates, plan, mode=mode, limit=limit, offset=offset, pinned=pinned, weights=weights
                )
                return rows, total
            base = (
                f"FROM search_fts JOIN search_searchentry e ON e.id = search_fts.rowid WHERE search_fts MATCH %s{where}"
            )
            score = (
                f"-bm25(search_fts, {TITLE_WEIGHT}, {KEYWORDS_WEIGHT}, {BODY_WEIGHT}) * e.rank_weight"
                f" + CASE WHEN e.law_key = %s THEN {LAW_BOOST} ELSE 0 END"
                f" + CASE WHEN e.article_number = %s THEN {ARTICLE_BOOST} ELSE 0 END" + pinned_sql(pinned)
            )
            cursor.execute(
                f"SELECT e.id, {score} AS score {base} ORDER BY score DESC, e.id LIMIT %s OFFSET %s",
                [plan.law_key or None, plan.article_number, expression, *params, limit, offset],
            )
            return [(int(r[0]), float(r[1])) for r in cursor.fetchall()], total

    @staticmethod
    def _entries(cursor: Any) -> int:
        cursor.execute("SELECT COALESCE(max(rowid), 0) FROM search_fts")
        return int(cursor.fetchone()[0])

    @staticmethod
    def _recent(cursor: Any, matches: str, params: list[Any], entries: int) -> list[int]:
        """The newest CANDIDATE_TIER matches among the RECENT_WINDOW newest entries (FTS5 walks its document lists
        backwards from the end and stops at the LIMIT)."""
        cursor.execute(
            f"SELECT search_fts.rowid {matches} AND search_fts.rowid > %s"
            f" ORDER BY search_fts.rowid DESC LIMIT {CANDIDATE_TIER}",
            [*params, entries - RECENT_WINDOW],
        )
        return [int(r[0]) for r in cursor.fetchall()]

    def fuzzy_titles(self, plan: Plan, filters: Filters, *, limit: int) -> list[tuple[int, float]]:
        # SQLite has no trigram similarity; the typo-tolerant fallback is a PostgreSQL feature.
        return []


def _tokens(plan: Plan) -> set[str]:
    return {token for group in plan.groups for alternative in group.alternatives for token in alternative}


def _group_weights(plan: Plan, common: dict[str, int], *, entries: int) -> list[float]:
    """BM25's inverse document frequency of each word of the query (its commonest alternative); a word not in the
    common list is counted as held by half the threshold."""
    weights = []
    for group in plan.groups:
        documents = max(common.get(token, COMMON_DOCUMENTS // 2) for alt in group.alternatives for token in alt)
        documents = min(documents, max(entries, 1))
        weights.append(math.log(1 + (entries - documents + 0.5) / (documents + 0.5)))
    return weights
