"""Public pages of the knowledge base: the home (published items by type and tag), an item, its version history.

Published items are open to everybody. The same URLs show an unpublished, in-review or withdrawn item to the staff
of its author centre and to supervisors above it (with a banner saying so); everybody else gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from weiyuan.access.knowledge import can_see_unpublished, is_kb_staff
from weiyuan.core.pagination import CappedPaginator
from weiyuan.knowledge import selectors
from weiyuan.knowledge.formatting import render_text
from weiyuan.knowledge.models import ItemType, KnowledgeItem, KnowledgeItemVersion, TagKind
from weiyuan.knowledge.workflow import allowed_transitions, state_label

PAGE_SIZE = 20


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    item_type = request.GET.get("type", "")
    if item_type not in ItemType.values:
        item_type = ""
    tag_code = request.GET.get("tag", "").strip()
    tags = selectors.tag_list()
    tag = next((t for t in tags if t.code == tag_code), None)
    filters = selectors.ItemFilters(item_type=item_type, tag_code=tag.code if tag else "")
    page = CappedPaginator(selectors.item_public_list(filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.item_public_counts()
    return render(
        request,
        "knowledge/home.html",
        {
            "page": page,
            "item_type": item_type,
            "types": [(code, label, counts.get(code, 0)) for code, label in ItemType.choices],
            "total": sum(counts.values()),
            "tag": tag,
            "unknown_tag": tag_code if tag_code and tag is None else "",
            "tag_groups": [
                (label, [t for t in tags if t.kind == kind])
                for kind, label in TagKind.choices
                if kind != TagKind.IP_TYPE
            ],
            "ip_tags": [t for t in tags if t.kind == TagKind.IP_TYPE],
            "is_kb_staff": is_kb_staff(request.user),
        },
    )


def version_context(item: KnowledgeItem, version: KnowledgeItemVersion) -> dict[str, Any]:
    """What the page of one version shows: its text with cited articles linked, its citations and tags."""
    cited = selectors.version_citations(version)
    return {
        "version": version,
        "citations": cited,
        "body_html": render_text(version.body, cited) if version.body else "",
        "question_html": render_text(version.question, cited) if version.question else "",
        "answer_html": render_text(version.answer, cited) if version.answer else "",
        "summary": version.summary,
    }


@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The published version; for the author centre an unpublished item shows its draft (as a preview)."""
    user = request.user
    item = selectors.item_get(user=user, pk=pk)
    staff_view = can_see_unpublished(user, item)
    version = item.published_version if item.is_public else (item.draft_version or item.published_version)
    assert version is not None
    context = {
        "item": item,
        "staff_view": staff_view,
        "state_label": state_label(item),
        "is_preview": not item.is_public,
        "pending": item.draft_version if (item.is_public and staff_view) else None,
        "actions": allowed_transitions(item, user) if staff_view else [],
        "tags": list(item.tags.order_by("kind", "position")) if item.is_public else selectors.version_tags(version),
        **version_context(item, version),
    }
    return render(request, "knowledge/item_detail.html", context)


@require_GET
def item_history(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.item_get(user=user, pk=pk)
    page = CappedPaginator(selectors.item_versions(user=user, item=item), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/item_history.html",
        {
            "item": item,
            "page": page,
            "versions": page.object_list,
            "staff_view": can_see_unpublished(user, item),
            "state_label": state_label(item),
        },
    )


@require_GET
def item_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    user = request.user
    item = selectors.item_get(user=user, pk=pk)
    version = selectors.item_version_get(user=user, item=item, number=number)
    context = {
        "item": item,
        "staff_view": can_see_unpublished(user, item),
        "state_label": state_label(item),
        "is_live": item.is_public and version.pk == item.published_version_id,
        "tags": selectors.version_tags(version),
        **version_context(item, version),
    }
    return render(request, "knowledge/item_version.html", context)
