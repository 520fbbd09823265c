"""Search quality on the real legal corpus: the labelled questions of tests/data/kb_questions.json (everyday
wording, Simplified and Traditional, each with the articles that answer it; see tests/data/README.md), and the
held-out questions of tests/data/kb_questions_holdout.json, written before the search was tuned on the first set
and never tuned against.

The issue's target is a top-5 hit rate of 90%. The measured rates are printed (run with -s) and reported in
docs/search.md; this test guards against regressions with floors below the current figures on both backends.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from weiyuan.knowledge.services import laws_import
from weiyuan.search import text
from weiyuan.search.evaluation import Evaluation, evaluate, load_questions

ROOT = Path(__file__).resolve().parent.parent
LAWS = ROOT.parent / "shared" / "data" / "laws"
QUESTIONS = ROOT / "tests" / "data" / "kb_questions.json"
HOLDOUT = ROOT / "tests" / "data" / "kb_questions_holdout.json"
# Measured 2026-11-25: 92.9% on SQLite, 91.9% on PostgreSQL (76.8% / 75.8% before the quality work).
REGRESSION_FLOOR = 0.89
# Measured 2026-11-25: 60.5% on both (57.9% / 55.3% before). Far below the tuned set: see docs/search.md.
HOLDOUT_FLOOR = 0.57

pytestmark = pytest.mark.skipif(not LAWS.is_dir(), reason="../shared/data/laws is not beside the project")


@pytest.mark.parametrize("path", [QUESTIONS, HOLDOUT], ids=["tuned", "holdout"])
def test_the_labelled_sets_are_large_and_mixed(path: Path) -> None:
    questions = load_questions(path)
    scripts = [q["script"] for q in questions]
    assert len(questions) >= 30
    assert scripts.count("traditional") >= 15 and scripts.count("simplified") >= 15
    assert len({q["id"] for q in questions}) == len(questions)


def test_the_holdout_questions_are_new() -> None:
    tuned = {text.normalise(str(q["question"])) for q in load_questions(QUESTIONS)}
    assert not tuned & {text.normalise(str(q["question"])) for q in load_questions(HOLDOUT)}
    assert not {q["id"] for q in load_questions(QUESTIONS)} & {q["id"] for q in load_questions(HOLDOUT)}


def test_every_synonym_points_to_words_of_the_texts() -> None:
    """A legal term that no text holds could never match: every expansion is verbatim in the corpus."""
    corpus = text.normalise(" ".join(path.read_text(encoding="utf-8") for path in LAWS.glob("*.md")))
    missing = [(key, term) for key, terms in text.synonyms().items() for term in terms if term not in corpus]
    assert not missing


def _report(name: str, result: Evaluation) -> str:
    return (
        f"{name}: top-5 hit rate {result.hits}/{result.total} = {result.rate:.1%} "
        f"(simplified {result.script_rate('simplified'):.1%}, traditional {result.script_rate('traditional'):.1%})"
    )


@pytest.mark.django_db
def test_top5_hit_rate_on_the_real_laws() -> None:
    report = laws_import(directory=LAWS)
    assert not report.errors
    tuned = evaluate(load_questions(QUESTIONS), k=5)
    holdout = evaluate(load_questions(HOLDOUT), k=5)
    print(f"\n{_report('tuned set', tuned)}\n{_report('held-out set', holdout)}")
    assert tuned.rate >= REGRESSION_FLOOR, [m.id for m in tuned.misses]
    assert holdout.rate >= HOLDOUT_FLOOR, [m.id for m in holdout.misses]


def test_holdout_labels_name_articles_of_the_corpus() -> None:
    """Each label is `law key` + `number_text` of an article in ../shared/data/laws (checked on the files, so a
    typo in a label cannot pass as a miss)."""
    texts = {p.name.split("(")[0].removesuffix(".md"): p.read_text(encoding="utf-8") for p in LAWS.glob("*.md")}
    for item in json.loads(HOLDOUT.read_text(encoding="utf-8")):
        for answer in item["answers"]:
            body = texts.get(answer["law"])
            assert body is not None, (item["id"], answer["law"])
            assert f"\n{answer['article']} " in body or f"\n{answer['article']}　" in body, (item["id"], answer)
