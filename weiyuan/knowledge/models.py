"""Knowledge base: laws, regulations and judicial interpretations split per article, with versions; guides, Q&A,
case studies and training materials of the centres, with versions, tags and a review workflow."""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weiyuan.access.scoping import ScopedQuerySet
from weiyuan.core.bilingual import BilingualName


class LawKind(models.TextChoices):
    LAW = "law", _("法律")
    REGULATION = "regulation", _("行政法规")
    JUDICIAL_INTERPRETATION = "judicial_interpretation", _("司法解释")
    LOCAL_REGULATION = "local_regulation", _("地方性法规")
    OTHER = "other", _("其他规范性文件")


class Law(models.Model):
    """One law across its versions; `key` (the title without 中华人民共和国) is its stable URL part."""

    key = models.CharField(_("简称"), max_length=200, unique=True)
    title = models.CharField(_("标题"), max_length=300)
    kind = models.CharField(_("类别"), max_length=32, choices=LawKind.choices)
    current_version = models.ForeignKey(
        "LawVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "key"]

    def __str__(self) -> str:
        return self.title


class LawVersion(models.Model):
    """One text of a law as imported; a changed text becomes a new version, earlier ones are kept."""

    law = models.ForeignKey(Law, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    dates = models.TextField(_("通过及修正"), blank=True)
    effective_label = models.CharField(_("版本日期"), max_length=20, blank=True)
    source_file = models.CharField(max_length=300)
    content_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["law", "number"]
        constraints = [
            models.UniqueConstraint(fields=["law", "number"], name="lawversion_unique_number"),
            models.UniqueConstraint(fields=["law", "content_hash"], name="lawversion_unique_content"),
        ]

    def __str__(self) -> str:
        return f"{self.law.key} v{self.number}"


class Article(models.Model):
    """An article (条) of one version. Documents without numbered articles are one item, number 0."""

    version = models.ForeignKey(LawVersion, on_delete=models.CASCADE, related_name="articles")
    position = models.PositiveIntegerField()
    number = models.PositiveIntegerField(_("条号"))
    number_text = models.CharField(_("条文序号"), max_length=20)
    chapter = models.CharField(_("章"), max_length=200, blank=True)
    section = models.CharField(_("节"), max_length=200, blank=True)
    text = models.TextField(_("条文"))

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="article_unique_position")]
        indexes = [models.Index(fields=["version", "number"], name="article_version_number_idx")]

    def __str__(self) -> str:
        return f"{self.version.law.key} {self.number_text}"


# --- guides, Q&A, case studies, training materials --------------------------------------------------------------


class ItemType(models.TextChoices):
    """Knowledge items other than laws; the code is also the search index's `source`."""

    GUIDE = "guide", _("指南")
    QA = "qa", _("问答")
    CASE_STUDY = "case_study", _("案例")
    TRAINING = "training", _("培训资料")


class TagKind(models.TextChoices):
    IP_TYPE = "ip_type", _("知识产权类型")
    INDUSTRY = "industry", _("行业")
    TOPIC = "topic", _("主题")


class Tag(BilingualName, models.Model):
    """A label of one kind; IP-type tags use the codes of `weiyuan.core.choices.IPType`."""

    kind = models.CharField(_("类别"), max_length=16, choices=TagKind.choices)
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="kb_tag_unique_code")]


class ItemStatus(models.TextChoices):
    """The item's public life. A published item may at the same time have a revision under way (`draft_state`)."""

    DRAFT = "draft", _("未发布")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class DraftState(models.TextChoices):
    """The working draft of an item (a first text or a revision of the published one)."""

    NONE = "", _("无")
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("待审核")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("待审核")
    APPROVED = "approved", _("已发布")
    SUPERSEDED = "superseded", _("已被替换")


class ItemOrigin(models.TextChoices):
    EDITORIAL = "editorial", _("编辑撰写")
    CONSULTATION = "consultation", _("优秀问答")


class KnowledgeItemQuerySet(ScopedQuerySet):
    """Refuses to run until scoped: `restrict(user)` (the access module decides) or `published()` (public)."""

    def restrict(self, user: Any, action: str = "view") -> Self:
        from weiyuan.access.knowledge import item_scope_q

        scoped = self.filter(item_scope_q(user))
        scoped._scoped = True
        return scoped

    def published(self) -> Self:
        # Published items are public: no user needed.
        scoped = self.filter(status=ItemStatus.PUBLISHED, published_version__isnull=False)
        scoped._scoped = True
        return scoped


class KnowledgeItem(models.Model):
    """A guide, Q&A, case study or training material of one author centre, with its versions."""

    item_type = models.CharField(_("类型"), max_length=16, choices=ItemType.choices)
    centre = models.ForeignKey(
        "network.Centre", on_delete=models.PROTECT, related_name="knowledge_items", verbose_name=_("作者机构")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    origin = models.CharField(_("来源"), max_length=16, choices=ItemOrigin.choices, default=ItemOrigin.EDITORIAL)
    status = models.CharField(_("状态"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    draft_state = models.CharField(
        _("修订状态"), max_length=16, choices=DraftState.choices, default=DraftState.NONE, blank=True
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="items", verbose_name=_("标签"))
    # When the live version was approved (or the item republished): the date shown and given to search.
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_version = models.ForeignKey(
        "KnowledgeItemVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    draft_version = models.ForeignKey(
        "KnowledgeItemVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = KnowledgeItemQuerySet.as_manager()
    # Plain manager for services, the demo and Django internals; views and the API never use it.
    objects_unscoped = models.Manager()

    class Meta:
        base_manager_name = "objects_unscoped"
        ordering = ["-published_at", "-id"]
        indexes = [
            # The public lists: published items, newest first, optionally of one type.
            models.Index(fields=["status", "-published_at", "-id"], name="kb_item_public_idx"),
            models.Index(fields=["status", "item_type", "-published_at", "-id"], name="kb_item_public_type_idx"),
            # The staff side: a centre's items, and its review queue.
            models.Index(fields=["centre", "-updated_at", "-id"], name="kb_item_centre_idx"),
            models.Index(fields=["centre", "draft_state"], name="kb_item_review_idx"),
        ]

    def __str__(self) -> str:
        version = self.published_version or self.draft_version
        return version.title if version else f"#{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.status == ItemStatus.PUBLISHED and self.published_version_id is not None

    @property
    def display_version(self) -> KnowledgeItemVersion | None:
        """The live version if there is one, else the working draft (for staff lists)."""
        return self.published_version or self.draft_version


class KnowledgeItemVersion(models.Model):
    """One text of an item. Approved versions stay as they were; a change to a published item is a new version."""

    item = models.ForeignKey(KnowledgeItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    state = models.CharField(_("状态"), max_length=16, choices=VersionState.choices, default=VersionState.DRAFT)
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("摘要"), blank=True)
    body = models.TextField(_("正文"), blank=True)
    question = models.TextField(_("问题"), blank=True)
    answer = models.TextField(_("解答"), blank=True)
    cited_articles = models.ManyToManyField(
        Article, through="KnowledgeCitation", related_name="cited_by", verbose_name=_("引用条文")
    )
    # The tags proposed with this text; they replace the item's tags when the version is approved.
    tags = models.ManyToManyField(Tag, blank=True, related_name="+", verbose_name=_("标签"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    change_note = models.CharField(_("修改说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The reviewer's reason when the version was returned to its author.
    return_reason = models.TextField(_("退回理由"), blank=True)

    class Meta:
        ordering = ["item", "-number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="kb_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class KnowledgeCitation(models.Model):
    """A version cites an article row; article rows belong to one law version, so this is the exact text cited."""

    version = models.ForeignKey(KnowledgeItemVersion, on_delete=models.CASCADE, related_name="citations")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="knowledge_citations")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "article"], name="kb_citation_unique_article"),
        ]
