"""Alignment of two character sequences under a similarity function (Needleman-Wunsch maximising the summed
similarity, gaps free): which character of one mark stands for which of the other (康师傅 / 康帅傅: 师 -> 帅)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Alignment:
    score: float  # summed similarity of the aligned pairs / length of the longer sequence, 0-1
    pairs: tuple[tuple[str, str, float], ...]  # aligned (a, b, similarity), left to right


def align(
    a: str,
    b: str,
    similarity: Callable[[str, str], float],
    split: Callable[[str, str], float] | None = None,
) -> Alignment:
    """`split(char, two_chars)`, when given, scores one character written as two (雕 / 周住: 拆字); such a step
    covers two positions and counts twice."""
    n, m = len(a), len(b)
    if not n or not m:
        return Alignment(0.0, ())
    sims = [[similarity(x, y) for y in b] for x in a]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best[i][j] = max(best[i - 1][j], best[i][j - 1], best[i - 1][j - 1] + sims[i - 1][j - 1])
            if split is not None:
                if j > 1:
                    best[i][j] = max(best[i][j], best[i - 1][j - 2] + 2 * split(a[i - 1], b[j - 2 : j]))
                if i > 1:
                    best[i][j] = max(best[i][j], best[i - 2][j - 1] + 2 * split(b[j - 1], a[i - 2 : i]))
    pairs: list[tuple[str, str, float]] = []
    i, j = n, m
    while i > 0 and j > 0:
        if split is not None and j > 1:
            s = split(a[i - 1], b[j - 2 : j])
            if s > 0 and abs(best[i][j] - (best[i - 1][j - 2] + 2 * s)) < 1e-9:
                pairs.append((a[i - 1], b[j - 2 : j], s))
                i, j = i - 1, j - 2
                continue
        if split is not None and i > 1:
            s = split(b[j - 1], a[i - 2 : i])
            if s > 0 and abs(best[i][j] - (best[i - 2][j - 1] + 2 * s)) < 1e-9:
                pairs.append((a[i - 2 : i], b[j - 1], s))
                i, j = i - 2, j - 1
                continue
        if sims[i - 1][j - 1] > 0 and abs(best[i][j] - (best[i - 1][j - 1] + sims[i - 1][j - 1])) < 1e-9:
            pairs.append((a[i - 1], b[j - 1], sims[i - 1][j - 1]))
            i, j = i - 1, j - 1
        elif best[i][j] == best[i - 1][j]:
            i -= 1
        else:
            j -= 1
    return Alignment(round(min(1.0, best[n][m] / max(n, m)), 4), tuple(reversed(pairs)))


def weakest(alignment: Alignment, a: str, b: str) -> float:
    """The least alike position of the longer mark (0 when a character has no counterpart): high only when every
    character is matched by one that looks or sounds alike. Splits (雕 / 周住) cover two positions."""
    covered = sum(2 if max(len(x), len(y)) == 2 else 1 for x, y, _ in alignment.pairs)
    if covered < max(len(a), len(b)):
        return 0.0
    return min((s for _, _, s in alignment.pairs), default=0.0)
