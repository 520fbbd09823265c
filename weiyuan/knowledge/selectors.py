"""Reading the knowledge base. Laws and articles are public legal texts; guides, Q&A, case studies and training
materials are public once published, and otherwise scoped by the acting user through weiyuan/access/knowledge.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from weiyuan.access.knowledge import can_see_unpublished, item_staff_q, kb_reviewer_centre_ids
from weiyuan.knowledge.models import (
    Article,
    DraftState,
    ItemStatus,
    KnowledgeItem,
    KnowledgeItemVersion,
    Law,
    LawVersion,
    Tag,
    VersionState,
)
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


# --- citations: "电子商务法 第四十三条" <-> the article row ----------------------------------------------------

CITATION_ARTICLE_RE = re.compile(
    r"第([零〇一二两三四五六七八九十百千]+|\d{1,4})条(之[一二三四五六七八九十]+)?"
    r"(?:\s*(?:至|到|-|—|~|～)\s*第([零〇一二两三四五六七八九十百千]+|\d{1,4})条)?"
)
CITATION_SEPARATORS_RE = re.compile(r"[、，,；;\s]+")
MAX_CITATIONS = 40


def article_url(article: Article) -> str:
    """The article's page; `?version=N` when the cited text is not the law's current version."""
    law = article.version.law
    url = reverse("knowledge:article", args=[law.key, article.number_text])
    return url if article.version_id == law.current_version_id else f"{url}?version={article.version.number}"


def _law_for_citation(name: str) -> Law | None:
    key = name.strip().strip("《》").strip().removeprefix("中华人民共和国").strip("《》").strip()
    if not key:
        return None
    law = Law.objects.select_related("current_version").filter(key=key, current_version__isnull=False).first()
    if law is None:
        law = (
            Law.objects.select_related("current_version")
            .filter(title__in=[key, f"中华人民共和国{key}"], current_version__isnull=False)
            .first()
        )
    return law


def _numeral(text: str) -> int:
    return int(text) if text.isdigit() else chinese_number(text)


def _articles_of_line(line: str, line_number: int) -> list[Article]:
    """One line of the citation field: a law and its articles ("电子商务法 第四十二条、第四十三条", "专利法 第六十五条至
    第六十八条"), or a law without numbered articles on its own."""
    first = CITATION_ARTICLE_RE.search(line)
    law_name = line[: first.start()] if first else line
    law = _law_for_citation(law_name)
    where = _("第 %(n)s 行「%(line)s」") % {"n": line_number, "line": line}
    if law is None:
        raise ValidationError(
            _(
                "%(where)s：没有找到法律法规「%(name)s」。"
                "请写法律的简称，如「电子商务法 第四十三条」，或到法律法规页面核对名称。"
            )
            % {"where": where, "name": law_name.strip() or line}
        )
    assert law.current_version is not None
    version = law.current_version
    if first is None:
        whole = list(version.articles.filter(number=0))
        if whole:
            return whole
        raise ValidationError(_("%(where)s：请写明条文序号，如「%(law)s 第一条」。") % {"where": where, "law": law.key})
    rest = CITATION_SEPARATORS_RE.sub("", CITATION_ARTICLE_RE.sub("", line[first.start() :]))
    if rest:
        raise ValidationError(
            _("%(where)s：无法识别「%(rest)s」。每行写一部法律及其条文，如「电子商务法 第四十二条、第四十三条」。")
            % {"where": where, "rest": rest}
        )
    found: list[Article] = []
    for match in CITATION_ARTICLE_RE.finditer(line[first.start() :]):
        start, suffix = _numeral(match.group(1)), match.group(2) or ""
        end = _numeral(match.group(3)) if match.group(3) else start
        if end < start:
            raise ValidationError(
                _("%(where)s：条文范围「%(range)s」的起止顺序颠倒。") % {"where": where, "range": match.group(0)}
            )
        if end - start > MAX_CITATIONS:
            raise ValidationError(
                _("%(where)s：条文范围过大，一次最多引用 %(max)s 条。") % {"where": where, "max": MAX_CITATIONS}
            )
        rows = list(version.articles.filter(number__gte=start, number__lte=end).order_by("position"))
        if suffix:
            rows = [a for a in rows if a.number_text.endswith(f"{suffix}条")]
        elif start == end:
            rows = [a for a in rows if "之" not in a.number_text]
        if not rows or (start != end and {a.number for a in rows} != set(range(start, end + 1))):
            raise ValidationError(
                _("%(where)s：%(law)s 现行版本中没有%(article)s。")
                % {"where": where, "law": law.key, "article": match.group(0)}
            )
        found.extend(rows)
    return found


def articles_for_citations(text: str) -> list[Article]:
    """The articles named in a citation field, one law per line, in order, each once. Raises ValidationError naming
    the line and what is wrong with it. Articles are taken from the law's current version."""
    articles: list[Article] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            articles.extend(_articles_of_line(line, number))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    unique = list({a.pk: a for a in articles}.values())
    if len(unique) > MAX_CITATIONS:
        raise ValidationError(_("最多引用 %(max)s 条条文，请删去不必要的引用。") % {"max": MAX_CITATIONS})
    return unique


def citations_text(articles: list[Article]) -> str:
    """The citation field for a list of articles (the inverse of `articles_for_citations`), one per line."""
    return "\n".join(citation(a) for a in articles)


# --- knowledge items ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFilters:
    """The allow-listed filters of the public list (never raw request kwargs)."""

    item_type: str = ""
    tag_code: str = ""


@dataclass(frozen=True)
class CitedArticle:
    article: Article
    citation: str
    url: str
    is_current: bool


def tag_list() -> list[Tag]:
    return list(Tag.objects.order_by("kind", "position", "code"))


def tag_get(*, code: str) -> Tag | None:
    return Tag.objects.filter(code=code).order_by("kind").first()


def item_public_list(*, filters: ItemFilters) -> QuerySet[KnowledgeItem]:
    """Published items, newest first, with what a list row shows (no query per row)."""
    qs = KnowledgeItem.objects.published()
    if filters.item_type:
        qs = qs.filter(item_type=filters.item_type)
    if filters.tag_code:
        tagged = KnowledgeItem.tags.through.objects.filter(tag__code=filters.tag_code)
        qs = qs.filter(pk__in=tagged.values("knowledgeitem_id"))
    return (
        qs.select_related("published_version", "centre")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("kind", "position")))
        .order_by("-published_at", "-id")
    )


def item_public_counts() -> dict[str, int]:
    """Published items per type, for the tabs of the knowledge home."""
    rows = KnowledgeItem.objects.published().values("item_type").annotate(n=Count("id")).order_by()
    return {row["item_type"]: row["n"] for row in rows}


def item_get(*, user: Any, pk: int) -> KnowledgeItem:
    """An item the user may see (published: everybody), else 404."""
    item = (
        KnowledgeItem.objects.restrict(user)
        .select_related("centre", "published_version", "draft_version", "created_by")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404("knowledge item not found")
    return item


def item_published_get(*, pk: int) -> KnowledgeItem:
    item = KnowledgeItem.objects.published().select_related("centre", "published_version").filter(pk=pk).first()
    if item is None:
        raise Http404("knowledge item not found")
    return item


def item_versions(*, user: Any, item: KnowledgeItem) -> QuerySet[KnowledgeItemVersion]:
    """The versions the user may see: every one for the author centre and supervisors, approved ones for others."""
    qs = item.versions.select_related("author", "reviewed_by").order_by("-number")
    return qs if can_see_unpublished(user, item) else qs.filter(state=VersionState.APPROVED)


def item_version_get(*, user: Any, item: KnowledgeItem, number: int) -> KnowledgeItemVersion:
    version = item_versions(user=user, item=item).filter(number=number).first()
    if version is None:
        raise Http404("version not found")
    return version


def version_citations(version: KnowledgeItemVersion) -> list[CitedArticle]:
    rows = version.citations.select_related("article__version__law").order_by("position")
    return [
        CitedArticle(
            article=row.article,
            citation=citation(row.article),
            url=article_url(row.article),
            is_current=row.article.version_id == row.article.version.law.current_version_id,
        )
        for row in rows
    ]


def version_tags(version: KnowledgeItemVersion) -> list[Tag]:
    return list(version.tags.order_by("kind", "position"))


STAFF_VIEWS = ("all", "review", "drafts", "published", "withdrawn")


def item_staff_list(*, user: Any, view: str = "all", item_type: str = "") -> QuerySet[KnowledgeItem]:
    """The staff list: items of the user's centres (and of supervised ones), drafts included; `view` narrows it to
    the review queue (items in review the user may approve), drafts, published or withdrawn items."""
    qs = KnowledgeItem.objects.restrict(user).filter(item_staff_q(user))
    if view == "review":
        qs = qs.filter(centre_id__in=kb_reviewer_centre_ids(user), draft_state=DraftState.IN_REVIEW)
    elif view == "drafts":
        qs = qs.exclude(draft_state=DraftState.NONE)
    elif view == "published":
        qs = qs.filter(status=ItemStatus.PUBLISHED)
    elif view == "withdrawn":
        qs = qs.filter(status=ItemStatus.WITHDRAWN)
    if item_type:
        qs = qs.filter(item_type=item_type)
    return qs.select_related("centre", "published_version", "draft_version__author").order_by("-updated_at", "-id")


def item_review_count(*, user: Any) -> int:
    centres = kb_reviewer_centre_ids(user)
    if not centres:
        return 0
    return KnowledgeItem.objects.restrict(user).filter(centre_id__in=centres, draft_state=DraftState.IN_REVIEW).count()
