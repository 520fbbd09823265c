"""Public pages of the legal corpus: the list of laws, a law with its table of contents, one article."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from weiyuan.knowledge import selectors
from weiyuan.knowledge.models import LawKind


def _version_number(request: HttpRequest) -> int | None:
    raw = request.GET.get("version", "")
    return int(raw) if raw.isdigit() else None


@require_GET
def law_index(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in LawKind.values:
        kind = ""
    page = Paginator(selectors.law_list(kind=kind), 25).get_page(request.GET.get("page"))
    return render(request, "knowledge/law_index.html", {"page": page, "kind": kind, "kinds": LawKind.choices})


@require_GET
def law_detail(request: HttpRequest, key: str) -> HttpResponse:
    law = selectors.law_get(key=key)
    version = selectors.law_version_get(law=law, number=_version_number(request))
    articles = list(selectors.article_list(version=version))
    return render(
        request,
        "knowledge/law_detail.html",
        {"law": law, "version": version, "versions": list(law.versions.order_by("-number")), "articles": articles},
    )


@require_GET
def article_detail(request: HttpRequest, key: str, number_text: str) -> HttpResponse:
    law = selectors.law_get(key=key)
    version = selectors.law_version_get(law=law, number=_version_number(request))
    article = selectors.article_get(version=version, number_text=number_text)
    existing = set(version.articles.values_list("number_text", flat=True))
    previous, following = selectors.article_neighbours(article=article)
    return render(
        request,
        "knowledge/article_detail.html",
        {
            "law": law,
            "version": version,
            "article": article,
            "citation": selectors.citation(article),
            "text": selectors.linked_text(article, existing=existing),
            "previous": previous,
            "following": following,
            "is_current": version.pk == law.current_version_id,
        },
    )
