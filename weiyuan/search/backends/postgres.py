"""PostgreSQL: a tsvector per entry built from our own segmented, normalised words (no parser in between), a GIN
index over it, ts_rank with title words at weight A; pg_trgm on the normalised title for the typo fallback."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from weiyuan.search.backends.base import COUNT_CAP, Filters, Mode, pinned_sql
from weiyuan.search.plan import Plan

MAX_POSITION = 16383  # PostgreSQL's limit for lexeme positions
LAW_BOOST, ARTICLE_BOOST = 0.4, 0.8
RANK_SCALE = 10.0
FUZZY_THRESHOLD = 0.3


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


# ts_rank weights for D (body), C (unused), B (keywords), A (title): the title counts most, keywords above body.
RANK_WEIGHTS = "{0.25, 0.3, 0.4, 1.0}"


def tsvector_literal(title_words: str, keyword_words: str, body_words: str) -> str:
    """`'专利':1A '侵权':2A,7 ...` — title words weight A, keywords B, body words the default weight D."""
    positions: dict[str, list[str]] = {}
    position = 0
    for weight, words in (("A", title_words), ("B", keyword_words), ("", body_words)):
        for token in words.split():
            position = min(position + 1, MAX_POSITION)
            positions.setdefault(token, []).append(f"{position}{weight}")
    return " ".join(f"{_lexeme(token)}:{','.join(p[:256])}" for token, p in positions.items())


def tsquery_literal(plan: Plan, mode: Mode) -> str:
    groups = []
    for group in plan.groups:
        alternatives = [
            _lexeme(alt[0]) if len(alt) == 1 else "(" + " & ".join(_lexeme(t) for t in alt) + ")"
            for alt in group.alternatives
        ]
        groups.append("(" + " | ".join(alternatives) + ")")
    return (" & " if mode == Mode.ALL else " | ").join(groups)


class PostgresBackend:
    def write(self, rows: Sequence[tuple[int, str, str, str]]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_vector (entry_id, vector) VALUES (%s, %s::tsvector)"
                " ON CONFLICT (entry_id) DO UPDATE SET vector = EXCLUDED.vector",
                [(entry_id, tsvector_literal(title, keywords, body)) for entry_id, title, keywords, body in rows],
            )

    def delete(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_vector WHERE entry_id = ANY(%s)", [list(ids)])

    def optimize(self) -> None:
        # Fresh statistics after bulk loads, so the planner sees how selective the words are.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_vector")
            cursor.execute("ANALYZE search_searchentry")

    def clear(self) -> None:
        with connection.cursor() as cursor:
            # DELETE, not TRUNCATE: the foreign key is deferred and rows written earlier in the same transaction
            # would block a TRUNCATE.
            cursor.execute("DELETE FROM search_vector")

    def query(
        self, plan: Plan, filters: Filters, *, mode: Mode, limit: int, offset: int, pinned: Sequence[int] = ()
    ) -> tuple[list[tuple[int, float]], int]:
        where, params = filters.sql()
        query = tsquery_literal(plan, mode)
        base = (
            f"FROM search_vector v JOIN search_searchentry e ON e.id = v.entry_id WHERE v.vector @@ %s::tsquery{where}"
        )
        score = (
            f"ts_rank('{RANK_WEIGHTS}', v.vector, %s::tsquery, 1) * e.rank_weight * {RANK_SCALE}"
            f" + CASE WHEN e.law_key = %s THEN {LAW_BOOST * RANK_SCALE} ELSE 0 END"
            f" + CASE WHEN e.article_number = %s THEN {ARTICLE_BOOST * RANK_SCALE} ELSE 0 END" + pinned_sql(pinned)
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.id, {score} AS score {base} ORDER BY score DESC, e.id LIMIT %s OFFSET %s",
                [query, plan.law_key or None, plan.article_number, query, *params, limit, offset],
            )
            rows = [(int(r[0]), float(r[1])) for r in cursor.fetchall()]
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 {base} LIMIT {COUNT_CAP}) matched", [query, *params])  # noqa: S608
            total = int(cursor.fetchone()[0])
        return rows, total

    def fuzzy_titles(self, plan: Plan, filters: Filters, *, limit: int) -> list[tuple[int, float]]:
        where, params = filters.sql()
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_limit(%s)", [FUZZY_THRESHOLD])
            head = "SELECT e.id, similarity(e.title_normalised, %s) AS s FROM search_searchentry e"
            sql = f"{head} WHERE e.title_normalised %% %s{where} ORDER BY s DESC, e.id LIMIT %s"
            cursor.execute(sql, [plan.normalised, plan.normalised, *params, limit])
            return [(int(r[0]), float(r[1])) for r in cursor.fetchall()]
