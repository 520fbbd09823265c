"""The verdicts of an opinion, as pure functions over plain values (no database).

Patents (invention, utility model): the all-elements rule 全面覆盖原则 (Supreme People's Court Interpretation on
Patent Infringement Disputes (2009) Art. 7): the accused product falls within the scope of a claim only if it has
every technical feature of that claim, each identical or equivalent. An equivalent feature achieves basically the
same function by basically the same means with basically the same effect (Interpretation of 2001 on Patent Disputes,
Art. 13 in its 2020 text: 手段、功能、效果基本相同); the reasoning for all three is required. Per independent claim:

    every feature identical                         -> literal infringement likely   (相同侵权)
    every feature identical or equivalent, >= 1 eq. -> infringement by equivalents likely (等同侵权)
    any feature absent                              -> not infringing that claim
    a claim without features or a feature not yet compared -> not decided

The opinion's verdict: infringement likely if any independent claim is infringed (literal before equivalent);
not infringing only when every independent claim is decided and none is infringed; otherwise not decided.

Designs: the overall visual impression 整体视觉效果 of the same or a similar kind of product (Interpretation (2009)
Art. 8-11). Trademarks: Trademark Law Art. 57(1) (identical mark on identical goods) and 57(2) (identical or similar
mark on identical or similar goods, likely to cause confusion).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Comparisons of one feature.
IDENTICAL, EQUIVALENT, ABSENT = "identical", "equivalent", "absent"
# Verdicts (of one claim and of the opinion).
LITERAL = "literal"
BY_EQUIVALENTS = "equivalent"
LIKELY = "likely"  # designs and trademarks
NOT_INFRINGING = "not_infringing"
UNDECIDED = "undecided"
INFRINGING = (LITERAL, BY_EQUIVALENTS, LIKELY)


@dataclass(frozen=True)
class FeatureRow:
    text: str
    accused_text: str = ""
    comparison: str = ""  # "", identical, equivalent, absent
    means: str = ""
    function: str = ""
    effect: str = ""

    @property
    def equivalence_reasoned(self) -> bool:
        return all(part.strip() for part in (self.means, self.function, self.effect))


@dataclass(frozen=True)
class ClaimRow:
    number: int
    independent: bool
    features: tuple[FeatureRow, ...]


@dataclass(frozen=True)
class ClaimVerdict:
    number: int
    verdict: str
    reasoning: str


@dataclass(frozen=True)
class ChartVerdict:
    verdict: str
    claims: tuple[ClaimVerdict, ...]
    reasoning: str


def claim_verdict(features: Sequence[FeatureRow]) -> str:
    """One claim under the all-elements rule."""
    if not features or any(f.comparison not in (IDENTICAL, EQUIVALENT, ABSENT) for f in features):
        return UNDECIDED
    if any(f.comparison == ABSENT for f in features):
        return NOT_INFRINGING
    if all(f.comparison == IDENTICAL for f in features):
        return LITERAL
    return BY_EQUIVALENTS


def overall_verdict(verdicts: Sequence[str]) -> str:
    """The opinion's verdict from its independent claims' verdicts."""
    if LITERAL in verdicts:
        return LITERAL
    if BY_EQUIVALENTS in verdicts:
        return BY_EQUIVALENTS
    if verdicts and all(v == NOT_INFRINGING for v in verdicts):
        return NOT_INFRINGING
    return UNDECIDED


def verdict_label(verdict: str) -> str:
    return {
        LITERAL: _("构成相同侵权的可能性较大"),
        BY_EQUIVALENTS: _("构成等同侵权的可能性较大"),
        LIKELY: _("构成侵权的可能性较大"),
        NOT_INFRINGING: _("不构成侵权的可能性较大"),
        UNDECIDED: _("尚不能得出结论"),
    }.get(verdict, _("尚不能得出结论"))


def _quote(text: str) -> str:
    return _("「%(text)s」") % {"text": text.strip()}


def _feature_sentence(position: int, feature: FeatureRow) -> str:
    values = {"n": position, "feature": _quote(feature.text), "accused": _quote(feature.accused_text or "—")}
    if feature.comparison == IDENTICAL:
        return _("技术特征%(n)s%(feature)s：被诉产品的对应特征%(accused)s与之相同。") % values
    if feature.comparison == EQUIVALENT:
        reasons = {
            "means": feature.means.strip(),
            "function": feature.function.strip(),
            "effect": feature.effect.strip(),
        }
        return _(
            "技术特征%(n)s%(feature)s：被诉产品的对应特征%(accused)s与之等同（手段：%(means)s；功能：%(function)s；效果：%(effect)s）。"
        ) % {**values, **reasons}
    if feature.comparison == ABSENT:
        return _("技术特征%(n)s%(feature)s：被诉产品不具备该特征，也不具备与之等同的特征。") % values
    return _("技术特征%(n)s%(feature)s：尚未比对。") % values


def _claim_conclusion(claim: ClaimRow, verdict: str) -> str:
    n = {"n": claim.number}
    if not claim.features:
        return _("权利要求%(n)s尚未分解技术特征，不能判定。") % n
    if verdict == LITERAL:
        return _("被诉产品具备权利要求%(n)s的全部技术特征，落入其保护范围，构成相同侵权的可能性较大。") % n
    if verdict == BY_EQUIVALENTS:
        return (
            _(
                "被诉产品具备权利要求%(n)s的全部技术特征，其中部分特征为等同特征，落入其保护范围，构成等同侵权的可能性较大。"
            )
            % n
        )
    if verdict == NOT_INFRINGING:
        absent = "、".join(str(i) for i, f in enumerate(claim.features, start=1) if f.comparison == ABSENT)
        return _("被诉产品缺少权利要求%(n)s的技术特征%(absent)s，依照全面覆盖原则，未落入该权利要求的保护范围。") % {
            **n,
            "absent": absent,
        }
    return _("权利要求%(n)s尚有技术特征未比对，不能判定。") % n


def chart_verdict(claims: Sequence[ClaimRow]) -> ChartVerdict:
    """The verdict of a claim chart with its reasoning, in the active language, listing each feature."""
    independent = [c for c in claims if c.independent]
    results: list[ClaimVerdict] = []
    paragraphs: list[str] = []
    for claim in independent:
        verdict = claim_verdict(claim.features)
        lines = [_("权利要求%(n)s（独立权利要求）：") % {"n": claim.number}]
        lines += [_feature_sentence(i, f) for i, f in enumerate(claim.features, start=1)]
        lines.append(_claim_conclusion(claim, verdict))
        text = "\n".join(lines)
        results.append(ClaimVerdict(claim.number, verdict, text))
        paragraphs.append(text)
    verdict = overall_verdict([r.verdict for r in results])
    if not independent:
        paragraphs.append(_("权利要求书中没有独立权利要求，不能按全面覆盖原则判定。"))
    elif verdict in INFRINGING:
        infringed = "、".join(str(r.number) for r in results if r.verdict in INFRINGING)
        paragraphs.append(
            _("综上，被诉产品落入权利要求%(claims)s的保护范围，%(verdict)s。")
            % {"claims": infringed, "verdict": verdict_label(verdict)}
        )
    elif verdict == NOT_INFRINGING:
        paragraphs.append(_("综上，被诉产品未落入任何一项独立权利要求的保护范围，不构成侵权的可能性较大。"))
    else:
        paragraphs.append(_("综上，比对尚未完成，暂不能得出结论。"))
    return ChartVerdict(verdict, tuple(results), "\n\n".join(paragraphs))


# --- designs -----------------------------------------------------------------------------------------------------

SAME_KIND, SIMILAR_KIND, DIFFERENT_KIND = "same", "similar", "different"
IMPRESSION_IDENTICAL, IMPRESSION_SIMILAR, IMPRESSION_DIFFERENT = "identical", "similar", "different"
MINOR, NOTABLE, MAJOR = "minor", "notable", "major"


def design_verdict(product_kind: str, impression: str, difference_weights: Sequence[str]) -> str:
    """Same or similar kind of product, and no substantial difference in the overall visual impression -> likely.

    A "major" difference (in the part that most catches the eye, or the design's distinctive feature) means the
    overall impression differs whatever the assessor ticked as impression, so it decides for not infringing."""
    if product_kind not in (SAME_KIND, SIMILAR_KIND, DIFFERENT_KIND) or impression not in (
        IMPRESSION_IDENTICAL,
        IMPRESSION_SIMILAR,
        IMPRESSION_DIFFERENT,
    ):
        return UNDECIDED
    if product_kind == DIFFERENT_KIND or impression == IMPRESSION_DIFFERENT or MAJOR in difference_weights:
        return NOT_INFRINGING
    return LIKELY


# --- trademarks --------------------------------------------------------------------------------------------------

IDENTICAL_MARK, SIMILAR_MARK, NOT_SIMILAR = "identical", "similar", "not_similar"
CONFUSION_LIKELY, CONFUSION_UNLIKELY = "likely", "unlikely"


def trademark_verdict(mark_similarity: str, goods_similarity: str, confusion: str) -> str:
    """Trademark Law Art. 57(1): identical mark on identical goods infringes (no confusion needed); 57(2): an
    identical or similar mark on identical or similar goods infringes if it is likely to cause confusion."""
    known = (IDENTICAL_MARK, SIMILAR_MARK, NOT_SIMILAR)
    if mark_similarity not in known or goods_similarity not in known:
        return UNDECIDED
    if NOT_SIMILAR in (mark_similarity, goods_similarity):
        return NOT_INFRINGING
    if mark_similarity == IDENTICAL_MARK and goods_similarity == IDENTICAL_MARK:
        return LIKELY
    if confusion == CONFUSION_LIKELY:
        return LIKELY
    if confusion == CONFUSION_UNLIKELY:
        return NOT_INFRINGING
    return UNDECIDED
