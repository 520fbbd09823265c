"""Similarity signals between two normalised marks. Each signal is a number 0-1 (a feature of the combined score in
score.py) and comes with reasons that explain it in the active language ("字形相近：师≈帅", "拼音相同：kang shi fu").

Signals:
- identical: the same text after normalisation (康師傅 ® / 康师傅).
- glyph: Chinese characters aligned by shape (chars.glyph_similarity), mean over the longer mark; a character may
  stand for two that spell out its components (雕 / 周住).
- weakest: the least alike position when characters are aligned by shape or sound, whichever is closer: high only
  when every character of the longer mark has a look-alike or sound-alike (雪碧 / 雷碧, not 华为 / 华润).
- sound: Chinese characters aligned by pinyin, all readings of polyphones, tones and near sounds (肯德基 / 肯德鸡).
- edit: edit similarity of the whole text with adjacent swaps counted once (rapidfuzz OSA): insertion, deletion,
  substitution and swap of characters.
- contain: one mark written out inside the other (a famous mark inside a longer one: 康师傅 / 康师傅面馆).
- latin: Latin letters compared on their visual skeleton with look-alike substitutions made cheap (adidas / abibas).
- translit: the pinyin of one mark's Chinese characters against the other's Latin letters (海尔 / Haier).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rapidfuzz.distance import OSA

from weiyuan.marks import chars
from weiyuan.marks.align import align, weakest
from weiyuan.marks.latin import cased_letters, compare_latin
from weiyuan.marks.normalise import NormalisedMark

FEATURES = ("identical", "glyph", "sound", "weakest", "edit", "contain", "latin", "translit")

# A pair of characters is named as "looking alike" in a reason from this glyph similarity up.
GLYPH_REASON_MIN = 0.5
# Shortest mark that counts as "contained" in another: one character or two letters are too common.
CONTAIN_MIN_HAN = 2
CONTAIN_MIN_LATIN = 3

TEMPLATES: dict[str, Promise] = {
    "identical": _("标准化后相同：%(text)s"),
    "glyph": _("字形相近：%(pairs)s"),
    "sound_same": _("拼音相同：%(pinyin)s"),
    "sound_same_toneless": _("拼音相同（声调不同）：%(pinyin)s"),
    "sound_near": _("读音相近：%(pairs)s"),
    "contain": _("包含：“%(short)s”完整出现在“%(long)s”中"),
    "swap": _("字序调换：%(a)s / %(b)s"),
    "insert": _("增删文字：%(chars)s"),
    "edit": _("文字相近：%(a)s / %(b)s，相差 %(edits)d 处"),
    "latin_look_alike": _("形近字母：%(pairs)s"),
    "latin_swap": _("字母调换：%(pairs)s"),
    "latin_close": _("拼写相近：%(a)s / %(b)s，相差 %(edits)d 处"),
    "translit": _("拼音与字母对应：%(han)s = %(latin)s"),
}


@dataclass(frozen=True)
class Reason:
    code: str
    score: float
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """The explanation in the active language (rendered now, not when the reason was made)."""
        params = {k: str(SEPARATOR).join(v) if isinstance(v, list) else v for k, v in self.params.items()}
        return str(TEMPLATES[self.code]) % params

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "score": self.score, "text": self.text(), "params": self.params}


@dataclass(frozen=True)
class Signals:
    features: dict[str, float]
    reasons: tuple[Reason, ...]


# Separator of listed pairs: "、" in Chinese, ", " in English.
SEPARATOR = _("、")


def _join(pairs: list[str]) -> list[str]:
    """Distinct pairs in order; joined with SEPARATOR of the language active when the reason is shown."""
    return list(dict.fromkeys(pairs))


def compare_signals(a: NormalisedMark, b: NormalisedMark) -> Signals:
    features = dict.fromkeys(FEATURES, 0.0)
    reasons: list[Reason] = []
    if a.text == b.text:
        features.update(identical=1.0, glyph=1.0 if a.han else 0.0, sound=1.0 if a.han else 0.0, edit=1.0, weakest=1.0)
        if a.latin:
            features["latin"] = 1.0
        return Signals(features, (Reason("identical", 1.0, {"text": a.text}),))
    features["edit"] = round(OSA.normalized_similarity(a.text, b.text), 4)
    if a.han and b.han:
        _han_signals(a.han, b.han, features, reasons)
    if a.latin and b.latin:
        _latin_signals(a, b, features, reasons)
    if (a.han and not b.han and b.latin) or (b.han and not a.han and a.latin):
        _translit_signal(a, b, features, reasons)
    _edit_reasons(a.text, b.text, features, reasons)
    reasons.sort(key=lambda r: -r.score)
    return Signals(features, tuple(reasons))


def _han_signals(ha: str, hb: str, features: dict[str, float], reasons: list[Reason]) -> None:
    glyph = align(ha, hb, chars.glyph_similarity, chars.split_similarity)
    features["glyph"] = glyph.score
    either = align(ha, hb, lambda x, y: max(chars.glyph_similarity(x, y), chars.sound_similarity(x, y).score))
    features["weakest"] = max(weakest(either, ha, hb), weakest(glyph, ha, hb))
    looks = [f"{x}≈{y}" for x, y, s in glyph.pairs if x != y and s >= GLYPH_REASON_MIN]
    if looks:
        reasons.append(Reason("glyph", glyph.score, {"pairs": _join(looks)}))
    sound = align(ha, hb, lambda x, y: chars.sound_similarity(x, y).score)
    features["sound"] = sound.score
    full = len(ha) == len(hb) == len(sound.pairs)
    if full and all(s >= chars.SAME_TONELESS for _, _, s in sound.pairs):
        syllables = " ".join(chars.sound_similarity(x, y).a.toneless for x, y, _ in sound.pairs)  # type: ignore[union-attr]
        same_tone = all(s == chars.SAME_TONE for _, _, s in sound.pairs)
        reasons.append(Reason("sound_same" if same_tone else "sound_same_toneless", sound.score, {"pinyin": syllables}))
        return
    near = []
    for x, y, s in sound.pairs:
        if x != y and s == chars.NEAR_SOUND:
            match = chars.sound_similarity(x, y)
            near.append(f"{x} {match.a.toneless}≈{y} {match.b.toneless}")  # type: ignore[union-attr]
    if near:
        reasons.append(Reason("sound_near", sound.score, {"pairs": _join(near)}))


def _latin_signals(a: NormalisedMark, b: NormalisedMark, features: dict[str, float], reasons: list[Reason]) -> None:
    match = compare_latin(a.latin, b.latin, cased_a=cased_letters(a.original), cased_b=cased_letters(b.original))
    features["latin"] = match.similarity
    if not a.han and not b.han:
        features["weakest"] = match.similarity
    looks = [f"{x}≈{y}" for x, y in match.look_alikes] + [f"{x}≈{y}" for x, y in match.rewrites]
    if looks:
        reasons.append(Reason("latin_look_alike", match.similarity, {"pairs": _join(looks)}))
    if match.swaps:
        reasons.append(Reason("latin_swap", match.similarity, {"pairs": _join([f"{x}↔{y}" for x, y in match.swaps])}))
    if not looks and not match.swaps and match.other_edits and match.similarity >= 0.6:
        reasons.append(
            Reason("latin_close", match.similarity, {"a": a.latin, "b": b.latin, "edits": match.other_edits})
        )


def _translit_signal(a: NormalisedMark, b: NormalisedMark, features: dict[str, float], reasons: list[Reason]) -> None:
    han_side, latin_side = (a, b) if a.han and not b.han else (b, a)
    spellings = [s for s in chars.spellings(han_side.han) if s]
    if not spellings:
        return
    score = round(max(OSA.normalized_similarity(s, latin_side.latin) for s in spellings), 4)
    features["translit"] = score
    features["weakest"] = score
    if score >= 0.8:
        reasons.append(Reason("translit", score, {"han": han_side.han, "latin": latin_side.latin}))


def _edit_reasons(ta: str, tb: str, features: dict[str, float], reasons: list[Reason]) -> None:
    short, long = sorted((ta, tb), key=len)
    is_han = all(chars.readings(c) for c in short)
    minimum = CONTAIN_MIN_HAN if is_han else CONTAIN_MIN_LATIN
    if len(short) >= minimum and short in long:
        features["contain"] = 1.0
        reasons.append(Reason("contain", 1.0, {"short": short, "long": long}))
        return
    if len(ta) == len(tb) and Counter(ta) == Counter(tb) and OSA.distance(ta, tb) <= 2:
        if not any(r.code == "latin_swap" for r in reasons):
            reasons.append(Reason("swap", features["edit"], {"a": ta, "b": tb}))
        return
    if _is_subsequence(short, long) and len(short) >= minimum:
        extra = _leftover(short, long)
        reasons.append(Reason("insert", features["edit"], {"chars": extra}))
        return
    if features["edit"] >= 0.5 and not reasons:
        reasons.append(Reason("edit", features["edit"], {"a": ta, "b": tb, "edits": OSA.distance(ta, tb)}))


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def _leftover(short: str, long: str) -> str:
    out, i = [], 0
    for c in long:
        if i < len(short) and c == short[i]:
            i += 1
        else:
            out.append(c)
    return "".join(out)
