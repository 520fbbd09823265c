"""GET /api/v1/kb/search — the knowledge-base search for programs (same engine as /kb/search/).

No `from __future__ import annotations` here: django-ninja resolves annotations against this module.
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from weiyuan.api.schemas import CleanIn, DetailOut, ValidationErrorOut
from weiyuan.core.choices import IPType
from weiyuan.search.backends.base import COUNT_CAP
from weiyuan.search.query import QueryError, search

router = Router(tags=["knowledge"])

SourceCode = Literal["article", "guide", "qa", "case_study", "training"]


class SearchQuery(CleanIn):
    q: str = Field(..., description="What to find: words, a question, or a citation such as 商标法第十三条.")
    type: list[SourceCode] = Field(default_factory=list, description="Repeat to allow several types.")
    law: str = Field("", max_length=200, description="Only articles of this law (its short title, e.g. 商标法).")
    ip_type: str = Field("", max_length=20, description="Only content about this IP type: " + ", ".join(IPType))
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = Field(1, ge=1, le=1000)
    page_size: int = Field(10, ge=1, le=50)


class SearchHitOut(Schema):
    type: str
    title: str
    law: str = Field(description="Full title of the law, for articles.")
    law_key: str
    article: str = Field(description="Article number as written, e.g. 第四十三条.")
    score: float
    snippet: str = Field(description="HTML: escaped text with the matched words in <mark>.")
    url: str
    id: int
    published_on: dt.date | None


class SearchOut(Schema):
    query: str
    total: int
    total_is_capped: bool = Field(
        description="True when the count stopped at its cap (1,000): the hits are the best of the broad query's"
        " candidates, and pages stop there."
    )
    page: int
    page_size: int
    relaxed: bool = Field(description="True when no entry holds every word: hits hold some of them.")
    fuzzy: bool = Field(description="True when no word matched: hits have a title close to the query.")
    hint: str = Field(description="Set when the query has no searchable words (only punctuation or stop words).")
    hits: list[SearchHitOut]


@router.get(
    "/search",
    response={200: SearchOut, 401: DetailOut, 422: ValidationErrorOut},
    url_name="kb_search",
)
def kb_search(request: HttpRequest, query: Query[SearchQuery]) -> Any:
    """Search laws (per article), guides, Q&A, case studies and training materials; best first."""
    if query.ip_type and query.ip_type not in IPType.values:
        raise ValidationError({"ip_type": [_("应为以下之一：%(codes)s。") % {"codes": ", ".join(IPType.values)}]})
    try:
        results = search(
            query.q,
            types=query.type,
            law_key=query.law,
            ip_type=query.ip_type,
            date_from=query.date_from,
            date_to=query.date_to,
            limit=query.page_size,
            offset=(query.page - 1) * query.page_size,
        )
    except QueryError as exc:
        raise ValidationError({"q": [str(exc)]}) from exc
    return {
        "query": results.query,
        "total": results.total,
        "total_is_capped": results.total >= COUNT_CAP,
        "page": query.page,
        "page_size": query.page_size,
        "relaxed": results.relaxed,
        "fuzzy": results.fuzzy,
        "hint": results.hint,
        "hits": [{**hit.as_json(), "law_key": hit.law_key, "published_on": hit.published_on} for hit in results.hits],
    }
