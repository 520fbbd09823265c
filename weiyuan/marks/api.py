"""Trademark screening and comparison in the REST API (tag "marks"): read-only, for any signed-in caller
(weiyuan/access/marks.py). Bad input is a 422 naming the field (mark, class, limit, a, b).

No `from __future__ import annotations`: django-ninja resolves the annotations of decorated views at import time.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from weiyuan.access.marks import MarksPermission, marks_decide
from weiyuan.api.schemas import DetailOut, ValidationErrorOut
from weiyuan.marks.normalise import MarkTextError
from weiyuan.marks.score import compare_marks, weights
from weiyuan.marks.screening import DEFAULT_LIMIT, ScreenInputError, screen_mark

router = Router(tags=["marks"])

ERRORS = {401: DetailOut, 403: DetailOut}
INVALID = {422: ValidationErrorOut}


class ReasonOut(Schema):
    code: str
    score: float
    text: str
    params: dict[str, Any]


class GoodsOut(Schema):
    same_class: bool
    same_group: bool
    shared_classes: list[int]
    shared_groups: list[str]


class HitOut(Schema):
    text: str
    number: str
    classes: list[int]
    owner: str
    status: str
    status_label: str
    score: float
    similar: bool
    reasons: list[ReasonOut]
    goods: GoodsOut | None = None


class ScreenOut(Schema):
    mark: str
    normalised: str
    classes: list[int]
    candidates: int
    hits: list[HitOut]


class CompareOut(Schema):
    a: str
    b: str
    normalised: list[str]
    score: float
    similar: bool
    threshold: float
    reasons: list[ReasonOut]


def _allow(request: HttpRequest, permission: MarksPermission) -> None:
    decision = marks_decide(request.auth, permission)  # type: ignore[attr-defined]
    if not decision:
        raise PermissionDenied(decision.reason)


@router.get("/screen", response={200: ScreenOut, **ERRORS, **INVALID}, url_name="marks_screen")
def screen(request: HttpRequest, mark: str = "", limit: str = str(DEFAULT_LIMIT)) -> dict[str, Any]:
    """Marks on the register that look or sound like `mark`, best first (score 0-1, similar from the threshold,
    reasons in the request's language). `class` (repeatable, 1-45) keeps marks in those Nice classes and adds
    goods closeness beside the score; `limit` 1-100 (default 10)."""
    _allow(request, MarksPermission.SCREEN)
    try:
        result = screen_mark(mark, classes=request.GET.getlist("class"), limit=limit)
    except ScreenInputError as error:
        raise DjangoValidationError({error.field: [error.message]}) from error
    return result.as_dict()


@router.get("/compare", response={200: CompareOut, **ERRORS, **INVALID}, url_name="marks_compare")
def compare(request: HttpRequest, a: str = "", b: str = "") -> dict[str, Any]:
    """Score how alike two marks are (0-1), whether that reaches the threshold, and why."""
    _allow(request, MarksPermission.COMPARE)
    try:
        comparison = compare_marks(a, b)
    except MarkTextError as error:
        raise DjangoValidationError({error.field: [error.message]}) from error
    out = comparison.as_dict()
    out["threshold"] = weights().threshold
    return out
