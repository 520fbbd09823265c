"""Keeping the index current. Services call `entry_upsert` when content is published or changed and `entry_remove`
when it is withdrawn, inside their own transaction, so the index never disagrees with what is published.
`reindex` rebuilds everything from the registered sources (`weiyuan/search/sources.py`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import batched

from django.db import transaction

from weiyuan.search import text
from weiyuan.search.backends import backend
from weiyuan.search.models import SearchEntry
from weiyuan.search.plan import law_names_forget, law_names_update

BATCH_SIZE = 1000


@dataclass(frozen=True)
class EntryData:
    source: str
    source_id: int
    title: str
    body: str
    url: str
    published_on: dt.date | None = None
    law_key: str = ""
    law_title: str = ""
    article_number: int | None = None
    article_text: str = ""  # the article number as written: 第四十三条
    ip_types: Sequence[str] = ()
    centre_id: int | None = None
    rank_weight: float = 1.0
    # Indexed between title and body in weight, not shown: the law's title, chapter and section headings, tags.
    keywords: str = ""
    # Words of the title in the index; None: the title itself. Articles index none (their title is a citation).
    index_title: str | None = None
    words: tuple[str, str, str] | None = field(default=None, compare=False)  # pre-computed (title, keywords, body)

    def entry_fields(self) -> dict[str, object]:
        return {
            "title": self.title[:400],
            "title_normalised": text.normalise(self.title)[:400],
            "body": self.body,
            "url": self.url,
            "published_on": self.published_on,
            "law_key": self.law_key,
            "law_title": self.law_title,
            "article_number": self.article_number,
            "article_text": self.article_text,
            "ip_types": (" " + " ".join(self.ip_types) + " ") if self.ip_types else "",
            "centre_id": self.centre_id,
            "rank_weight": self.rank_weight,
        }

    def index_words(self) -> tuple[str, str, str]:
        if self.words is not None:
            return self.words
        title = self.title if self.index_title is None else self.index_title
        return text.index_text(title), text.index_text(self.keywords), text.index_text(self.body)


def entry_upsert(
    *,
    source: str,
    source_id: int,
    title: str,
    body: str,
    url: str,
    published_on: dt.date | None = None,
    law_key: str = "",
    law_title: str = "",
    article_number: int | None = None,
    article_text: str = "",
    ip_types: Sequence[str] = (),
    centre_id: int | None = None,
    keywords: str = "",
) -> SearchEntry:
    data = EntryData(
        source=source,
        source_id=source_id,
        title=title,
        body=body,
        url=url,
        published_on=published_on,
        law_key=law_key,
        law_title=law_title,
        article_number=article_number,
        article_text=article_text,
        ip_types=tuple(ip_types),
        centre_id=centre_id,
        keywords=keywords,
    )
    with transaction.atomic():
        entry, _created = SearchEntry.objects.update_or_create(
            source=source, source_id=source_id, defaults=data.entry_fields()
        )
        backend().write([(entry.pk, *data.index_words())])
    if law_key:
        law_names_update(added=[law_key])
    return entry


def entries_remove(*, source: str, source_ids: Iterable[int]) -> int:
    rows = list(SearchEntry.objects.filter(source=source, source_id__in=list(source_ids)).values_list("pk", "law_key"))
    ids = [pk for pk, _law_key in rows]
    with transaction.atomic():
        backend().delete(ids)
        SearchEntry.objects.filter(pk__in=ids).delete()
    law_names_update(removed={law_key for _pk, law_key in rows if law_key})
    return len(ids)


def entry_remove(*, source: str, source_id: int) -> None:
    entries_remove(source=source, source_ids=[source_id])


def entries_write(items: Sequence[EntryData]) -> None:
    """Insert a batch of new entries (the sources are known not to be indexed yet: reindex, bulk loads)."""
    entries = SearchEntry.objects.bulk_create(
        SearchEntry(source=item.source, source_id=item.source_id, **item.entry_fields()) for item in items
    )
    backend().write([(entry.pk, *item.index_words()) for entry, item in zip(entries, items, strict=True)])
    law_names_update(added={item.law_key for item in items if item.law_key})


def index_optimize() -> None:
    """Call after loading many entries (law imports, bulk content)."""
    backend().optimize()


def reindex(*, progress: Callable[[int], object] | None = None) -> int:
    """Drop the whole index and rebuild it from every registered source; returns the number of entries."""
    from weiyuan.search.sources import all_items

    count = 0
    with transaction.atomic():
        backend().clear()
        SearchEntry.objects.all().delete()
        for batch in batched(all_items(), BATCH_SIZE):
            entries_write(batch)
            count += len(batch)
            if progress:
                progress(len(batch))
        backend().optimize()
    law_names_forget()
    return count
