"""Punctuation that follows the active language.

Chinese text uses full-width marks ("受理期限：3 天（还剩 2 天）", "专利、商标"); in English they read as stray
characters ("Deadline：3 days（2 days left）"). Marks inside a translated string are the translator's business;
these helpers are for the marks that join translated labels to data or to other strings in code and templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import get_language


def english() -> bool:
    return (get_language() or "").startswith("en")


def colon() -> str:
    """Between a label and its value: "受理期限：…" / "Deadline: …"."""
    return ": " if english() else "："


def list_comma() -> str:
    """Between the items of a list (顿号): "专利、商标" / "patent, trademark"."""
    return ", " if english() else "、"


def comma() -> str:
    """Between the parts of a sentence (逗号): "暂停中，剩余 3 天" / "paused, 3 days left"."""
    return ", " if english() else "，"


def full_stop() -> str:
    """The end of a sentence that another sentence follows: "…。…" / "…. …"."""
    return ". " if english() else "。"


def clause_separator() -> str:
    """Between whole messages or clauses: "…；…" / "…; …"."""
    return "; " if english() else "；"


def labelled(label: Any, value: Any) -> str:
    """ "label：value" in Chinese, "label: value" in English."""
    return f"{label}{colon()}{value}"


def parenthesised(text: Any) -> str:
    """ "（text）" in Chinese; " (text)" in English, where the bracket is set off by a space."""
    return f" ({text})" if english() else f"（{text}）"


def join_list(items: Iterable[Any]) -> str:
    return list_comma().join(str(item) for item in items)


def join_clauses(items: Iterable[Any]) -> str:
    return clause_separator().join(str(item) for item in items)
