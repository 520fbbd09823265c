"""Law articles in the search index: the articles of each law's current version, one entry per article.

Importing a new version re-indexes that law (the old version's articles leave the index; their pages stay, since
answers cite exact versions). `kb_reindex` walks `article_items()` through the registry in `weiyuan/search/sources.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import F
from django.urls import reverse

from weiyuan.knowledge.models import Article, Law
from weiyuan.search import sources
from weiyuan.search.indexing import EntryData, entries_remove, entries_write
from weiyuan.search.models import SearchEntry, Source

# Which IP types a law is about, read from its title (used by the IP-type filter of the search).
IP_TYPES_BY_TITLE_WORD = {
    "专利": ("invention", "utility_model", "design"),
    "商标": ("trademark",),
    "著作权": ("copyright",),
    "计算机软件": ("copyright",),
    "地理标志": ("gi",),
    "集成电路": ("ic_layout",),
    "反不正当竞争": ("trade_secret", "trademark"),
    "商业秘密": ("trade_secret",),
}


def law_ip_types(title: str) -> tuple[str, ...]:
    found = [code for word, codes in IP_TYPES_BY_TITLE_WORD.items() if word in title for code in codes]
    return tuple(dict.fromkeys(found))


# Authority of a kind of text for a nationwide audience (see SearchEntry.rank_weight).
RANK_WEIGHT_BY_KIND = {"law": 1.0, "judicial_interpretation": 1.0, "regulation": 0.9, "local_regulation": 0.6}


AMENDING_DECISION_WEIGHT = 0.4


def _rank_weight(law: Law, article: Article) -> float:
    # A decision amending other texts (修改…的决定) is one long document holding every amended word; people read
    # the amended texts themselves, so it should not outrank them.
    if not article.number and law.title.endswith("决定"):
        return AMENDING_DECISION_WEIGHT
    return RANK_WEIGHT_BY_KIND.get(law.kind, 0.8)


def _date(label: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(label)
    except ValueError:
        return None


def article_entry(article: Article, law: Law) -> EntryData:
    citation = f"{law.key} {article.number_text}" if article.number else law.key
    return EntryData(
        source=Source.ARTICLE,
        source_id=article.pk,
        title=citation,
        body=article.text,
        url=reverse("knowledge:article", args=[law.key, article.number_text]),
        published_on=_date(article.version.effective_label),
        law_key=law.key,
        law_title=law.title,
        article_number=article.number or None,
        article_text=article.number_text,
        ip_types=law_ip_types(law.title),
        keywords=" ".join(filter(None, [law.title, article.chapter, article.section])),
        index_title="",
        rank_weight=_rank_weight(law, article),
    )


def _current_articles() -> Iterator[tuple[Article, Law]]:
    laws = Law.objects.filter(current_version__isnull=False).select_related("current_version")
    for law in laws.iterator(chunk_size=100):
        for article in (
            Article.objects.filter(version=law.current_version).select_related("version").order_by("position")
        ):
            yield article, law


def article_items() -> Iterator[EntryData]:
    for article, law in _current_articles():
        yield article_entry(article, law)


def article_count() -> int:
    return Article.objects.filter(version__law__current_version=F("version")).count()


def law_reindex(*, law: Law) -> int:
    """Replace a law's entries by the articles of its current version (called by the importer)."""
    old = SearchEntry.objects.filter(source=Source.ARTICLE, law_key=law.key).values_list("source_id", flat=True)
    entries_remove(source=Source.ARTICLE, source_ids=list(old))
    if law.current_version is None:
        return 0
    items = [
        article_entry(article, law)
        for article in Article.objects.filter(version=law.current_version).select_related("version")
    ]
    entries_write(items)
    return len(items)


sources.register("articles", article_items, article_count)
