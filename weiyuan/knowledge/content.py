"""What an author writes for one version of a knowledge item, how it is checked, and the text given to search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from weiyuan.core.punctuation import join_list
from weiyuan.knowledge.models import Article, ItemType, KnowledgeItemVersion, Tag

TITLE_MAX = 200
SUMMARY_MAX = 500
TEXT_MAX = 100_000


@dataclass
class ItemContent:
    """What an author writes for one version. Q&A has a question and an answer; the other types a body."""

    title: str
    summary: str = ""
    body: str = ""
    question: str = ""
    answer: str = ""
    articles: Sequence[Article] = ()
    tags: Sequence[Tag] = ()
    change_note: str = ""


def clean_content(item_type: str, content: ItemContent) -> ItemContent:
    """Trimmed content, or ValidationError with one message per field, each saying what to fix."""
    cleaned = ItemContent(
        title=content.title.strip(),
        summary=content.summary.strip(),
        body=content.body.strip(),
        question=content.question.strip(),
        answer=content.answer.strip(),
        articles=list(content.articles),
        tags=list(content.tags),
        change_note=content.change_note.strip(),
    )
    errors: dict[str, str] = {}
    if item_type not in ItemType.values:
        errors["item_type"] = _("类型只能是：%(types)s。") % {"types": join_list(ItemType.labels)}
    if not cleaned.title:
        errors["title"] = _("请填写标题。")
    elif len(cleaned.title) > TITLE_MAX:
        errors["title"] = _("标题最多 %(n)s 个字，请精简。") % {"n": TITLE_MAX}
    if len(cleaned.summary) > SUMMARY_MAX:
        errors["summary"] = _("摘要最多 %(n)s 个字，请精简。") % {"n": SUMMARY_MAX}
    if item_type == ItemType.QA:
        if not cleaned.question:
            errors["question"] = _("问答须填写问题。")
        if not cleaned.answer:
            errors["answer"] = _("问答须填写解答。")
    elif not cleaned.body:
        errors["body"] = _("请填写正文。")
    for name in ("body", "question", "answer"):
        if len(getattr(cleaned, name)) > TEXT_MAX:
            errors[name] = _("内容过长：最多 %(n)s 个字。") % {"n": TEXT_MAX}
    if len(cleaned.change_note) > 300:
        errors["change_note"] = _("修改说明最多 300 个字。")
    if errors:
        raise ValidationError(errors)
    return cleaned


def version_fields(content: ItemContent) -> dict[str, Any]:
    return {
        "title": content.title,
        "summary": content.summary,
        "body": content.body,
        "question": content.question,
        "answer": content.answer,
        "change_note": content.change_note,
    }


def search_text(item_type: str, version: KnowledgeItemVersion, cited: Sequence[str]) -> str:
    """The text of a version for the search index, as written: summary, question and answer or body, and its
    citations (`item_indexing` takes the Markdown marks out)."""
    parts = [version.summary]
    if item_type == ItemType.QA:
        parts += [version.question, version.answer]
    parts.append(version.body)
    if cited:
        parts.append("、".join(cited))
    return "\n\n".join(p for p in parts if p)
