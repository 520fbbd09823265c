"""The one search over the knowledge base: laws per article, guides, Q&A, case studies, training materials.

All words first; when fewer than RELAX_BELOW entries hold them all, any word (more words rank higher), with a note
saying so; when nothing matches, titles close to the query (PostgreSQL trigram similarity). Boosts: the law named
in the query, the article number named in it ("第四十三条", "43条"), title words over body words.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import jieba.analyse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from weiyuan.search import text, weights
from weiyuan.search.backends import Backend, Filters, Mode, backend
from weiyuan.search.backends.base import PIN_BOOST
from weiyuan.search.models import SearchEntry, Source
from weiyuan.search.plan import Plan, plan

MAX_QUERY_LENGTH = 200
MAX_LIMIT = 100
RELAX_BELOW = 5
SNIPPET_WIDTH = 110
MAX_RELATED_KEYWORDS = 10
RERANK_WINDOW = 50
COORDINATION_POWER = 2.0
COMMON_SHARE = 0.3  # a word in more of the texts than this does not choose candidates (see _candidate_plan)
HAYSTACK_CACHE = 4096  # normalised texts kept for the re-rank (an article is about 0.5 KB)


class QueryError(ValueError):
    """A query that cannot be searched (empty, too long); str() is the message for the person who typed it."""


@dataclass(frozen=True)
class Hit:
    type: str
    type_label: str
    title: str
    title_html: SafeString
    law: str
    law_key: str
    article: str
    score: float
    snippet: SafeString
    url: str
    source: str
    source_id: int
    published_on: dt.date | None

    def as_json(self) -> dict[str, object]:
        return {
            "type": self.type,
            "title": self.title,
            "law": self.law,
            "article": self.article,
            "score": round(self.score, 4),
            "snippet": str(self.snippet),
            "url": self.url,
            "id": self.source_id,
        }


@dataclass
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    offset: int = 0
    limit: int = 10
    hint: str = ""
    relaxed: bool = False  # broadened to any word: the first `all_words_total` hits hold every word
    all_words_total: int = 0
    fuzzy: bool = False  # no word matched: the hits have a title close to the query
    law_key: str = ""
    article_number: int | None = None


def _check(query: str) -> str:
    cleaned = (query or "").strip()
    if not cleaned:
        raise QueryError(_("请输入要查找的内容，例如“商标 抢注”或“电子商务法第四十三条”。"))
    if len(cleaned) > MAX_QUERY_LENGTH:
        raise QueryError(
            _("查询内容过长（%(length)d 字），请缩短到 %(max)d 字以内，只保留关键词。")
            % {"length": len(cleaned), "max": MAX_QUERY_LENGTH}
        )
    return cleaned


def search(
    query: str,
    *,
    types: Sequence[str] = (),
    law_key: str = "",
    ip_type: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 10,
    offset: int = 0,
) -> Results:
    cleaned = _check(query)
    filters = Filters(tuple(types), law_key, ip_type, date_from, date_to)
    return _run(cleaned, plan(cleaned), filters, limit=limit, offset=offset, relax=True)


def related(
    passage: str, *, types: Sequence[str] = (), ip_type: str = "", limit: int = 5, exclude_url: str = ""
) -> Results:
    """Entries related to a longer text (a question being typed, a question being answered): its keywords, any
    of them, best first. Short or empty passages give no hits, never an error."""
    cleaned = (passage or "").strip()
    if len(cleaned) < 2:
        return Results(query=cleaned, limit=limit)
    keywords = _keywords(cleaned[:2000])
    if not keywords:
        return Results(query=cleaned, limit=limit)
    query_plan = plan(" ".join(keywords))
    full = plan(cleaned[:MAX_QUERY_LENGTH])
    query_plan.law_key, query_plan.article_number = full.law_key, full.article_number
    results = _run(cleaned, query_plan, Filters(tuple(types), "", ip_type), limit=limit + 1, offset=0, relax=False)
    results.hits = [h for h in results.hits if h.url != exclude_url][:limit]
    results.limit = limit
    return results


_extractor_lock = threading.Lock()
_extractor: jieba.analyse.TFIDF | None = None


def _keywords(passage: str) -> list[str]:
    global _extractor
    with _extractor_lock:
        if _extractor is None:
            extractor = jieba.analyse.TFIDF()
            extractor.tokenizer = text.segmenter()
            extractor.postcut = extractor.tokenizer.cut
            _extractor = extractor
        found = _extractor.extract_tags(text.normalise(passage), topK=MAX_RELATED_KEYWORDS * 2)
    return [w for w in found if text.is_meaningful(w)][:MAX_RELATED_KEYWORDS]


def _run(query: str, query_plan: Plan, filters: Filters, *, limit: int, offset: int, relax: bool) -> Results:
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    results = Results(
        query=query, limit=limit, offset=offset, law_key=query_plan.law_key, article_number=query_plan.article_number
    )
    if not query_plan.groups and not query_plan.is_citation_only:
        results.hint = _(
            "查询中没有可检索的词语（只有标点或“怎么办”“请问”之类的常用词）。请写出要点，例如“专利 侵权 赔偿”。"
        )
        return results
    engine = backend()
    loaded: dict[int, SearchEntry] = {}  # entries read for the re-rank, reused for the hits (one read of the rows)
    if query_plan.is_citation_only:
        rows, total = _citation(query_plan, filters, limit=limit, offset=offset)
    else:
        mode = Mode.ALL if relax else Mode.ANY
        if mode == Mode.ALL:
            rows, total = engine.query(query_plan, filters, mode=mode, limit=limit, offset=offset)
        else:
            rows, total = _any_words(engine, query_plan, filters, limit=limit, offset=offset, pinned=[], loaded=loaded)
        if relax and total < RELAX_BELOW and len(query_plan.groups) > 1:
            results.all_words_total = total
            pinned = [pk for pk, _score in rows] if offset == 0 else []
            if total and not pinned:
                pinned = [pk for pk, _s in engine.query(query_plan, filters, mode=mode, limit=RELAX_BELOW, offset=0)[0]]
            rows, total = _any_words(
                engine, query_plan, filters, limit=limit, offset=offset, pinned=pinned, loaded=loaded
            )
            results.relaxed = True
        if total == 0 and relax:
            rows = engine.fuzzy_titles(query_plan, filters, limit=limit) if offset == 0 else []
            total = len(rows)
            results.fuzzy = bool(rows)
    results.total = total
    results.hits = _hits(rows, query_plan.highlight_terms, loaded)
    return results


def _any_words(
    engine: Backend,
    query_plan: Plan,
    filters: Filters,
    *,
    limit: int,
    offset: int,
    pinned: Sequence[int],
    loaded: dict[int, SearchEntry],
) -> tuple[list[tuple[int, float]], int]:
    """Any word may match; the engine's best RERANK_WINDOW are re-ranked by how many of the query's words each
    holds, each word weighted by its rarity (coordination: an article with four of five words beats one with a
    single word many times). Past the window the engine's order continues, so no entry appears twice across pages.
    The window's entries are read once, here, and kept in `loaded` for the hits."""
    candidates = _candidate_plan(query_plan)
    window, total = engine.query(candidates, filters, mode=Mode.ANY, limit=RERANK_WINDOW, offset=0, pinned=pinned)
    entries = SearchEntry.objects.in_bulk([pk for pk, _s in window])
    loaded.update(entries)
    group_weights = [weights.alternatives_weight(group.alternatives) for group in query_plan.groups]
    rescored = []
    for pk, score in window:
        entry = entries.get(pk)
        pin = PIN_BOOST if score >= PIN_BOOST else 0.0
        factor = _coordination(query_plan, entry, group_weights) if entry is not None else 0.0
        rescored.append((pk, (score - pin) * factor + pin))
    rescored.sort(key=lambda row: -row[1])
    rows = rescored[offset : offset + limit]
    if offset + limit > RERANK_WINDOW and len(window) == RERANK_WINDOW:
        start = max(offset, RERANK_WINDOW)
        rest, _total = engine.query(
            candidates, filters, mode=Mode.ANY, limit=offset + limit - start, offset=start, pinned=pinned
        )
        rows += rest
    return [(pk, score - PIN_BOOST if score >= PIN_BOOST else score) for pk, score in rows], total


def _candidate_plan(query_plan: Plan) -> Plan:
    """The words that choose the any-word candidates: not those in more than COMMON_SHARE of the texts (法院, 专利,
    人民法院), unless every word is that common. An entry holding only such words is no answer to a question that
    has rarer ones, and leaving them out spares the engine its longest lists. The re-rank still counts them."""
    common = [weights.share(g.alternatives) > COMMON_SHARE for g in query_plan.groups]
    if all(common) or not any(common):
        return query_plan
    groups = [g for g, c in zip(query_plan.groups, common, strict=True) if not c]
    return Plan(query_plan.normalised, groups, query_plan.law_key, query_plan.article_number)


@lru_cache(maxsize=HAYSTACK_CACHE)
def _haystack(title_normalised: str, law_title: str, body: str) -> str:
    """The entry's text as the index sees it (normalised). Cached by content: the same articles come back query
    after query, and normalising (OpenCC) is most of the re-rank's time."""
    return f"{title_normalised} {text.normalise(law_title)} {text.normalise(body)}"


def _coordination(query_plan: Plan, entry: SearchEntry, group_weights: Sequence[float]) -> float:
    """(weighted share of the query's words the entry holds) ** COORDINATION_POWER; a word weighs its rarity
    (`weights.alternatives_weight`), so holding 举证责任 counts for more than holding 规定."""
    haystack = _haystack(entry.title_normalised, entry.law_title, entry.body)
    total = sum(group_weights)
    matched = sum(
        weight
        for group, weight in zip(query_plan.groups, group_weights, strict=True)
        if any(all(t in haystack for t in alt) for alt in group.alternatives)
    )
    return (matched / total) ** COORDINATION_POWER if total else 0.0


def _citation(query_plan: Plan, filters: Filters, *, limit: int, offset: int) -> tuple[list[tuple[int, float]], int]:
    """ "电子商务法第四十三条": the article itself, found by law and number, not by words."""
    qs = SearchEntry.objects.filter(
        source=Source.ARTICLE, law_key=query_plan.law_key, article_number=query_plan.article_number
    )
    if filters.types and Source.ARTICLE not in filters.types:
        qs = qs.none()
    ids = list(qs.order_by("pk").values_list("pk", flat=True)[offset : offset + limit])
    return [(pk, 1.0) for pk in ids], qs.count()


def _hits(rows: list[tuple[int, float]], terms: list[str], loaded: dict[int, SearchEntry]) -> list[Hit]:
    missing = [pk for pk, _score in rows if pk not in loaded]
    entries = {**loaded, **SearchEntry.objects.in_bulk(missing)} if missing else loaded
    labels = dict(Source.choices)
    hits = []
    for pk, score in rows:
        entry = entries.get(pk)
        if entry is None:
            continue
        hits.append(
            Hit(
                type=entry.source,
                type_label=str(labels.get(entry.source, entry.source)),
                title=entry.title,
                title_html=highlight(entry.title, terms, width=None),
                law=entry.law_title,
                law_key=entry.law_key,
                article=entry.article_text,
                score=score,
                snippet=highlight(entry.body, terms, width=SNIPPET_WIDTH),
                url=entry.url,
                source=entry.source,
                source_id=entry.source_id,
                published_on=entry.published_on,
            )
        )
    return hits


_CLAUSE = re.compile(r"(?<=[，。；：！？,.;:!?])")


def _folded(original: str) -> str:
    """The text as the index sees it, character for character (same length), so positions map back."""
    folded = original.casefold()
    if len(folded) != len(original) or not unicodedata.is_normalized("NFKC", original):
        # Rare (full-width forms, ligatures, ß): fold character by character to keep the length.
        folded = "".join((unicodedata.normalize("NFKC", c).casefold() or c)[:1] for c in original)
    converted = text.converter.convert(folded)
    if len(converted) == len(folded):
        return converted
    # A phrase conversion changed the length somewhere: convert clause by clause, and character by character only
    # the clauses where that happened (long law articles would otherwise cost milliseconds per snippet).
    pieces = []
    for clause in _CLAUSE.split(folded):
        done = text.converter.convert(clause)
        pieces.append(
            done if len(done) == len(clause) else "".join((text.converter.convert(c) or c)[:1] for c in clause)
        )
    return "".join(pieces)


def highlight(original: str, terms: list[str], *, width: int | None) -> SafeString:
    """Escape `original` and wrap the query terms in <mark>; with `width`, cut a window around the most terms."""
    flat = " ".join(original.split())
    folded = _folded(flat)
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = folded.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = folded.find(term, start + len(term))
    spans = _merge(spans)
    begin, end = 0, len(flat)
    if width is not None and len(flat) > width:
        begin = _best_window(spans, width, len(flat))
        end = min(len(flat), begin + width)
    pieces: list[str] = ["…" if begin > 0 else ""]
    cursor = begin
    for start, stop in spans:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        pieces.append(html.escape(flat[cursor:start]))
        pieces.append("<mark>" + html.escape(flat[start:stop]) + "</mark>")
        cursor = stop
    pieces.append(html.escape(flat[cursor:end]))
    pieces.append("…" if end < len(flat) else "")
    return mark_safe("".join(pieces))  # every piece of the text is escaped above


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, stop in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(stop, merged[-1][1]))
        else:
            merged.append((start, stop))
    return merged


def _best_window(spans: list[tuple[int, int]], width: int, length: int) -> int:
    """Start of the window of `width` characters holding the most marked spans (a little context before it)."""
    if not spans:
        return 0
    best_start, best_count = spans[0][0], 0
    for i, (start, _stop) in enumerate(spans):
        count = sum(1 for s, _e in spans[i:] if s < start + width)
        if count > best_count:
            best_start, best_count = start, count
    return max(0, min(best_start - 12, length - width))
