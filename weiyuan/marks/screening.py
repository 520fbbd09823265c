"""Screening: which marks on the register look or sound like this one, ranked and explained.

Two steps, never a scan of the register:
1. candidates: the query's index keys (index.mark_keys) are looked up in MarkKey; the marks sharing most keys,
   each shared key weighted by its kind (index.KIND_WEIGHTS), are taken, at most `candidates` of them
   (one GROUP BY query; the optional Nice class filter is a semi-join on the marks' class keys);
2. reranking: each candidate is scored with score.compare_marks and the best `limit` are returned with the
   reasons, and goods closeness (score.goods_closeness) beside the score when classes are given, never mixed in.

Two queries per screening, whatever the register size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, Sum, Value, When
from django.utils.translation import gettext as _

from weiyuan.marks.index import KIND_CLASS, KIND_WEIGHTS, Key, mark_keys
from weiyuan.marks.models import NICE_CLASS_COUNT, Mark, MarkKey, MarkStatus
from weiyuan.marks.normalise import MarkTextError, NormalisedMark, normalise_mark
from weiyuan.marks.score import Comparison, GoodsCloseness, compare_marks, goods_closeness

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
# Marks taken from the index for reranking. compare_marks costs about 0.6 ms a pair (warm), so this bounds the
# time of one screening; copycats share many keys with their original and rank far above this cut.
CANDIDATES = 300


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


def candidate_ids(keys: set[Key], classes: Sequence[int] = (), *, cap: int = CANDIDATES) -> list[int]:
    """The ids of the marks sharing most (weighted) keys with `keys`, best first; one query."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, key in keys:
        if kind in KIND_WEIGHTS:
            by_kind[kind].append(key)
    if not by_kind:
        return []
    match = Q()
    for kind, values in sorted(by_kind.items()):
        match |= Q(kind=kind, key__in=sorted(values))
    weight = Case(
        *(When(kind=kind, then=Value(KIND_WEIGHTS[kind])) for kind in sorted(by_kind)),
        default=Value(0),
        output_field=IntegerField(),
    )
    postings = MarkKey.objects.filter(match)
    if classes:
        in_class = MarkKey.objects.filter(kind=KIND_CLASS, key__in=[str(n) for n in classes]).values("mark_id")
        postings = postings.filter(mark_id__in=in_class)
    ranked = postings.values("mark_id").annotate(weight=Sum(weight)).order_by("-weight", "mark_id")[:cap]
    return [row["mark_id"] for row in ranked]


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
    ids = candidate_ids(mark_keys(query.text), wanted, cap=cap)
    marks = Mark.objects.filter(pk__in=ids).only(
        "id", "text", "normalised", "number", "classes", "groups", "owner", "status"
    )
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
    return Screening(query=query, classes=wanted, candidates=len(ids), hits=tuple(hits[:top]))
