"""PostgreSQL: a tsvector per entry built from our own segmented, normalised words (no parser in between), a GIN
index over it, ts_rank with title words at weight A; pg_trgm on the normalised title for the typo fallback."""

from __future__ import annotations

from collections.abc import Sequence

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
        # Without filters the word index alone answers counts and candidates (no lookup of each entry row).
        matches = (
            f"FROM search_vector v JOIN search_searchentry e ON e.id = v.entry_id WHERE v.vector @@ %s::tsquery{where}"
            if where
            else "FROM search_vector v WHERE v.vector @@ %s::tsquery"
        )
        with connection.cursor() as cursor:
            # Matches in table order, stopped at COUNT_CAP (no ORDER BY: sorting would read every match): the whole
            # set for a narrow query, the oldest candidates for a broad one.
            cursor.execute(f"SELECT v.entry_id {matches} LIMIT {COUNT_CAP}", [query, *params])
            first = [int(r[0]) for r in cursor.fetchall()]
            total = len(first)
            if total >= COUNT_CAP:
                # The newest entries walked backwards on the primary key, RECENT_WINDOW at most, each checked: a
                # second GIN scan would rebuild the bitmap of every match of a common word (tens of ms).
                recent = (
                    "SELECT v.entry_id FROM (SELECT entry_id, vector FROM search_vector ORDER BY entry_id DESC"  # noqa: S608
                    f" LIMIT {RECENT_WINDOW}) v"
                )
                if where:
                    recent += " JOIN search_searchentry e ON e.id = v.entry_id"
                cursor.execute(
                    f"{recent} WHERE v.vector @@ %s::tsquery{where} ORDER BY v.entry_id DESC LIMIT {CANDIDATE_TIER}",
                    [query, *params],
                )
                candidates = first[:CANDIDATE_TIER] + [int(r[0]) for r in cursor.fetchall()]
                rows = broad_rank(candidates, plan, mode=mode, limit=limit, offset=offset, pinned=pinned)
                return rows, total
            if not first:
                return [], 0
            score = (
                f"ts_rank('{RANK_WEIGHTS}', v.vector, %s::tsquery, 1) * e.rank_weight * {RANK_SCALE}"
                f" + CASE WHEN e.law_key = %s THEN {LAW_BOOST * RANK_SCALE} ELSE 0 END"
                f" + CASE WHEN e.article_number = %s THEN {ARTICLE_BOOST * RANK_SCALE} ELSE 0 END" + pinned_sql(pinned)
            )
            cursor.execute(
                f"SELECT e.id, {score} AS score FROM search_vector v JOIN search_searchentry e ON e.id = v.entry_id"  # noqa: S608
                " WHERE v.entry_id = ANY(%s) ORDER BY score DESC, e.id LIMIT %s OFFSET %s",
                [query, plan.law_key or None, plan.article_number, first, limit, offset],
            )
            return [(int(r[0]), float(r[1])) for r in cursor.fetchall()], total

    def fuzzy_titles(self, plan: Plan, filters: Filters, *, limit: int) -> list[tuple[int, float]]:
        where, params = filters.sql()
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_limit(%s)", [FUZZY_THRESHOLD])
            head = "SELECT e.id, similarity(e.title_normalised, %s) AS s FROM search_searchentry e"
            sql = f"{head} WHERE e.title_normalised %% %s{where} ORDER BY s DESC, e.id LIMIT %s"
            cursor.execute(sql, [plan.normalised, plan.normalised, *params, limit])
            return [(int(r[0]), float(r[1])) for r in cursor.fetchall()]
