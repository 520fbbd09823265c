"""The trademark check of a complaint at a fair against the register of `weiyuan.marks` (issue #8).

When a complaint rests on a trademark, its registration number is looked up in the register (`marks.Mark`): is it
there, is it registered and in force on the complaint date (status and term), does the registrant match the right
owner named in the complaint (compared as company names, `importing.company_key`), which Nice classes it covers.
When the sign the exhibitor uses is given (`Complaint.accused_mark`), the #8 similarity engine
(`marks.score.compare_marks`, as the trademark comparison of `weiyuan/opinions` uses it) scores it against the
registered mark (or, when the register has no such number, against the mark named in the complaint).

The result is recorded on the complaint and shown to the station's staff and the experts on duty. It never blocks
filing: the register holds public extracts and may be incomplete, so "not found" is a prompt to check the
certificate, not a refusal. The reasons are stored as codes and parameters and rendered in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weiyuan.exhibitions.importing import company_key
from weiyuan.marks.models import Mark, MarkStatus
from weiyuan.marks.normalise import MarkTextError
from weiyuan.marks.score import compare_marks
from weiyuan.marks.signals import Reason

ENGINE = "weiyuan.marks"

# Problems in order of weight; the first one found is the status (FOUND when there is none).
NOT_FOUND = "not_found"
EXPIRED = "expired"
NOT_REGISTERED = "not_registered"
OWNER_DIFFERS = "owner_differs"
FOUND = "found"

PROBLEM_TEXTS: dict[str, Promise] = {
    NOT_FOUND: _("商标注册簿中没有该注册号（注册簿可能不完整，请核对注册证）。"),
    EXPIRED: _("注册簿记载该商标已过期或已无效。"),
    NOT_REGISTERED: _("注册簿记载该商标仅已申请，尚未核准注册。"),
    OWNER_DIFFERS: _("注册簿记载的注册人与投诉中的权利人不一致。"),
}


def registration_key(number: str) -> str:
    """The number as the register spells it: NFKC, no spaces, upper case, without 第 … 号 around it."""
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", number or "")).upper()
    value = value.removeprefix("第").removesuffix("号")
    return value.removesuffix("號")


@dataclass(frozen=True)
class Similarity:
    registered_mark: str
    accused_mark: str
    score: float
    similar: bool
    identical: bool
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "registered_mark": self.registered_mark,
            "accused_mark": self.accused_mark,
            "score": self.score,
            "similar": self.similar,
            "identical": self.identical,
            "reasons": [{"code": r.code, "score": r.score, "params": r.params} for r in self.reasons],
            "engine": ENGINE,
        }


def similarity(registered_mark: str, accused_mark: str) -> Similarity | None:
    """The engine's score of the two marks; None when either has nothing to compare (empty, only punctuation)."""
    if not registered_mark.strip() or not accused_mark.strip():
        return None
    try:
        comparison = compare_marks(registered_mark, accused_mark)
    except MarkTextError:
        return None
    return Similarity(
        registered_mark=registered_mark,
        accused_mark=accused_mark,
        score=comparison.score,
        similar=comparison.similar,
        identical=bool(comparison.features.get("identical")),
        reasons=tuple(comparison.reasons),
    )


def _register_entry(mark: Mark) -> dict[str, Any]:
    return {
        "number": mark.number,
        "text": mark.text,
        "owner": mark.owner,
        "classes": list(mark.classes or []),
        "status": mark.status,
        "registered_on": mark.registered_on.isoformat() if mark.registered_on else None,
        "expires_on": mark.expires_on.isoformat() if mark.expires_on else None,
    }


def trademark_check(
    *, right_number: str, right_owner: str, right_title: str, accused_mark: str, on: dt.date
) -> dict[str, Any]:
    """The check as recorded on the complaint (JSON): status, problems, the register's entry, the similarity."""
    key = registration_key(right_number)
    spellings = {key, (right_number or "").strip()} - {""}
    mark = Mark.objects.filter(number__in=spellings).order_by("number").first() if spellings else None
    problems: list[str] = []
    register = None
    if mark is None:
        problems.append(NOT_FOUND)
    else:
        register = _register_entry(mark)
        expired = mark.status in (MarkStatus.EXPIRED, MarkStatus.INVALID) or (
            mark.expires_on is not None and mark.expires_on < on
        )
        if expired:
            problems.append(EXPIRED)
        elif mark.status == MarkStatus.APPLIED:
            problems.append(NOT_REGISTERED)
        if mark.owner.strip() and company_key(mark.owner) != company_key(right_owner):
            problems.append(OWNER_DIFFERS)
    compared_with = mark.text if mark is not None else (right_title or "").strip()
    found = similarity(compared_with, accused_mark or "")
    return {
        "status": problems[0] if problems else FOUND,
        "problems": problems,
        "number": key,
        "on": on.isoformat(),
        "checked_at": timezone.now().isoformat(),
        "register": register,
        "similarity": found.as_dict() if found else None,
    }


def reason_texts(check: dict[str, Any]) -> list[str]:
    """The similarity reasons of a recorded check, in the active language."""
    sim = check.get("similarity") or {}
    texts = []
    for item in sim.get("reasons") or []:
        try:
            texts.append(Reason(item["code"], float(item.get("score", 0)), dict(item.get("params") or {})).text())
        except (KeyError, TypeError, ValueError):
            continue
    return texts


def problem_texts(check: dict[str, Any]) -> list[str]:
    return [str(PROBLEM_TEXTS[p]) for p in check.get("problems") or [] if p in PROBLEM_TEXTS]
