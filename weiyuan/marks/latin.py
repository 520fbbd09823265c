"""Latin look-alikes: a visual skeleton (rn -> m, 0 -> o, 1/i/l -> l) and an edit distance in which swapping a
letter for a look-alike (d/b, E/F) costs less than for any other letter, and two neighbours swapped (iPhnoe) count
as one cheap edit. Data in data/latin_confusables.json. Pure functions."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

SWAP_COST = 0.6
GAP_COST = 1.0


@dataclass(frozen=True)
class Confusables:
    sequences: tuple[tuple[str, str], ...]
    same: dict[str, str]
    pairs: dict[frozenset[str], float]
    upper_pairs: dict[frozenset[str], float]


@cache
def confusables() -> Confusables:
    raw = json.loads((DATA_DIR / "latin_confusables.json").read_text(encoding="utf-8"))
    return Confusables(
        sequences=tuple(sorted(raw["sequences"].items(), key=lambda kv: -len(kv[0]))),
        same=dict(raw["same"]),
        pairs={frozenset((a, b)): float(w) for a, b, w in raw["pairs"]},
        upper_pairs={frozenset((a, b)): float(w) for a, b, w in raw["upper_pairs"]},
    )


@dataclass(frozen=True)
class Skeleton:
    text: str
    rewrites: tuple[tuple[str, str], ...]  # (written, read as), e.g. ("rn", "m")


def skeleton(latin: str) -> Skeleton:
    """Letters and digits (already case-folded) rewritten to the shape they are read as."""
    data = confusables()
    out: list[str] = []
    rewrites: list[tuple[str, str]] = []
    i = 0
    while i < len(latin):
        for seq, letter in data.sequences:
            if latin.startswith(seq, i):
                out.append(letter)
                rewrites.append((seq, letter))
                i += len(seq)
                break
        else:
            char = latin[i]
            mapped = data.same.get(char, char)
            if mapped != char:
                rewrites.append((char, mapped))
            out.append(mapped)
            i += 1
    return Skeleton("".join(out), tuple(rewrites))


def cased_letters(original: str) -> str:
    """The Latin letters and digits of a text as written (upper case kept), for the upper-case look-alikes."""
    return "".join(c for c in unicodedata.normalize("NFKC", original) if c.isascii() and c.isalnum())


@dataclass(frozen=True)
class LatinMatch:
    similarity: float  # 1 - weighted distance / longer length
    distance: float
    look_alikes: tuple[tuple[str, str], ...] = ()  # letters substituted by a look-alike
    swaps: tuple[tuple[str, str], ...] = ()  # neighbours swapped ("no", "on")
    other_edits: int = 0
    rewrites: tuple[tuple[str, str], ...] = field(default=())


def _substitution(x: str, y: str, cx: str, cy: str) -> float:
    if x == y:
        return 0.0
    data = confusables()
    weight = data.pairs.get(frozenset((x, y)), 0.0)
    if cx and cy:
        weight = max(weight, data.upper_pairs.get(frozenset((cx, cy)), 0.0))
    return 1.0 - weight


def compare_latin(a: str, b: str, *, cased_a: str = "", cased_b: str = "") -> LatinMatch:
    """Weighted optimal-string-alignment distance between the skeletons of two folded Latin strings."""
    sa, sb = skeleton(a), skeleton(b)
    s, t = sa.text, sb.text
    # Upper-case forms line up with the skeleton only when nothing was rewritten; otherwise they are not used.
    ua = cased_a.upper() if cased_a.isupper() and len(cased_a) == len(s) else ""
    ub = cased_b.upper() if cased_b.isupper() and len(cased_b) == len(t) else ""
    n, m = len(s), len(t)
    if not n or not m:
        return LatinMatch(0.0, float(max(n, m)))
    d = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        d[i][0] = i * GAP_COST
    for j in range(1, m + 1):
        d[0][j] = j * GAP_COST
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            sub = _substitution(s[i - 1], t[j - 1], ua[i - 1] if ua else "", ub[j - 1] if ub else "")
            best = min(d[i - 1][j] + GAP_COST, d[i][j - 1] + GAP_COST, d[i - 1][j - 1] + sub)
            if i > 1 and j > 1 and s[i - 1] == t[j - 2] and s[i - 2] == t[j - 1] and s[i - 1] != s[i - 2]:
                best = min(best, d[i - 2][j - 2] + SWAP_COST)
            d[i][j] = best
    look_alikes: list[tuple[str, str]] = []
    swaps: list[tuple[str, str]] = []
    other = 0
    i, j = n, m
    while i > 0 or j > 0:
        here = d[i][j]
        if i > 0 and j > 0:
            sub = _substitution(s[i - 1], t[j - 1], ua[i - 1] if ua else "", ub[j - 1] if ub else "")
            if abs(here - (d[i - 1][j - 1] + sub)) < 1e-9:
                if sub > 0:
                    if sub < 1.0:
                        x = ua[i - 1] if ua else s[i - 1]
                        y = ub[j - 1] if ub else t[j - 1]
                        look_alikes.append((x, y))
                    else:
                        other += 1
                i, j = i - 1, j - 1
                continue
            if i > 1 and j > 1 and s[i - 1] == t[j - 2] and s[i - 2] == t[j - 1] and s[i - 1] != s[i - 2]:
                if abs(here - (d[i - 2][j - 2] + SWAP_COST)) < 1e-9:
                    swaps.append((s[i - 2 : i], t[j - 2 : j]))
                    i, j = i - 2, j - 2
                    continue
        if i > 0 and abs(here - (d[i - 1][j] + GAP_COST)) < 1e-9:
            other += 1
            i -= 1
            continue
        other += 1
        j -= 1
    distance = d[n][m]
    return LatinMatch(
        similarity=round(max(0.0, 1 - distance / max(n, m)), 4),
        distance=round(distance, 4),
        look_alikes=tuple(reversed(look_alikes)),
        swaps=tuple(reversed(swaps)),
        other_edits=other,
        # Rewrites made on one side only are the look-alikes that tell the two apart (Haier: i -> l, Haler: none).
        rewrites=tuple(sorted(set(sa.rewrites) ^ set(sb.rewrites))),
    )
