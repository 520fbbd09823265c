"""Reading laws and articles (public: published legal texts are open to everyone)."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from weiyuan.knowledge.models import Article, Law, LawVersion
from weiyuan.knowledge.parsing import chinese_number

REFERENCE_RE = re.compile(
    r"(本法|本条例|本规定|本解释|本细则)?第([零〇一二两三四五六七八九十百千]+)条(之[一二三四五六七八九十]+)?"
)


LAW_NAME_ENDS = set("法例》定释则")


def law_list(*, kind: str = "") -> QuerySet[Law]:
    qs = Law.objects.filter(current_version__isnull=False).select_related("current_version")
    return qs.filter(kind=kind) if kind else qs


def law_get(*, key: str) -> Law:
    law = Law.objects.select_related("current_version").filter(key=key, current_version__isnull=False).first()
    if law is None:
        raise Http404("law not found")
    return law


def law_version_get(*, law: Law, number: int | None) -> LawVersion:
    if number is None:
        assert law.current_version is not None
        return law.current_version
    version = law.versions.filter(number=number).first()
    if version is None:
        raise Http404("version not found")
    return version


def article_list(*, version: LawVersion) -> QuerySet[Article]:
    return version.articles.order_by("position")


def article_get(*, version: LawVersion, number_text: str) -> Article:
    article = version.articles.filter(number_text=number_text).first()
    if article is None:
        raise Http404("article not found")
    return article


def article_neighbours(*, article: Article) -> tuple[Article | None, Article | None]:
    siblings = article.version.articles
    previous = siblings.filter(position__lt=article.position).order_by("-position").first()
    following = siblings.filter(position__gt=article.position).order_by("position").first()
    return previous, following


def citation(article: Article) -> str:
    """How the article is cited: "电子商务法 第四十三条"."""
    return f"{article.version.law.key} {article.number_text}" if article.number else article.version.law.key


def linked_text(article: Article, *, existing: set[str]) -> SafeString:
    """The article text with references to other articles of the same law ("依照本法第四十二条") as links."""
    law_key = article.version.law.key
    out: list[str] = []
    for index, paragraph in enumerate(article.text.split("\n\n")):
        pieces: list[str] = []
        last = 0
        for match in REFERENCE_RE.finditer(paragraph):
            target = f"第{match.group(2)}条{match.group(3) or ''}"
            pieces.append(escape(paragraph[last : match.start()]))
            # "专利法第六十五条" cites another law: only "本法第…条" or a bare "第…条" points into this one.
            cites_other_law = (
                not match.group(1) and paragraph[max(0, match.start() - 1) : match.start()] in LAW_NAME_ENDS
            )
            if target in existing and target != article.number_text and not cites_other_law:
                chinese_number(match.group(2))  # validates the numeral
                url = reverse("knowledge:article", args=[law_key, target])
                pieces.append(f'<a href="{escape(url)}">{escape(match.group(0))}</a>')
            else:
                pieces.append(escape(match.group(0)))
            last = match.end()
        pieces.append(escape(paragraph[last:]))
        html = "".join(pieces)
        if index > 0:
            # "前款" is the paragraph just before, in the same article.
            html = html.replace("前款", f'<a href="#p{index}">前款</a>')
        out.append(f'<p id="p{index + 1}">' + html + "</p>")
    return mark_safe("".join(out))
