"""How much a word of the query says: inverse document frequency over the legal corpus.

A query word found in few articles (举证责任, 优先权, 异议) tells more about the answer than one found in hundreds
(专利, 规定, 人民法院). The coordination re-rank (`query._coordination`) counts the words an entry holds weighted
by this, so an article holding the rare words of the question beats one holding only its common ones.

The frequencies are a data file (`data/word_df.txt`, built by `manage.py kb_word_weights` from what is indexed),
read once per process: a dictionary lookup per word at query time, no query to the database. They change slowly
with the content; rebuild the file after large imports.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from weiyuan.search import text

WORD_DF_FILE = text.DATA_DIR / "word_df.txt"
MIN_DF_KEPT = 2  # words in a single document are left out of the file; a missing word counts as that rare
HEADER = "# documents\t"


def document_frequencies(documents: Iterable[str]) -> tuple[int, Counter[str]]:
    """(number of documents, word -> number of documents holding it) over normalised texts."""
    count = 0
    frequencies: Counter[str] = Counter()
    for document in documents:
        count += 1
        frequencies.update(set(text.words(document)))
    return count, frequencies


def write(path: Path, documents: Iterable[str]) -> int:
    """Write the frequency file; returns the number of words kept."""
    count, frequencies = document_frequencies(documents)
    kept = sorted((w, n) for w, n in frequencies.items() if n >= MIN_DF_KEPT)
    lines = [
        "# Document frequency of each index word over the knowledge base (manage.py kb_word_weights).",
        f"{HEADER}{count}",
        *(f"{word}\t{n}" for word, n in kept),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(kept)


@cache
def _table() -> tuple[int, dict[str, int]]:
    if not WORD_DF_FILE.exists():
        return 0, {}
    count, table = 0, {}
    for line in WORD_DF_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith(HEADER):
            count = int(line[len(HEADER) :])
        elif line and not line.startswith("#"):
            word, _, n = line.partition("\t")
            table[word] = int(n)
    return count, table


def frequency(word: str) -> int:
    return _table()[1].get(word, 1)


def idf(documents: int) -> float:
    """Inverse document frequency of a word held by `documents` texts; at least a small positive weight."""
    count = _table()[0]
    if not count:
        return 1.0
    return max(math.log((count + 1) / (max(documents, 1) + 0.5)), 0.1)


def _group_frequency(alternatives: Iterable[tuple[str, ...]]) -> int | None:
    """A query word is held as widely as its commonest alternative (it matches wherever any alternative does); an
    alternative of several words as narrowly as its rarest word."""
    frequencies = [min(frequency(t) for t in alt) for alt in alternatives if alt]
    return max(frequencies) if frequencies else None


def share(alternatives: Iterable[tuple[str, ...]]) -> float:
    """Estimated share of the texts holding a query word (through any of its alternatives)."""
    count = _table()[0]
    documents = _group_frequency(alternatives)
    return documents / count if count and documents is not None else 0.0


def alternatives_weight(alternatives: Iterable[tuple[str, ...]]) -> float:
    """Weight of a query word in the coordination re-rank: its inverse document frequency."""
    documents = _group_frequency(alternatives)
    return idf(documents) if documents is not None else 0.0
