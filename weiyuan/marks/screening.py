"""Screening: which marks on the register look or sound like this one, ranked and explained.

Three steps, never a scan of the register:
1. plan: the query's keys (query_keys: its index keys, skeleton and one-letter deletions crossed) with how many
   marks have each (MarkKeyStat, one query); keys nobody has are dropped, the rarest are taken first until about
   POSTINGS_BUDGET postings would be read, and each taken key weighs its kind's weight (index.KIND_WEIGHTS)
   times its rarity (log of marks / marks with the key).
   A copycat shares its rare keys with its original (a bigram, the whole pinyin, a skeleton), so the common keys
   (a frequent character, component or trigram) add little but cost most of the reading;
2. candidates: the marks sharing the most weight with the query, at most `cap` (one GROUP BY query joining the
   index to the planned keys); with classes, CLASS_OVERFETCH times as many are ranked and those with none of the
   classes are dropped when they are loaded;
3. reranking: each candidate is scored with score.compare_marks and the best `limit` are returned with the
   reasons, and goods closeness (score.goods_closeness) beside the score when classes are given, never mixed in.

Three queries per screening, whatever the register size.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from weiyuan.marks.index import KIND_SKELETON, KIND_SKELETON_DELETE, KIND_WEIGHTS, STAT_MARKS, Key, mark_keys
from weiyuan.marks.models import NICE_CLASS_COUNT, Mark, MarkKey, MarkKeyStat, MarkStatus
from weiyuan.marks.normalise import MarkTextError, NormalisedMark, normalise_mark
from weiyuan.marks.score import Comparison, GoodsCloseness, compare_marks, goods_closeness

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
# Marks taken from the index for reranking. compare_marks costs about 0.2 ms a candidate (warm), so this bounds
# the time of one screening; copycats share their rarest keys with their original and rank far above this cut.
CANDIDATES = 60
# With a class filter, this many times the cap are ranked, as the filter applies when the candidates are loaded.
CLASS_OVERFETCH = 4
# About how many postings (key, mark) one screening reads at most: the common keys of a query are left out.
POSTINGS_BUDGET = 10_000
# Weights go to SQL as integers: this many units per kind weight point.
WEIGHT_SCALE = 100


class ScreenInputError(ValueError):
    """Bad screening input; `field` names the input (mark, class, limit)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Hit:
    mark: Mark
    comparison: Comparison
    goods: GoodsCloseness | None

    @property
    def score(self) -> float:
        return self.comparison.score

    @property
    def similar(self) -> bool:
        return self.comparison.similar

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.mark.text,
            "number": self.mark.number,
            "classes": list(self.mark.classes),
            "owner": self.mark.owner,
            "status": self.mark.status,
            "status_label": str(MarkStatus(self.mark.status).label),
            "score": self.score,
            "similar": self.similar,
            "reasons": [reason.as_dict() for reason in self.comparison.reasons],
        }
        if self.goods is not None:
            out["goods"] = self.goods.as_dict()
        return out


@dataclass(frozen=True)
class Screening:
    query: NormalisedMark
    classes: tuple[int, ...]
    candidates: int  # how many marks the index offered for reranking
    hits: tuple[Hit, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "mark": self.query.original,
            "normalised": self.query.text,
            "classes": list(self.classes),
            "candidates": self.candidates,
            "hits": [hit.as_dict() for hit in self.hits],
        }


def check_classes(classes: Sequence[Any], *, field: str = "class") -> tuple[int, ...]:
    out: list[int] = []
    for value in classes:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= NICE_CLASS_COUNT:
            raise ScreenInputError(field, _("未知的尼斯分类号：%(value)s（应为 1-45）") % {"value": value})
        out.append(number)
    return tuple(sorted(set(out)))


def check_limit(limit: Any, *, field: str = "limit") -> int:
    try:
        number = int(limit)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= MAX_LIMIT:
        raise ScreenInputError(field, _("返回条数应为 1 到 %(max)d 之间的整数。") % {"max": MAX_LIMIT})
    return number


def query_keys(normalised: str) -> set[Key]:
    """The keys a query looks up: its own index keys, and its skeleton against the marks' one-letter deletions and
    its deletions against their skeletons, so that one letter added or dropped is found (Yaoqiu / Yaoqi), not
    only one letter changed (NIKE / NIKF, deletion against deletion)."""
    keys = mark_keys(normalised)
    crossed = {(KIND_SKELETON_DELETE, key) for kind, key in keys if kind == KIND_SKELETON}
    crossed |= {(KIND_SKELETON, key) for kind, key in keys if kind == KIND_SKELETON_DELETE}
    return keys | crossed


@dataclass(frozen=True)
class PlannedKey:
    kind: str
    key: str
    marks: int  # how many marks have it
    weight: int


def plan_keys(keys: set[Key], *, budget: int = POSTINGS_BUDGET) -> list[PlannedKey]:
    """The keys worth reading, rarest first, with their weights (see the module docstring); one query."""
    wanted = sorted(k for k in keys if k[0] in KIND_WEIGHTS)
    if not wanted:
        return []
    match = Q(kind=STAT_MARKS[0], key=STAT_MARKS[1])
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, key in wanted:
        by_kind[kind].append(key)
    for kind, values in by_kind.items():
        match |= Q(kind=kind, key__in=values)
    counts = {(kind, key): n for kind, key, n in MarkKeyStat.objects.filter(match).values_list("kind", "key", "marks")}
    total = max(counts.pop(STAT_MARKS, 0), 1)
    present = sorted((n, kind, key) for (kind, key), n in counts.items() if n > 0)
    planned: list[PlannedKey] = []
    read = 0
    for n, kind, key in present:
        if planned and read + n > budget:
            break
        read += n
        rarity = math.log(1 + total / n)
        planned.append(PlannedKey(kind, key, n, max(1, round(KIND_WEIGHTS[kind] * rarity * WEIGHT_SCALE))))
    return planned


def candidate_ids(planned: Sequence[PlannedKey], *, cap: int = CANDIDATES) -> list[int]:
    """The ids of the marks sharing the most weight with the planned keys, best first; one query."""
    if not planned:
        return []
    table = connection.ops.quote_name(MarkKey._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(planned))
    sql = (
        f"SELECT k.mark_id FROM {table} k JOIN (VALUES {values}) AS w "  # noqa: S608 - table name from the model
        "ON k.kind = w.column1 AND k.key = w.column2 "
        "GROUP BY k.mark_id ORDER BY SUM(w.column3) DESC, k.mark_id LIMIT %s"
    )
    params: list[Any] = [v for p in planned for v in (p.kind, p.key, p.weight)]
    params.append(cap)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def screen_mark(
    text: str, *, classes: Sequence[Any] = (), limit: Any = DEFAULT_LIMIT, cap: int = CANDIDATES
) -> Screening:
    """Rank the register's marks by resemblance to `text` (see the module docstring). ScreenInputError names the
    bad input: mark (empty, punctuation only, too long), class (not 1-45), limit (not 1-MAX_LIMIT)."""
    try:
        query = normalise_mark(text, field="mark")
    except MarkTextError as error:
        raise ScreenInputError(error.field, error.message) from error
    wanted = check_classes(classes)
    top = check_limit(limit)
    planned = plan_keys(query_keys(query.text))
    ids = candidate_ids(planned, cap=cap * CLASS_OVERFETCH if wanted else cap)
    rank = {mark_id: i for i, mark_id in enumerate(ids)}
    marks = sorted(
        Mark.objects.filter(pk__in=ids).only(
            "id", "text", "normalised", "number", "classes", "groups", "owner", "status"
        ),
        key=lambda m: rank[m.pk],
    )
    if wanted:
        marks = [m for m in marks if set(m.classes) & set(wanted)][:cap]
    hits: list[Hit] = []
    for mark in marks:
        try:
            other = normalise_mark(mark.text, field="b")
        except MarkTextError:  # not on a register written by tm_import; skipped rather than failing the query
            continue
        comparison = compare_marks(query, other)
        goods = goods_closeness(wanted, mark.classes) if wanted else None
        hits.append(Hit(mark=mark, comparison=comparison, goods=goods))
    hits.sort(key=lambda hit: (-hit.score, hit.mark.number))
    return Screening(query=query, classes=wanted, candidates=len(marks), hits=tuple(hits[:top]))
