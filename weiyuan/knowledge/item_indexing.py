"""Published guides, Q&A, case studies and training materials in the search index: one entry per item, holding its
live version. The services update the entry when an item is published, a new version approved, or the item
withdrawn or republished; `kb_reindex` walks `published_item_entries()` through `weiyuan/search/sources.py`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from weiyuan.knowledge.content import search_text
from weiyuan.knowledge.formatting import plain_text
from weiyuan.knowledge.models import KnowledgeCitation, KnowledgeItem, Tag, TagKind
from weiyuan.knowledge.selectors import citation
from weiyuan.search import sources
from weiyuan.search.indexing import EntryData


def with_index_data(qs: QuerySet[KnowledgeItem]) -> QuerySet[KnowledgeItem]:
    """What an entry needs, in a fixed number of queries however many items."""
    return qs.select_related("published_version", "centre").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("kind", "position")),
        Prefetch(
            "published_version__citations",
            queryset=KnowledgeCitation.objects.select_related("article__version__law").order_by("position"),
        ),
    )


def item_entry_fields(item: KnowledgeItem) -> dict[str, Any]:
    """The arguments of `entry_upsert` (and `EntryData`) for an item's live version."""
    version = item.published_version
    assert version is not None and item.published_at is not None
    tags = list(item.tags.all())
    cited = [citation(row.article) for row in version.citations.all()]
    return {
        "source": item.item_type,
        "source_id": item.pk,
        "title": version.title,
        # Bodies are written in Markdown: the index and its snippets get the words, not the marks ("## ", "**").
        "body": plain_text(search_text(item.item_type, version, cited)),
        "url": reverse("knowledge:item", args=[item.pk]),
        "published_on": timezone.localdate(item.published_at),
        "ip_types": tuple(sorted(t.code for t in tags if t.kind == TagKind.IP_TYPE)),
        "centre_id": item.centre_id,
        # Weighted between title and body, not shown: the tags and the author centre.
        "keywords": " ".join([*(t.name for t in tags), item.centre.name]),
    }


def item_index_fields(item: KnowledgeItem) -> dict[str, Any]:
    """The fields for one item, read afresh with everything it needs (for the services)."""
    return item_entry_fields(with_index_data(KnowledgeItem.objects_unscoped.filter(pk=item.pk)).get())


def published_item_entries() -> Iterator[EntryData]:
    items = with_index_data(KnowledgeItem.objects.published().order_by("pk"))
    for item in items.iterator(chunk_size=500):
        yield EntryData(**item_entry_fields(item))


def published_item_count() -> int:
    return KnowledgeItem.objects.published().count()


sources.register("knowledge_items", published_item_entries, published_item_count)
