"""SQLite FTS5 (the embedded default). Ranking: BM25 with title words weighted 4x and keywords (law title, headings,
tags) 1.5x over body words, plus law and article boosts."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from weiyuan.search.backends.base import COUNT_CAP, Filters, Mode, pinned_sql
from weiyuan.search.plan import Plan

TITLE_WEIGHT, KEYWORDS_WEIGHT, BODY_WEIGHT = 4.0, 1.5, 1.0
LAW_BOOST, ARTICLE_BOOST = 4.0, 8.0


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

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")

    def query(
        self, plan: Plan, filters: Filters, *, mode: Mode, limit: int, offset: int, pinned: Sequence[int] = ()
    ) -> tuple[list[tuple[int, float]], int]:
        expression = match_expression(plan, mode)
        where, params = filters.sql()
        base = f"FROM search_fts JOIN search_searchentry e ON e.id = search_fts.rowid WHERE search_fts MATCH %s{where}"
        score = (
            f"-bm25(search_fts, {TITLE_WEIGHT}, {KEYWORDS_WEIGHT}, {BODY_WEIGHT}) * e.rank_weight"
            f" + CASE WHEN e.law_key = %s THEN {LAW_BOOST} ELSE 0 END"
            f" + CASE WHEN e.article_number = %s THEN {ARTICLE_BOOST} ELSE 0 END" + pinned_sql(pinned)
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.id, {score} AS score {base} ORDER BY score DESC, e.id LIMIT %s OFFSET %s",
                [plan.law_key or None, plan.article_number, expression, *params, limit, offset],
            )
            rows = [(int(r[0]), float(r[1])) for r in cursor.fetchall()]
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 {base} LIMIT {COUNT_CAP})", [expression, *params])  # noqa: S608
            total = int(cursor.fetchone()[0])
        return rows, total

    def fuzzy_titles(self, plan: Plan, filters: Filters, *, limit: int) -> list[tuple[int, float]]:
        # SQLite has no trigram similarity; the typo-tolerant fallback is a PostgreSQL feature.
        return []
