"""The synthetic register of `make bench-marks`: brand-like Chinese, Latin and mixed marks, and look-alikes of them.

Chinese marks are built from real two-character words of jieba's dictionary (the more frequent a word, the more
often it is drawn, as brand owners favour auspicious everyday words: 金龙, 华美, 福瑞) alone or with a character
or a second word; Latin marks from syllables (Velora, Tramix) or the pinyin of such a word (Jinlong). Look-alikes
are what copycats do: a character swapped for a look-alike (glyph group) or a homophone, two characters swapped, a
character added, Traditional script, a confusable or a doubled Latin letter, one letter changed. Everything comes
from a seeded generator, so the same register and queries come out of every run.
"""

from __future__ import annotations

import csv
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from weiyuan.marks.chars import readings
from weiyuan.marks.latin import DATA_DIR
from weiyuan.marks.normalise import is_han

SEED = 20261126
WORD_COUNT = 12_000
# Nice classes in rough order of how often Chinese marks are filed in them (9, 35, 25, 30, 3, 5 ... lead).
CLASS_WEIGHTS = {9: 10, 35: 10, 25: 8, 30: 7, 3: 6, 5: 6, 29: 5, 43: 5, 41: 5, 42: 5, 11: 4, 20: 4, 21: 4, 32: 4, 33: 3}
ONSETS = "b c d f g h j k l m n p r s t v w z br cr dr fl gr kl pr st tr sk sp ch sh th qu".split()
VOWELS = "a e i o u ai ea io ou y".split()
CODAS = ["", "", "", "n", "r", "s", "x", "l", "m", "t", "k", "ng"]
CITIES = "上海 杭州 深圳 广州 苏州 宁波 东莞 佛山 成都 武汉 青岛 厦门 泉州 温州 义乌 合肥".split()
TRADES = "食品 服饰 电子 科技 日化 贸易 实业 生物 家居 文化".split()
STATUSES = ("registered",) * 8 + ("applied", "expired")
# Latin look-alike substitutions a copycat makes (one letter or pair for another).
LATIN_SWAPS = (("d", "b"), ("b", "d"), ("m", "rn"), ("o", "0"), ("l", "I"), ("i", "l"), ("u", "v"), ("n", "h"))


@dataclass(frozen=True)
class Lookalike:
    original: str  # a mark on the register
    query: str  # what the copycat wrote
    how: str  # the change made


@cache
def _words() -> tuple[tuple[str, ...], tuple[float, ...]]:
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    rows: list[tuple[int, str]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            word, freq, _tag = line.split()
            if len(word) == 2 and all(is_han(c) for c in word):
                rows.append((int(freq), word))
    rows.sort(reverse=True)
    top = rows[:WORD_COUNT]
    return tuple(w for _f, w in top), tuple(float(f) ** 0.5 for f, _w in top)


@cache
def _chars() -> tuple[str, ...]:
    words, _weights = _words()
    return tuple(sorted({c for w in words for c in w}))


@cache
def _glyph_siblings() -> dict[str, tuple[str, ...]]:
    out: dict[str, set[str]] = {}
    for line in (DATA_DIR / "glyph_groups.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            group = line.split()
            for c in group:
                out.setdefault(c, set()).update(x for x in group if x != c)
    return {c: tuple(sorted(s)) for c, s in out.items()}


@cache
def _homophones() -> dict[str, tuple[str, ...]]:
    by_sound: dict[str, list[str]] = {}
    for c in _chars():
        found = readings(c)
        if found:
            by_sound.setdefault(found[0].toneless, []).append(c)
    return {c: tuple(x for x in group if x != c) for group in by_sound.values() for c in group if len(group) > 1}


class RegisterGenerator:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.words, weights = _words()
        self.cum_weights = list(itertools.accumulate(weights))
        self.chars = _chars()
        self.classes = list(CLASS_WEIGHTS) + [n for n in range(1, 46) if n not in CLASS_WEIGHTS]
        self.class_weights = list(CLASS_WEIGHTS.values()) + [1] * (45 - len(CLASS_WEIGHTS))

    def word(self) -> str:
        return self.rng.choices(self.words, cum_weights=self.cum_weights)[0]

    def chinese(self) -> str:
        r = self.rng.random()
        if r < 0.3:
            return self.word()
        if r < 0.6:
            return self.word() + self.rng.choice(self.chars)
        if r < 0.75:
            return self.rng.choice(self.chars) + self.word()
        if r < 0.92:
            return self.word() + self.word()
        return self.rng.choice(self.chars) + self.rng.choice(self.chars)

    def latin(self) -> str:
        rng = self.rng
        if rng.random() < 0.2:
            from pypinyin import lazy_pinyin

            return "".join(lazy_pinyin(self.word())).capitalize()
        syllables = rng.choice((2, 2, 2, 3, 3))
        text = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables))[:12]
        return text.upper() if rng.random() < 0.3 else text.capitalize()

    def mark(self) -> str:
        r = self.rng.random()
        if r < 0.6:
            return self.chinese()
        if r < 0.92:
            return self.latin()
        return self.chinese() + self.latin()

    def mark_classes(self) -> list[int]:
        count = self.rng.choice((1, 1, 1, 2, 2, 3))
        return sorted(set(self.rng.choices(self.classes, self.class_weights, k=count)))

    def owner(self) -> str:
        return f"{self.rng.choice(CITIES)}{self.word()}{self.rng.choice(TRADES)}有限公司"

    def rows(self, count: int) -> Iterator[list[str]]:
        for n in range(count):
            yield [
                self.mark(),
                f"B{n + 1:08d}",
                ";".join(str(c) for c in self.mark_classes()),
                self.owner(),
                self.rng.choice(STATUSES),
            ]

    def write_csv(self, path: Path, count: int, progress: Callable[[int], object] | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["mark", "number", "classes", "owner", "status"])
            for i, row in enumerate(self.rows(count)):
                writer.writerow(row)
                if progress is not None and i % 10_000 == 9_999:
                    progress(10_000)

    # -- look-alikes -----------------------------------------------------------------------------------------

    def lookalike(self, original: str) -> Lookalike | None:
        """One copycat variant of `original`, or None when no change of the chosen kind applies."""
        rng = self.rng
        han = [i for i, c in enumerate(original) if is_han(c)]
        if han and (rng.random() < 0.75 or len(han) == len(original)):
            return self._chinese_variant(original, han)
        return self._latin_variant(original)

    def _chinese_variant(self, text: str, han: list[int]) -> Lookalike | None:
        rng = self.rng
        how = rng.choice(("glyph", "glyph", "sound", "sound", "swap", "insert", "traditional"))
        i = rng.choice(han)
        if how == "glyph" and (siblings := _glyph_siblings().get(text[i])):
            return Lookalike(text, text[:i] + rng.choice(siblings) + text[i + 1 :], how)
        if how in ("glyph", "sound") and (same := _homophones().get(text[i])):
            return Lookalike(text, text[:i] + rng.choice(same) + text[i + 1 :], "sound")
        if how == "swap" and len(han) >= 3 and i + 1 in han and text[i] != text[i + 1]:
            return Lookalike(text, text[:i] + text[i + 1] + text[i] + text[i + 2 :], how)
        if how == "traditional":
            from opencc import OpenCC

            variant = OpenCC("s2t").convert(text)
            if variant != text:
                return Lookalike(text, variant, how)
        if len(text) <= 4:
            return Lookalike(text, text + rng.choice("牌坊家园记王堂"), "insert")
        return None

    def _latin_variant(self, text: str) -> Lookalike | None:
        rng = self.rng
        letters = [i for i, c in enumerate(text) if c.isascii() and c.isalpha()]
        if len(letters) < 4:
            return None
        options = [(a, b) for a, b in LATIN_SWAPS if a in text.lower()]
        if options and rng.random() < 0.6:
            a, b = rng.choice(options)
            i = text.lower().index(a)
            b = b.upper() if text[i].isupper() and b.isalpha() and a != "l" else b
            return Lookalike(text, text[:i] + b + text[i + len(a) :], "latin_confusable")
        i = rng.choice(letters[1:])
        if rng.random() < 0.5:
            return Lookalike(text, text[:i] + text[i] + text[i:], "latin_double")
        return Lookalike(text, text[:i] + text[i + 1 :], "latin_drop")

    def other_query(self) -> str:
        return self.mark()
