"""Where an automatic mark-similarity engine plugs in (issue #7: trademark search and similarity). Until it exists
the assessor judges the marks by hand (`TrademarkComparison.mark_similarity` and its reasoning) and nothing here
pretends to a score.

The engine, when it comes, replaces `mark_similarity_engine` (or registers itself through `ENGINE`) and returns a
proposal the assessor may accept or overrule; the opinion always records the assessor's judgement and reasoning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class MarkSimilarityProposal:
    """What an engine proposes for two marks: a similarity class (identical / similar / not_similar), its score in
    [0, 1] and the reasons in words (shape, sound, meaning 形、音、义, overall impression)."""

    similarity: str
    score: float
    reasons: tuple[str, ...]
    engine: str


# Set by the engine's app when it is installed: (registered mark, accused mark) -> proposal.
ENGINE: Callable[[str, str], MarkSimilarityProposal] | None = None


def mark_similarity_engine(registered_mark: str, accused_mark: str) -> MarkSimilarityProposal | None:
    """The engine's proposal for two marks, or None when no engine is installed (today)."""
    if ENGINE is None:
        return None
    return ENGINE(registered_mark, accused_mark)
