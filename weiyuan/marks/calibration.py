"""Fitting and measuring the combined score on the labelled pairs (tests/data/tm_pairs.json).

The pairs carry a fixed split ("tuning" / "heldout", from a hash of the pair, decided before any tuning): weights
are fitted on the tuning part only, and recall and precision are reported on both parts at the threshold.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weiyuan.marks.score import Quality, Weights, compare_marks, fit, probability, quality

DEFAULT_PAIRS = Path(__file__).resolve().parents[2] / "tests" / "data" / "tm_pairs.json"


@dataclass(frozen=True)
class LabelledPair:
    a: str
    b: str
    similar: bool
    source: str
    split: str


def load_pairs(path: Path = DEFAULT_PAIRS) -> list[LabelledPair]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [LabelledPair(p["a"], p["b"], bool(p["similar"]), p["source"], p["split"]) for p in raw["pairs"]]


def features_of(pairs: list[LabelledPair]) -> list[dict[str, float]]:
    return [compare_marks(p.a, p.b).features for p in pairs]


def calibrate(pairs: list[LabelledPair]) -> Weights:
    features = features_of(pairs)
    samples = [(f, p.similar) for f, p in zip(features, pairs, strict=True) if p.split == "tuning"]
    return fit(samples)


def measure(pairs: list[LabelledPair], model: Weights | None = None) -> dict[str, Quality]:
    """Recall and precision at the model's threshold, per split and overall."""
    features = features_of(pairs)
    scored: dict[str, list[tuple[float, bool]]] = {"tuning": [], "heldout": [], "all": []}
    threshold = model.threshold if model else None
    for f, p in zip(features, pairs, strict=True):
        score = 1.0 if f["identical"] else probability(f, model)
        scored[p.split].append((score, p.similar))
        scored["all"].append((score, p.similar))
    if threshold is None:
        from weiyuan.marks.score import weights

        threshold = weights().threshold
    return {split: quality(results, threshold) for split, results in scored.items()}


def misclassified(pairs: list[LabelledPair], model: Weights | None = None) -> list[dict[str, Any]]:
    out = []
    for p in pairs:
        comparison = compare_marks(p.a, p.b)
        score = 1.0 if comparison.features["identical"] else probability(comparison.features, model)
        threshold = model.threshold if model else 0.5
        if (score >= threshold) != p.similar:
            out.append({"a": p.a, "b": p.b, "similar": p.similar, "split": p.split, "score": round(score, 3)})
    return out
