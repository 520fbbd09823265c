"""Writing the knowledge base.

Laws: importing law texts. Idempotent by content: the same text twice changes nothing; a changed text becomes a new
version and earlier versions (and links to their articles) are kept.

Guides, Q&A, case studies, training materials: writing versions and the review workflow of `workflow.py`; each
write is one transaction with its audit event, and publishing or withdrawing updates the search index in it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weiyuan.access.knowledge import kb_create_refusal, kb_reviewer_centre_ids
from weiyuan.audit.services import audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.punctuation import join_list
from weiyuan.knowledge.content import ItemContent, clean_content, version_fields
from weiyuan.knowledge.indexing import law_reindex
from weiyuan.knowledge.models import (
    Article,
    DraftState,
    ItemOrigin,
    ItemStatus,
    ItemType,
    KnowledgeCitation,
    KnowledgeItem,
    KnowledgeItemVersion,
    Law,
    LawKind,
    LawVersion,
    Tag,
    TagKind,
    VersionState,
)
from weiyuan.knowledge.parsing import LawFormatError, ParsedLaw, parse_law
from weiyuan.knowledge.workflow import check_transition
from weiyuan.notifications.services import Notice, outbox_enqueue
from weiyuan.search.indexing import index_optimize

if TYPE_CHECKING:
    from weiyuan.network.models import Centre

LOCAL_PREFIXES = ("北京市", "上海市", "天津市", "重庆市", "广东省", "浙江省", "江苏省", "上海市浦东新区")


def law_kind(title: str) -> str:
    if title.startswith("最高人民法院"):
        return LawKind.JUDICIAL_INTERPRETATION
    if title.startswith(LOCAL_PREFIXES):
        return LawKind.LOCAL_REGULATION
    if title.startswith("国务院") or title.endswith(("条例", "实施细则")):
        return LawKind.REGULATION
    if title.endswith("法"):
        return LawKind.LAW
    return LawKind.OTHER


@dataclass
class ImportReport:
    laws_created: int = 0
    versions_created: int = 0
    unchanged: int = 0
    articles_created: int = 0
    errors: list[str] = field(default_factory=list)


@transaction.atomic
def law_version_import(*, parsed: ParsedLaw) -> tuple[Law, LawVersion | None, bool]:
    """Store one parsed text; returns (law, new version or None if unchanged, law created)."""
    law, created = Law.objects.get_or_create(
        key=parsed.key, defaults={"title": parsed.title, "kind": law_kind(parsed.title)}
    )
    if LawVersion.objects.filter(law=law, content_hash=parsed.content_hash).exists():
        return law, None, created
    number = (LawVersion.objects.filter(law=law).aggregate(n=Max("number"))["n"] or 0) + 1
    version = LawVersion.objects.create(
        law=law,
        number=number,
        dates=parsed.dates,
        effective_label=parsed.version_label,
        source_file=parsed.path.name,
        content_hash=parsed.content_hash,
    )
    Article.objects.bulk_create(
        Article(
            version=version,
            position=i,
            number=a.number,
            number_text=a.number_text,
            chapter=a.chapter,
            section=a.section,
            text=a.text,
        )
        for i, a in enumerate(parsed.articles)
    )
    # The current version is the one with the latest date label (imports may arrive in any order).
    latest = max(law.versions.all(), key=lambda v: (v.effective_label, v.number))
    law.current_version = latest
    law.title = parsed.title if latest == version else law.title
    law.save(update_fields=["current_version", "title", "updated_at"])
    if latest == version:
        law_reindex(law=law)
    audit_record(
        actor=None,
        action="knowledge.law_import",
        obj=version,
        after={"law": law.key, "version": number, "articles": len(parsed.articles), "file": parsed.path.name},
    )
    return law, version, created


def laws_import(*, directory: Path, progress: Callable[[str], None] | None = None) -> ImportReport:
    """Import every `*.md` file of a directory; a malformed file is reported (file and line) and skipped whole."""
    report = ImportReport()
    parsed: list[ParsedLaw] = []
    for path in sorted(directory.glob("*.md")):
        try:
            parsed.append(parse_law(path))
        except LawFormatError as exc:
            report.errors.append(str(exc))
    # Older texts of one law first, so version numbers follow the dates.
    for item in sorted(parsed, key=lambda p: (p.key, p.version_label)):
        _law, version, created = law_version_import(parsed=item)
        report.laws_created += int(created)
        if version is None:
            report.unchanged += 1
        else:
            report.versions_created += 1
            report.articles_created += len(item.articles)
        if progress:
            progress(item.path.name)
    if report.versions_created:
        index_optimize()
    return report


# --- guides, Q&A, case studies, training materials: writing and the review workflow -----------------------------


def _set_citations(version: KnowledgeItemVersion, articles: Sequence[Article]) -> None:
    version.citations.all().delete()
    KnowledgeCitation.objects.bulk_create(
        KnowledgeCitation(version=version, article=article, position=position)
        for position, article in enumerate(articles)
    )


def _write_version(
    item: KnowledgeItem, version: KnowledgeItemVersion, content: ItemContent, *, item_tags: bool
) -> None:
    """The version's tags and cited articles; with `item_tags`, the item's own tags too (while nothing of it is
    public: a published item keeps its tags until a new version is approved)."""
    version.tags.set(content.tags)
    _set_citations(version, content.articles)
    if item_tags:
        item.tags.set(content.tags)


def _snapshot(item: KnowledgeItem, version: KnowledgeItemVersion | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"status": item.status, "draft_state": item.draft_state}
    if version is not None:
        data.update(
            version=version.number,
            title=version.title,
            articles=[a.pk for a in version.cited_articles.all()],
            tags=sorted(t.code for t in version.tags.all()),
        )
    return data


def _audit(
    item: KnowledgeItem, actor: Any, action: str, *, before: dict[str, Any] | None, after: dict[str, Any]
) -> None:
    audit_record(
        actor=actor, action=f"knowledge.{action}", obj=item, centre_id=item.centre_id, before=before, after=after
    )


def item_public_url(item: KnowledgeItem) -> str:
    from django.urls import reverse

    return reverse("knowledge:item", args=[item.pk])


def _index_published(item: KnowledgeItem) -> None:
    """Put the live version in the search index (in the caller's transaction, so a rollback undoes it)."""
    from weiyuan.knowledge.item_indexing import item_index_fields
    from weiyuan.search.indexing import entry_upsert

    entry_upsert(**item_index_fields(item))


def _unindex(item: KnowledgeItem) -> None:
    from weiyuan.search.indexing import entry_remove

    entry_remove(source=item.item_type, source_id=item.pk)


# The notices about an item: kind -> (subject, body), filled with the item's title (and the reason of a return).
NOTICE_TEXTS = {
    "kb_review": (
        gettext_lazy("知识库条目待审核：%(title)s"),
        gettext_lazy("「%(title)s」已提交审核，请在知识库管理页面审核。"),
    ),
    "kb_approved": (
        gettext_lazy("知识库条目已发布：%(title)s"),
        gettext_lazy("您撰写的「%(title)s」已审核通过并公开发布。"),
    ),
    "kb_returned": (
        gettext_lazy("知识库条目被退回修改：%(title)s"),
        gettext_lazy("「%(title)s」被退回修改。理由：%(reason)s"),
    ),
}


def _notify(recipients: Sequence[Any], item: KnowledgeItem, key: str, kind: str, **params: str) -> None:
    """Queue a notice about the item, linking to its page, written in each recipient's language."""
    subject, body = NOTICE_TEXTS[kind]

    def notice() -> Notice:
        return Notice(kind=kind, subject=str(subject) % params, body=str(body) % params, url=item_public_url(item))

    outbox_enqueue(recipients=recipients, notice=notice, dedupe_key=f"kb-item:{item.pk}:{key}")


def _reviewers(item: KnowledgeItem, *, exclude: Any) -> list[Any]:
    from weiyuan.access.knowledge import KB_REVIEWER_ROLES
    from weiyuan.accounts.models import User

    reviewers = User.objects.filter(
        memberships__centre_id=item.centre_id,
        memberships__role__in=KB_REVIEWER_ROLES,
        memberships__active=True,
        is_active=True,
    ).distinct()
    return [user for user in reviewers if user.pk != getattr(exclude, "pk", None)]


def _reason(reason: str, *, missing: str, too_long: str) -> str:
    """A reviewer's reason, trimmed: required, at most 2,000 characters (a ValidationError on "reason")."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": missing})
    if len(reason) > 2000:
        raise ValidationError({"reason": too_long})
    return reason


@transaction.atomic
def item_create(*, actor: Any, centre: Centre, item_type: str, content: ItemContent) -> KnowledgeItem:
    """A new item of `centre`, with its first version as a draft of `actor`."""
    refusal = kb_create_refusal(actor, centre)
    if refusal:
        raise TransitionRefused(refusal, status=403)
    content = clean_content(item_type, content)
    item = KnowledgeItem.objects_unscoped.create(
        item_type=item_type, centre=centre, created_by=actor, status=ItemStatus.DRAFT, draft_state=DraftState.DRAFT
    )
    version = KnowledgeItemVersion.objects.create(item=item, number=1, author=actor, **version_fields(content))
    _write_version(item, version, content, item_tags=True)
    item.draft_version = version
    item.save(update_fields=["draft_version", "updated_at"])
    _audit(item, actor, "item_create", before=None, after={"item_type": item_type, **_snapshot(item, version)})
    return item


@transaction.atomic
def item_edit(*, item: KnowledgeItem, actor: Any, content: ItemContent) -> KnowledgeItemVersion:
    """Change the working draft, or start one. The author's own draft is changed in place; otherwise (a published
    item, or a draft written by someone else) a new version is made, so every version has one author and the
    four-eyes rule of approval holds. A published version stays live until the new one is approved."""
    item = _step(item, "edit", actor)
    content = clean_content(item.item_type, content)
    draft = item.draft_version
    before = _snapshot(item, draft or item.published_version)
    if draft is not None and draft.state == VersionState.DRAFT and draft.author_id == actor.pk:
        for name, value in version_fields(content).items():
            setattr(draft, name, value)
        draft.save()
        version = draft
    else:
        if draft is not None:
            draft.state = VersionState.SUPERSEDED
            draft.save(update_fields=["state", "updated_at"])
        number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = KnowledgeItemVersion.objects.create(item=item, number=number, author=actor, **version_fields(content))
    # Nothing is public yet: the item's tags follow the draft. A published item keeps its tags until approval.
    _write_version(item, version, content, item_tags=item.status == ItemStatus.DRAFT)
    item.draft_version = version
    item.draft_state = DraftState.DRAFT
    item.save(update_fields=["draft_version", "draft_state", "updated_at"])
    _audit(item, actor, "item_edit", before=before, after=_snapshot(item, version))
    return version


def _locked(item: KnowledgeItem) -> KnowledgeItem:
    """The item re-read under a row lock, so two reviewers cannot both act on the same version."""
    return (
        KnowledgeItem.objects_unscoped.select_for_update(of=("self",))
        .select_related("centre", "draft_version", "published_version")
        .get(pk=item.pk)
    )


def _step(item: KnowledgeItem, action: str, actor: Any) -> KnowledgeItem:
    """The item, locked, once the workflow table allows `action` (TransitionRefused with the reason if not)."""
    item = _locked(item)
    check_transition(item, action, actor)
    return item


def _draft(item: KnowledgeItem) -> KnowledgeItemVersion:
    """The working draft of an item whose step needs one (the workflow table's guards have checked it exists)."""
    draft = item.draft_version
    assert draft is not None
    return draft


@transaction.atomic
def item_submit(*, item: KnowledgeItem, actor: Any) -> KnowledgeItem:
    item = _step(item, "submit", actor)
    draft = _draft(item)
    draft.state = VersionState.IN_REVIEW
    draft.submitted_at = timezone.now()
    draft.save(update_fields=["state", "submitted_at", "updated_at"])
    item.draft_state = DraftState.IN_REVIEW
    item.save(update_fields=["draft_state", "updated_at"])
    _audit(
        item,
        actor,
        "item_submit",
        before={"draft_state": DraftState.DRAFT},
        after={"draft_state": DraftState.IN_REVIEW, "version": draft.number},
    )
    _notify(
        _reviewers(item, exclude=actor),
        item,
        f"v{draft.number}:submitted:{draft.submitted_at.isoformat()}",
        "kb_review",
        title=draft.title,
    )
    return item


@transaction.atomic
def item_approve(*, item: KnowledgeItem, actor: Any) -> KnowledgeItem:
    """The version under review becomes the live one; the item is published (again) and indexed for search."""
    item = _step(item, "approve", actor)
    draft = _draft(item)
    before = _snapshot(item, item.published_version)
    now = timezone.now()
    draft.state = VersionState.APPROVED
    draft.reviewed_by = actor
    draft.reviewed_at = now
    draft.save(update_fields=["state", "reviewed_by", "reviewed_at", "updated_at"])
    item.published_version = draft
    item.draft_version = None
    item.draft_state = DraftState.NONE
    item.status = ItemStatus.PUBLISHED
    item.published_at = now
    item.save(
        update_fields=["published_version", "draft_version", "draft_state", "status", "published_at", "updated_at"]
    )
    item.tags.set(draft.tags.all())
    _index_published(item)
    _audit(item, actor, "item_approve", before=before, after=_snapshot(item, draft))
    _notify(
        [draft.author] if draft.author_id != actor.pk else [],
        item,
        f"v{draft.number}:approved",
        "kb_approved",
        title=draft.title,
    )
    return item


@transaction.atomic
def item_return(*, item: KnowledgeItem, actor: Any, reason: str) -> KnowledgeItem:
    """Send the version under review back to its author with the reason; a published version stays live."""
    item = _step(item, "return", actor)
    reason = _reason(
        reason, missing=_("请填写退回理由，说明作者需要修改什么。"), too_long=_("退回理由最多 2000 个字。")
    )
    draft = _draft(item)
    draft.state = VersionState.DRAFT
    draft.return_reason = reason
    draft.reviewed_by = actor
    draft.reviewed_at = timezone.now()
    draft.save(update_fields=["state", "return_reason", "reviewed_by", "reviewed_at", "updated_at"])
    item.draft_state = DraftState.DRAFT
    item.save(update_fields=["draft_state", "updated_at"])
    _audit(
        item,
        actor,
        "item_return",
        before={"draft_state": DraftState.IN_REVIEW, "version": draft.number},
        after={"draft_state": DraftState.DRAFT, "version": draft.number, "reason": reason},
    )
    _notify(
        [draft.author],
        item,
        f"v{draft.number}:returned:{draft.reviewed_at.isoformat()}",
        "kb_returned",
        title=draft.title,
        reason=reason,
    )
    return item


@transaction.atomic
def item_discard(*, item: KnowledgeItem, actor: Any) -> KnowledgeItem:
    """Drop an unsubmitted revision of a published (or withdrawn) item; the approved version is unchanged."""
    item = _step(item, "discard", actor)
    draft = _draft(item)
    draft.state = VersionState.SUPERSEDED
    draft.save(update_fields=["state", "updated_at"])
    item.draft_version = None
    item.draft_state = DraftState.NONE
    item.save(update_fields=["draft_version", "draft_state", "updated_at"])
    _audit(
        item,
        actor,
        "item_discard",
        before={"draft_state": DraftState.DRAFT, "version": draft.number},
        after={"draft_state": DraftState.NONE},
    )
    return item


def _set_status(item: KnowledgeItem, actor: Any, action: str, status: str, **after: Any) -> KnowledgeItem:
    """Withdraw or republish: the item's status changes, the search index follows, in one audit event."""
    before = item.status
    item.status = status
    item.save(update_fields=["status", "updated_at"])
    if status == ItemStatus.PUBLISHED:
        _index_published(item)
    else:
        _unindex(item)
    _audit(item, actor, action, before={"status": before}, after={"status": status, **after})
    return item


@transaction.atomic
def item_withdraw(*, item: KnowledgeItem, actor: Any, reason: str) -> KnowledgeItem:
    """Take a published item off public view and out of the search index; its author centre still sees it."""
    item = _step(item, "withdraw", actor)
    reason = _reason(
        reason, missing=_("请填写撤回理由（例如法律已修改、内容有误）。"), too_long=_("撤回理由最多 2000 个字。")
    )
    return _set_status(item, actor, "item_withdraw", ItemStatus.WITHDRAWN, reason=reason)


@transaction.atomic
def item_republish(*, item: KnowledgeItem, actor: Any) -> KnowledgeItem:
    """Make a withdrawn item public again, on its last approved version."""
    item = _step(item, "republish", actor)
    version = item.published_version.number if item.published_version else None
    return _set_status(item, actor, "item_republish", ItemStatus.PUBLISHED, version=version)


def tags_for_codes(*, field: str, kind: str, codes: Sequence[str]) -> list[Tag]:
    """Tags of one kind by code; an unknown code is a ValidationError naming `field` and the valid codes."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    found = {t.code: t for t in Tag.objects.filter(kind=kind, code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        valid = join_list(Tag.objects.filter(kind=kind).order_by("position").values_list("code", flat=True))
        raise ValidationError(
            {
                field: _("不认识的代码：%(unknown)s。可用的代码：%(valid)s。")
                % {"unknown": join_list(unknown), "valid": valid}
            }
        )
    return [found[c] for c in wanted]


@transaction.atomic
def qa_publish_from_consultation(
    *,
    centre: Centre,
    nominated_by: Any,
    approved_by: Any,
    title: str,
    question: str,
    answer: str,
    ip_types: Sequence[str],
    topics: Sequence[str],
    cited_article_ids: Sequence[int],
) -> KnowledgeItem:
    """Publish a redacted consultation answer as an excellent Q&A (优秀问答), credited to `centre`.

    The consultation's own workflow has nominated, redacted and approved it; the same rules as the knowledge base's
    review apply: `approved_by` must be a director or knowledge-base editor of `centre`, and not the person who
    nominated it (four eyes). The item is published, indexed for search and audited in one transaction.
    """
    if centre.pk not in kb_reviewer_centre_ids(approved_by):
        raise TransitionRefused(str(_("只有该机构的负责人或知识库编辑可以批准发布优秀问答。")), status=403)
    if getattr(nominated_by, "pk", None) == getattr(approved_by, "pk", None):
        raise TransitionRefused(
            str(_("推荐人不能自己批准发布优秀问答：须由另一位负责人或知识库编辑批准（四眼原则）。"))
        )
    articles_by_id = {a.pk: a for a in Article.objects.filter(pk__in=list(cited_article_ids))}
    missing = [str(pk) for pk in cited_article_ids if pk not in articles_by_id]
    if missing:
        raise ValidationError({"cited_article_ids": _("没有这些条文：%(ids)s。") % {"ids": join_list(missing)}})
    tags = [
        *tags_for_codes(field="ip_types", kind=TagKind.IP_TYPE, codes=ip_types),
        *tags_for_codes(field="topics", kind=TagKind.TOPIC, codes=topics),
    ]
    content = clean_content(
        ItemType.QA,
        ItemContent(
            title=title,
            question=question,
            answer=answer,
            articles=[articles_by_id[pk] for pk in dict.fromkeys(cited_article_ids)],
            tags=tags,
            change_note=str(_("由咨询答复推荐为优秀问答")),
        ),
    )
    now = timezone.now()
    item = KnowledgeItem.objects_unscoped.create(
        item_type=ItemType.QA,
        centre=centre,
        created_by=nominated_by,
        origin=ItemOrigin.CONSULTATION,
        status=ItemStatus.PUBLISHED,
        published_at=now,
    )
    version = KnowledgeItemVersion.objects.create(
        item=item,
        number=1,
        author=nominated_by,
        state=VersionState.APPROVED,
        submitted_at=now,
        reviewed_by=approved_by,
        reviewed_at=now,
        **version_fields(content),
    )
    _write_version(item, version, content, item_tags=True)
    item.published_version = version
    item.save(update_fields=["published_version", "updated_at"])
    _index_published(item)
    _audit(
        item,
        approved_by,
        "qa_publish_from_consultation",
        before=None,
        after={"nominated_by": getattr(nominated_by, "pk", None), **_snapshot(item, version)},
    )
    return item
