"""Measuring the search against a labelled set of questions (tests/data/kb_questions.json): the share of questions
with at least one right article among the first k hits (top-k hit rate), and which questions missed."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from weiyuan.search.models import Source
from weiyuan.search.query import search


@dataclass
class Miss:
    id: str
    question: str
    expected: list[str]
    got: list[str]


@dataclass
class Evaluation:
    k: int
    total: int = 0
    hits: int = 0
    by_script: dict[str, list[int]] = field(default_factory=dict)  # script -> [hits, total]
    misses: list[Miss] = field(default_factory=list)
    milliseconds: list[float] = field(default_factory=list)  # time of each search

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def script_rate(self, script: str) -> float:
        hits, total = self.by_script.get(script, [0, 0])
        return hits / total if total else 0.0

    def percentile(self, share: float) -> float:
        """Search time (ms) below which `share` of the questions were answered."""
        ordered = sorted(self.milliseconds)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def load_questions(path: Path) -> list[dict[str, object]]:
    return list(json.loads(path.read_text(encoding="utf-8")))


def evaluate(questions: list[dict[str, object]], *, k: int = 5) -> Evaluation:
    result = Evaluation(k=k)
    for item in questions:
        question = str(item["question"])
        expected = {f"{a['law']} {a['article']}" for a in item["answers"]}  # type: ignore[attr-defined]
        started = time.perf_counter()
        hits = search(question[:200], types=[Source.ARTICLE], limit=k).hits
        result.milliseconds.append((time.perf_counter() - started) * 1000)
        got = [f"{h.law_key} {h.article}" for h in hits]
        found = bool(expected & set(got))
        script = str(item.get("script", ""))
        counts = result.by_script.setdefault(script, [0, 0])
        counts[1] += 1
        result.total += 1
        if found:
            counts[0] += 1
            result.hits += 1
        else:
            result.misses.append(Miss(str(item.get("id", "")), question, sorted(expected), got))
    return result
