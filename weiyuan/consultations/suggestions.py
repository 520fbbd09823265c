"""Suggestions from the knowledge base (the search of `weiyuan.search`): similar published Q&A while the applicant
types the question, and articles and Q&A for the handler writing the answer. Short or empty text gives nothing,
never an error: a suggestion box must not get in the way of asking."""

from __future__ import annotations

from dataclasses import dataclass, field

from weiyuan.search.query import Hit, QueryError, related, search

# Fewer characters than this say too little to look for (and a half-typed word finds noise).
MIN_SUGGEST_LENGTH = 4
SIMILAR_QA_LIMIT = 5
EDITOR_LIMIT = 8


def similar_qa(text: str, *, limit: int = SIMILAR_QA_LIMIT) -> list[Hit]:
    """Published Q&A similar to a question being typed (its keywords, best first)."""
    cleaned = (text or "").replace("\x00", "").strip()
    if len(cleaned) < MIN_SUGGEST_LENGTH:
        return []
    return related(cleaned, types=["qa"], limit=limit).hits


def editor_suggestions(question: str, *, limit: int = EDITOR_LIMIT) -> list[Hit]:
    """Articles and Q&A for the question being answered."""
    cleaned = (question or "").replace("\x00", "").strip()
    if len(cleaned) < MIN_SUGGEST_LENGTH:
        return []
    return related(cleaned, types=["article", "qa"], limit=limit).hits


@dataclass
class Lookup:
    """The editor's own search box: hits, or the message that explains why there are none."""

    query: str
    hits: list[Hit] = field(default_factory=list)
    message: str = ""


def editor_lookup(query: str, *, limit: int = EDITOR_LIMIT) -> Lookup:
    cleaned = (query or "").replace("\x00", "").strip()
    if not cleaned:
        return Lookup(cleaned)
    try:
        results = search(cleaned, types=["article", "qa"], limit=limit)
    except QueryError as exc:
        return Lookup(cleaned, message=str(exc))
    return Lookup(cleaned, hits=results.hits, message=results.hint)
