"""The automatic mark-similarity proposal shown to whoever compares two marks in a trademark opinion.

The engine is the trademark similarity engine of `weiyuan.marks` (issue #8): normalisation, glyph, pinyin and
Latin look-alike signals, a calibrated 0-1 score and its reasons in the user's language. Its result is a *proposal*:
the assessor still judges the marks (`TrademarkComparison.mark_similarity`) and writes the reasoning, and the
opinion records only that judgement. Goods and services similarity stays the assessor's too.
"""

from __future__ import annotations

from dataclasses import dataclass

from weiyuan.marks.normalise import MarkTextError
from weiyuan.marks.score import compare_marks
from weiyuan.opinions.verdict import IDENTICAL_MARK, NOT_SIMILAR, SIMILAR_MARK

ENGINE_NAME = "weiyuan.marks"


@dataclass(frozen=True)
class MarkSimilarityProposal:
    """What the engine proposes for two marks: a similarity class (identical / similar / not_similar), its score in
    [0, 1] and the reasons in words of the active language."""

    similarity: str
    score: float
    reasons: tuple[str, ...]
    engine: str


def mark_similarity_engine(registered_mark: str, accused_mark: str) -> MarkSimilarityProposal | None:
    """The engine's proposal for two marks, or None when either cannot be compared (empty, only punctuation)."""
    try:
        comparison = compare_marks(registered_mark, accused_mark)
    except MarkTextError:
        return None
    if comparison.features.get("identical"):
        similarity = IDENTICAL_MARK
    else:
        similarity = SIMILAR_MARK if comparison.similar else NOT_SIMILAR
    return MarkSimilarityProposal(
        similarity=similarity,
        score=comparison.score,
        reasons=tuple(reason.text() for reason in comparison.reasons),
        engine=ENGINE_NAME,
    )
