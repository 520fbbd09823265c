"""Normalisation of trademark text before comparison: pure functions, no database.

Steps, in order: symbols ®/™/© dropped; NFKC (full-width Ａ１ -> A1, half-width katakana and compatibility forms);
case folding; OpenCC Traditional -> Simplified, character by character ("t2s": a mark is a sign, not a sentence,
so no Taiwan phrase rewriting such as 軟體 -> 软件); generic words set aside (牌, 商标, 有限公司, TM, ... from
data/generic_words.json); spaces and punctuation removed. What is left is the distinctive part that signals compare.

Bad input raises MarkTextError naming the field: empty text, text of only punctuation or symbols, text over
MAX_LENGTH characters.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import opencc
from django.utils.translation import gettext as _

DATA_DIR = Path(__file__).resolve().parent / "data"

# The longest mark text accepted, counted on the input after trimming. Word marks on the register are short
# (Chinese marks rarely exceed 10 characters, Latin ones 30); 60 leaves room for slogans and mixed marks while
# keeping every comparison (quadratic alignments) well under a millisecond.
MAX_LENGTH = 60

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_TOKEN_SPLIT = re.compile(r"[^\w]+|_+", re.UNICODE)
# Dropped before NFKC, which would turn ™ into the letters "tm" of the mark itself.
_SYMBOLS = str.maketrans("", "", "®™©℠℗")

_converter = opencc.OpenCC("t2s")


class MarkTextError(ValueError):
    """Mark text that cannot be compared; `field` names the input it came from."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class GenericWords:
    anywhere: tuple[str, ...]
    suffixes: tuple[str, ...]
    prefixes: tuple[str, ...]
    latin_tokens: frozenset[str]


@cache
def generic_words() -> GenericWords:
    raw = json.loads((DATA_DIR / "generic_words.json").read_text(encoding="utf-8"))
    # Longest first, so 有限责任公司 is removed whole before 公司 could be.
    by_length = lambda words: tuple(sorted(words, key=len, reverse=True))  # noqa: E731
    return GenericWords(
        anywhere=by_length(raw["anywhere"]),
        suffixes=by_length(raw["suffixes"]),
        prefixes=by_length(raw["prefixes"]),
        latin_tokens=frozenset(raw["latin_tokens"]),
    )


@dataclass(frozen=True)
class NormalisedMark:
    original: str
    text: str  # the distinctive part: Simplified, folded, no spaces, punctuation or generic words
    removed: tuple[str, ...]  # generic words set aside, in the order found
    han: str  # the Chinese characters of `text`, in order
    latin: str  # the Latin letters and digits of `text`, in order

    @property
    def kind(self) -> str:
        if self.han and self.latin:
            return "mixed"
        return "han" if self.han else "latin"


def is_han(char: str) -> bool:
    return bool(_HAN.fullmatch(char))


def fold(text: str) -> str:
    """Width, case and script folding without removing anything: NFKC, casefold, Traditional -> Simplified."""
    return _converter.convert(unicodedata.normalize("NFKC", text.translate(_SYMBOLS)).casefold())


def normalise_mark(text: str, *, field: str = "mark") -> NormalisedMark:
    """The comparable form of one mark's text; MarkTextError (naming `field`) for text that cannot be a mark."""
    if text is None or not str(text).strip():
        raise MarkTextError(field, _("商标文字不能为空。"))
    stripped = str(text).strip()
    if len(stripped) > MAX_LENGTH:
        raise MarkTextError(
            field,
            _("商标文字过长：%(length)d 个字符，最多 %(max)d 个。") % {"length": len(stripped), "max": MAX_LENGTH},
        )
    words = generic_words()
    folded = fold(stripped)
    removed: list[str] = []
    for word in words.anywhere:
        if word in folded:
            removed.append(word)
            folded = folded.replace(word, " ")
    tokens = [t for t in _TOKEN_SPLIT.split(folded) if t]
    if not tokens:
        if removed:
            # Nothing but generic words ("商标", "TM"): compare what was written rather than nothing.
            return _result(stripped, "".join(removed), ())
        raise MarkTextError(field, _("商标文字只有标点或符号，没有可比对的文字。"))
    kept = [t for t in tokens if t not in words.latin_tokens]
    if kept and len(kept) < len(tokens):
        removed.extend(t for t in tokens if t in words.latin_tokens)
        tokens = kept
    core = "".join(tokens)
    core, cut = _trim_affixes(core, words)
    removed.extend(cut)
    return _result(stripped, core, tuple(removed))


def _trim_affixes(core: str, words: GenericWords) -> tuple[str, list[str]]:
    cut: list[str] = []
    changed = core not in words.suffixes and core not in words.prefixes  # 品牌 alone is the mark, not a suffix
    while changed:
        changed = False
        for suffix in words.suffixes:
            if core.endswith(suffix) and len(core) > len(suffix):
                core, changed = core[: -len(suffix)], True
                cut.append(suffix)
                break
        for prefix in words.prefixes:
            if core.startswith(prefix) and len(core) > len(prefix):
                core, changed = core[len(prefix) :], True
                cut.append(prefix)
                break
    return core, cut


def _result(original: str, core: str, removed: tuple[str, ...]) -> NormalisedMark:
    han = "".join(_HAN.findall(core))
    latin = _HAN.sub("", core) if core.isalnum() else "".join(c for c in _HAN.sub("", core) if c.isalnum())
    return NormalisedMark(original=original, text=core, removed=removed, han=han, latin=latin)
