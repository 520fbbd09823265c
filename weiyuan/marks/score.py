"""The combined mark score: a logistic model over the signals of signals.py, fitted on the tuning part of the
labelled pairs (tests/data/tm_pairs.json) by `manage.py tm_calibrate`, weights in data/weights.json.

The score reads as the estimated chance that an examiner would call the two marks similar; a pair is reported as
similar from THRESHOLD up. Goods/services closeness (same Nice class, same similar group) is reported next to the
score by goods_closeness() and never changes it: whether marks are similar and whether goods are similar are two
separate questions in Chinese examination practice (Trademark Law Art. 30, 57).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from weiyuan.marks.normalise import NormalisedMark, normalise_mark
from weiyuan.marks.signals import FEATURES, Reason, compare_signals

WEIGHTS_FILE = Path(__file__).resolve().parent / "data" / "weights.json"

# The features of the model: the signals, plus the strongest single resemblance (shape, sound, letters or
# transliteration or containment), which lets one strong signal carry a pair on its own.
MODEL_FEATURES = (*FEATURES, "best")


@dataclass(frozen=True)
class Weights:
    bias: float
    coefficients: dict[str, float]
    threshold: float


@cache
def weights() -> Weights:
    raw = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    return Weights(bias=raw["bias"], coefficients=raw["coefficients"], threshold=raw["threshold"])


def feature_vector(features: dict[str, float]) -> dict[str, float]:
    out = dict(features)
    out["best"] = max(
        features["identical"],
        features["glyph"],
        features["sound"],
        features["latin"],
        features["translit"],
        features["contain"],
    )
    return out


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    e = math.exp(z)
    return e / (1 + e)


def probability(features: dict[str, float], model: Weights | None = None) -> float:
    model = model or weights()
    vector = feature_vector(features)
    z = model.bias + sum(model.coefficients.get(name, 0.0) * vector[name] for name in MODEL_FEATURES)
    return _sigmoid(z)


@dataclass(frozen=True)
class Comparison:
    a: NormalisedMark
    b: NormalisedMark
    score: float
    similar: bool
    features: dict[str, float]
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.a.original,
            "b": self.b.original,
            "normalised": [self.a.text, self.b.text],
            "score": self.score,
            "similar": self.similar,
            "threshold": weights().threshold,
            "signals": self.features,
            "reasons": [reason.as_dict() for reason in self.reasons],
        }


def compare_marks(a: str | NormalisedMark, b: str | NormalisedMark) -> Comparison:
    """Score two marks 0-1 and explain why. Raw text is normalised first (MarkTextError names field "a" or "b")."""
    na = a if isinstance(a, NormalisedMark) else normalise_mark(a, field="a")
    nb = b if isinstance(b, NormalisedMark) else normalise_mark(b, field="b")
    signals = compare_signals(na, nb)
    score = 1.0 if signals.features["identical"] else round(probability(signals.features), 4)
    return Comparison(
        a=na,
        b=nb,
        score=score,
        similar=score >= weights().threshold,
        features=signals.features,
        reasons=signals.reasons,
    )


@dataclass(frozen=True)
class GoodsCloseness:
    same_class: bool
    same_group: bool
    shared_classes: tuple[int, ...]
    shared_groups: tuple[str, ...]
    # (code, name) of the shared groups whose name is known (SimilarGroup, selectors.group_names), in code order.
    group_names: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "same_class": self.same_class,
            "same_group": self.same_group,
            "shared_classes": list(self.shared_classes),
            "shared_groups": list(self.shared_groups),
        }
        if self.group_names:
            out["group_names"] = dict(self.group_names)
        return out


def goods_closeness(
    classes_a: Iterable[int],
    classes_b: Iterable[int],
    groups_a: Iterable[str] = (),
    groups_b: Iterable[str] = (),
    *,
    names: Mapping[str, str] | None = None,
) -> GoodsCloseness:
    """Nice classes and similar groups (类似群, e.g. "3002") the two marks have in common, reported beside the score.
    `names` (code -> name, from selectors.group_names) names the shared groups it knows."""
    shared_classes = tuple(sorted(set(classes_a) & set(classes_b)))
    shared_groups = tuple(sorted(set(groups_a) & set(groups_b)))
    named = tuple((code, names[code]) for code in shared_groups if names and code in names)
    return GoodsCloseness(bool(shared_classes), bool(shared_groups), shared_classes, shared_groups, named)


# Fitting -------------------------------------------------------------------------------------------------------


def fit(
    samples: Sequence[tuple[dict[str, float], bool]], *, l2: float = 0.01, steps: int = 4000, rate: float = 0.5
) -> Weights:
    """Logistic regression by full-batch gradient descent (deterministic: same samples, same weights)."""
    vectors = [feature_vector(features) for features, _ in samples]
    labels = [1.0 if label else 0.0 for _, label in samples]
    coef = dict.fromkeys(MODEL_FEATURES, 0.0)
    bias = 0.0
    n = len(samples)
    for _ in range(steps):
        grad = dict.fromkeys(MODEL_FEATURES, 0.0)
        grad_bias = 0.0
        for vector, label in zip(vectors, labels, strict=True):
            z = bias + sum(coef[name] * vector[name] for name in MODEL_FEATURES)
            error = _sigmoid(z) - label
            grad_bias += error
            for name in MODEL_FEATURES:
                grad[name] += error * vector[name]
        bias -= rate * grad_bias / n
        for name in MODEL_FEATURES:
            coef[name] -= rate * (grad[name] / n + l2 * coef[name])
    return Weights(
        bias=round(bias, 4), coefficients={k: round(v, 4) for k, v in coef.items()}, threshold=DEFAULT_THRESHOLD
    )


DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class Quality:
    pairs: int
    true_positive: int
    false_positive: int
    false_negative: int

    @property
    def recall(self) -> float:
        found = self.true_positive + self.false_negative
        return self.true_positive / found if found else 1.0

    @property
    def precision(self) -> float:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else 1.0


def quality(results: Iterable[tuple[float, bool]], threshold: float) -> Quality:
    tp = fp = fn = n = 0
    for score, label in results:
        n += 1
        predicted = score >= threshold
        tp += predicted and label
        fp += predicted and not label
        fn += (not predicted) and label
    return Quality(n, tp, fp, fn)
