"""Reads of the trademark reference data: the Nice class headings and the similar-group names.

Both are public reference data (weiyuan/access/marks.py lets any signed-in account screen against them), so the
reads are not scoped by the acting user. Each answers in one query, in the active language: the English heading
or name when the interface is in English and one is known, the Chinese one otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import translation

from weiyuan.marks.models import NiceClass, SimilarGroup


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def nice_headings() -> dict[int, str]:
    """Nice class number -> its short heading, for the 45 classes; one query."""
    english = _english()
    return {
        number: (heading_en if english and heading_en else heading_zh)
        for number, heading_zh, heading_en in NiceClass.objects.values_list("number", "heading_zh", "heading_en")
    }


def group_names(codes: Iterable[str]) -> dict[str, str]:
    """Similar-group code -> name for the codes that are on the imported table (unknown codes are left out);
    one query, none when there are no codes."""
    wanted = sorted({code for code in codes if code})
    if not wanted:
        return {}
    english = _english()
    return {
        code: (name_en if english and name_en else name_zh)
        for code, name_zh, name_en in SimilarGroup.objects.filter(code__in=wanted).values_list(
            "code", "name_zh", "name_en"
        )
    }
