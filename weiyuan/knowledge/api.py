"""The knowledge base in the REST API (tag "knowledge"): published guides, Q&A, case studies and training materials,
and the laws with their articles. Read-only; drafts, items in review and withdrawn items are never served here.

Like every route of the API, these need a caller (API token or session). Routes parse, make one selector call and
shape the answer.

No `from __future__ import annotations`: django-ninja resolves the annotations of decorated views at import time.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from weiyuan.api.schemas import CleanIn, DetailOut, ValidationErrorOut
from weiyuan.api.selectors import page_of
from weiyuan.core.pagination import COUNT_CAP
from weiyuan.knowledge import selectors
from weiyuan.knowledge.models import Article, ItemType, KnowledgeItem, Law, LawKind

router = Router(tags=["knowledge"])

ERRORS = {401: DetailOut, 403: DetailOut, 404: DetailOut}
INVALID = {422: ValidationErrorOut}


# --- shapes ---------------------------------------------------------------------------------------------------


class ItemListQuery(CleanIn):
    type: str = Field("", description="guide, qa, case_study or training; empty: all types.")
    tag: str = Field("", max_length=40, description="A tag code (IP type, industry or topic), e.g. `trademark`.")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


class LawListQuery(CleanIn):
    kind: str = Field("", description="law, regulation, judicial_interpretation, local_regulation or other.")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=100)


class ArticleQuery(CleanIn):
    version: int | None = Field(None, ge=1, description="A version number of the law; default: the current one.")


class CentreOut(Schema):
    code: str
    name: str


class TagOut(Schema):
    kind: str
    code: str
    name: str
    name_en: str = Field(description="English name; empty where none is recorded.")


class ItemSummaryOut(Schema):
    id: int
    type: str
    type_label: str
    title: str
    summary: str
    centre: CentreOut
    tags: list[TagOut]
    published_at: dt.datetime
    featured_qa: bool = Field(description="An excellent Q&A (优秀问答) published from a consultation answer.")
    url: str


class ItemListOut(Schema):
    items: list[ItemSummaryOut]
    count: int
    count_capped: bool = False
    page: int
    page_size: int
    pages: int


class CitationOut(Schema):
    citation: str = Field(description='How the article is cited, e.g. "电子商务法 第四十三条".')
    law: str
    law_title: str
    article: str
    article_number: int
    law_version: int
    is_current_version: bool
    text: str
    url: str


class ItemOut(ItemSummaryOut):
    version: int
    body: str
    question: str
    answer: str
    citations: list[CitationOut]


class LawOut(Schema):
    key: str
    title: str
    kind: str
    kind_label: str
    version: int
    effective_label: str
    url: str


class LawListOut(Schema):
    items: list[LawOut]
    count: int
    page: int
    page_size: int
    pages: int


class ArticleOut(CitationOut):
    chapter: str
    section: str
    effective_label: str


# --- shaping --------------------------------------------------------------------------------------------------


def _summary_fields(item: KnowledgeItem) -> dict[str, Any]:
    version = item.published_version
    assert version is not None and item.published_at is not None
    return {
        "id": item.pk,
        "type": item.item_type,
        "type_label": str(item.get_item_type_display()),
        "title": version.title,
        "summary": version.summary,
        "centre": CentreOut(code=item.centre.code, name=item.centre.name),
        "tags": [TagOut(kind=t.kind, code=t.code, name=t.name, name_en=t.name_en) for t in item.tags.all()],
        "published_at": item.published_at,
        "featured_qa": item.origin == "consultation",
        "url": reverse("knowledge:item", args=[item.pk]),
    }


def _citation_fields(article: Article) -> dict[str, Any]:
    law = article.version.law
    return {
        "citation": selectors.citation(article),
        "law": law.key,
        "law_title": law.title,
        "article": article.number_text,
        "article_number": article.number,
        "law_version": article.version.number,
        "is_current_version": article.version_id == law.current_version_id,
        "text": article.text,
        "url": selectors.article_url(article),
    }


def _law_out(law: Law) -> LawOut:
    version = law.current_version
    assert version is not None
    return LawOut(
        key=law.key,
        title=law.title,
        kind=law.kind,
        kind_label=str(law.get_kind_display()),
        version=version.number,
        effective_label=version.effective_label,
        url=reverse("knowledge:law", args=[law.key]),
    )


# --- routes ---------------------------------------------------------------------------------------------------


@router.get("/items", response={200: ItemListOut, **ERRORS, **INVALID}, url_name="kb_item_list")
def kb_item_list(request: HttpRequest, query: Query[ItemListQuery]) -> ItemListOut:
    """Published knowledge items, newest first, filtered by type and tag, paginated (page_size ≤ 100)."""
    if query.type and query.type not in ItemType.values:
        raise ValidationError({"type": _("type 只能取：%(values)s。") % {"values": ", ".join(ItemType.values)}})
    tag = selectors.tag_get(code=query.tag) if query.tag else None
    if query.tag and tag is None:
        raise ValidationError({"tag": _("没有代码为「%(code)s」的标签。") % {"code": query.tag}})
    qs = selectors.item_public_list(
        filters=selectors.ItemFilters(item_type=query.type, tag_code=tag.code if tag else "")
    )
    items, count, pages = page_of(qs, page=query.page, page_size=query.page_size)
    return ItemListOut(
        items=[ItemSummaryOut(**_summary_fields(i)) for i in items],
        count=count,
        count_capped=count >= COUNT_CAP,
        page=query.page,
        page_size=query.page_size,
        pages=pages,
    )


@router.get("/items/{int:item_id}", response={200: ItemOut, **ERRORS, **INVALID}, url_name="kb_item_detail")
def kb_item_detail(request: HttpRequest, item_id: int) -> ItemOut:
    """A published item: its live version's text and the articles it cites (with their text). 404 otherwise."""
    item = selectors.item_published_get(pk=item_id)
    version = item.published_version
    assert version is not None
    return ItemOut(
        **_summary_fields(item),
        version=version.number,
        body=version.body,
        question=version.question,
        answer=version.answer,
        citations=[CitationOut(**_citation_fields(c.article)) for c in selectors.version_citations(version)],
    )


@router.get("/laws", response={200: LawListOut, **ERRORS, **INVALID}, url_name="kb_law_list")
def kb_law_list(request: HttpRequest, query: Query[LawListQuery]) -> LawListOut:
    """Laws, regulations and judicial interpretations in the knowledge base, with their current version."""
    if query.kind and query.kind not in LawKind.values:
        raise ValidationError({"kind": _("kind 只能取：%(values)s。") % {"values": ", ".join(LawKind.values)}})
    items, count, pages = page_of(selectors.law_list(kind=query.kind), page=query.page, page_size=query.page_size)
    return LawListOut(
        items=[_law_out(law) for law in items], count=count, page=query.page, page_size=query.page_size, pages=pages
    )


@router.get(
    "/laws/{key}/articles/{number_text}", response={200: ArticleOut, **ERRORS, **INVALID}, url_name="kb_article"
)
def kb_article(request: HttpRequest, key: str, number_text: str, query: Query[ArticleQuery]) -> ArticleOut:
    """One article as written (`第四十三条`), with its citation and page URL; `?version=N` for an earlier text."""
    law = selectors.law_get(key=key)
    version = selectors.law_version_get(law=law, number=query.version)
    article = selectors.article_get(version=version, number_text=number_text)
    return ArticleOut(
        **_citation_fields(article),
        chapter=article.chapter,
        section=article.section,
        effective_label=version.effective_label,
    )
