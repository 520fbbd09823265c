"""Infringement-judgment reference opinions 侵权判定参考意见: a patent claim chart, a design comparison or a trademark
comparison on a case, reviewed, signed by the centre's director and issued as a PDF letter."""

from __future__ import annotations

import uuid
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weiyuan.access.scoping import ScopedQuerySet
from weiyuan.opinions import verdict as v

NUMBER_PREFIX = "WYOP"
TEXT_MAX = 4000
FEATURE_MAX = 1000
MAX_CLAIMS = 50
MAX_FEATURES = 60  # per claim


class OpinionKind(models.TextChoices):
    INVENTION = "invention", _("发明专利")
    UTILITY_MODEL = "utility_model", _("实用新型专利")
    DESIGN = "design", _("外观设计专利")
    TRADEMARK = "trademark", _("商标")


PATENT_KINDS = (OpinionKind.INVENTION, OpinionKind.UTILITY_MODEL)


class OpinionState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回修改")
    REVIEWED = "reviewed", _("已审核待签发")
    SIGNED = "signed", _("已签发")
    ISSUED = "issued", _("已出具意见书")


EDITABLE_STATES = (OpinionState.DRAFT, OpinionState.RETURNED)


class Verdict(models.TextChoices):
    LITERAL = v.LITERAL, _("构成相同侵权的可能性较大")
    EQUIVALENT = v.BY_EQUIVALENTS, _("构成等同侵权的可能性较大")
    LIKELY = v.LIKELY, _("构成侵权的可能性较大")
    NOT_INFRINGING = v.NOT_INFRINGING, _("不构成侵权的可能性较大")
    UNDECIDED = v.UNDECIDED, _("尚不能得出结论")


def letter_path(instance: Opinion, filename: str) -> str:
    # Random names, as for evidence: the path carries no personal data and cannot be guessed.
    return f"opinions/{instance.case_id}/{uuid.uuid4().hex}.pdf"


class OpinionQuerySet(ScopedQuerySet):
    """Refuses to run until scoped by the acting user (weiyuan/access/opinions.py decides)."""

    def restrict(self, user: Any, action: str = "view") -> Self:
        from weiyuan.access.opinions import opinion_scope_q

        scoped = self.filter(opinion_scope_q(user))
        scoped._scoped = True
        return scoped


class Opinion(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="opinions")
    kind = models.CharField(_("类型"), max_length=16, choices=OpinionKind.choices)
    # Assigned at sign-off (WYOP-year-centre-seq): drafts that never issue use no number, so the numbers a centre
    # issues in a year run without gaps.
    number = models.CharField(_("意见书编号"), max_length=32, unique=True, null=True, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=OpinionState.choices, default=OpinionState.DRAFT)
    title = models.CharField(_("标题"), max_length=160)
    accused_object = models.TextField(_("被诉侵权产品或标识"), max_length=TEXT_MAX)
    right_number = models.CharField(_("权利号"), max_length=40, blank=True)
    right_title = models.CharField(_("权利名称"), max_length=160, blank=True)
    right_owner = models.CharField(_("权利人"), max_length=160, blank=True)
    right_status = models.CharField(_("法律状态"), max_length=80, blank=True)
    # The parties as the case names them; taken again at sign-off, so the letter states whom it was signed for.
    applicant_name = models.CharField(_("申请人"), max_length=160)
    respondent_name = models.CharField(_("被请求人"), max_length=160, blank=True)
    respondent_address = models.CharField(_("被请求人地址或网店"), max_length=240, blank=True)
    prior_art_notes = models.TextField(_("现有技术（现有设计）抗辩"), max_length=TEXT_MAX, blank=True)
    design_around_notes = models.TextField(_("规避设计"), max_length=TEXT_MAX, blank=True)
    conclusion = models.TextField(_("结论意见"), max_length=TEXT_MAX, blank=True)
    verdict = models.CharField(
        _("判定结论"), max_length=16, choices=Verdict.choices, default=Verdict.UNDECIDED, blank=True
    )
    # The reasoning as signed (patents: generated from the chart); drafts show it live.
    reasoning = models.TextField(_("判定理由"), blank=True)
    return_comment = models.TextField(_("退回意见"), max_length=TEXT_MAX, blank=True)

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    letter = models.FileField(upload_to=letter_path, max_length=200, blank=True)
    letter_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    letter_size = models.PositiveIntegerField(null=True, blank=True)
    letter_generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)

    objects = OpinionQuerySet.as_manager()
    # Plain manager for services, the demo and Django internals; views never use it.
    objects_unscoped = models.Manager()

    class Meta:
        base_manager_name = "objects_unscoped"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "-created_at"], name="opinion_case_idx")]

    def __str__(self) -> str:
        return self.number or f"#{self.pk} {self.title}"

    @property
    def is_patent(self) -> bool:
        return self.kind in PATENT_KINDS

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE_STATES


class OpinionCounter(models.Model):
    """The running number of the opinions a centre signs in a year (locked row: two sign-offs never share one)."""

    centre = models.ForeignKey("network.Centre", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "year"], name="opinion_counter_unique")]


class OpinionBasis(models.Model):
    """A cited article: the row of one law version, so the letter quotes the exact text that was cited."""

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="basis")
    article = models.ForeignKey("knowledge.Article", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["opinion", "article"], name="opinion_basis_unique")]


class Claim(models.Model):
    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="claims")
    number = models.PositiveSmallIntegerField(_("权利要求序号"))
    text = models.TextField(_("权利要求"), max_length=TEXT_MAX)
    independent = models.BooleanField(_("独立权利要求"), default=True)
    refers_to = models.PositiveSmallIntegerField(_("引用的权利要求"), null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["opinion", "number"], name="opinion_claim_unique_number")]


class Comparison(models.TextChoices):
    NONE = "", _("未比对")
    IDENTICAL = v.IDENTICAL, _("相同")
    EQUIVALENT = v.EQUIVALENT, _("等同")
    ABSENT = v.ABSENT, _("缺少")


class Feature(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="features")
    position = models.PositiveSmallIntegerField()
    text = models.TextField(_("技术特征"), max_length=FEATURE_MAX)
    accused_text = models.TextField(_("被诉产品对应特征"), max_length=FEATURE_MAX, blank=True)
    comparison = models.CharField(_("比对结果"), max_length=12, choices=Comparison.choices, blank=True, default="")
    # Required for an equivalent: basically the same means, function and effect.
    means = models.TextField(_("手段"), max_length=FEATURE_MAX, blank=True)
    function = models.TextField(_("功能"), max_length=FEATURE_MAX, blank=True)
    effect = models.TextField(_("效果"), max_length=FEATURE_MAX, blank=True)

    class Meta:
        ordering = ["claim", "position", "id"]

    def row(self) -> v.FeatureRow:
        return v.FeatureRow(self.text, self.accused_text, self.comparison, self.means, self.function, self.effect)


class ProductKind(models.TextChoices):
    SAME = v.SAME_KIND, _("相同种类")
    SIMILAR = v.SIMILAR_KIND, _("相近种类")
    DIFFERENT = v.DIFFERENT_KIND, _("不相同也不相近")


class Impression(models.TextChoices):
    IDENTICAL = v.IMPRESSION_IDENTICAL, _("相同")
    SIMILAR = v.IMPRESSION_SIMILAR, _("无实质性差异（近似）")
    DIFFERENT = v.IMPRESSION_DIFFERENT, _("具有明显区别")


class DifferenceWeight(models.TextChoices):
    MINOR = v.MINOR, _("细微")
    NOTABLE = v.NOTABLE, _("较明显")
    MAJOR = v.MAJOR, _("显著（影响整体视觉效果）")


class DesignComparison(models.Model):
    opinion = models.OneToOneField(Opinion, on_delete=models.CASCADE, related_name="design")
    patent_product = models.CharField(_("外观设计产品"), max_length=160)
    accused_product = models.CharField(_("被诉产品"), max_length=160)
    product_kind = models.CharField(_("产品种类"), max_length=12, choices=ProductKind.choices)
    design_features = models.TextField(_("设计要点"), max_length=TEXT_MAX)
    impression = models.CharField(_("整体视觉效果"), max_length=12, choices=Impression.choices)
    reasoning = models.TextField(_("比对理由"), max_length=TEXT_MAX)


class DesignDifference(models.Model):
    comparison = models.ForeignKey(DesignComparison, on_delete=models.CASCADE, related_name="differences")
    position = models.PositiveSmallIntegerField()
    text = models.TextField(_("区别"), max_length=FEATURE_MAX)
    weight = models.CharField(_("影响程度"), max_length=12, choices=DifferenceWeight.choices)

    class Meta:
        ordering = ["position", "id"]


class Similarity(models.TextChoices):
    IDENTICAL = v.IDENTICAL_MARK, _("相同")
    SIMILAR = v.SIMILAR_MARK, _("近似（类似）")
    NOT_SIMILAR = v.NOT_SIMILAR, _("不近似（不类似）")


class Confusion(models.TextChoices):
    LIKELY = v.CONFUSION_LIKELY, _("容易导致混淆")
    UNLIKELY = v.CONFUSION_UNLIKELY, _("不易导致混淆")


class TrademarkComparison(models.Model):
    opinion = models.OneToOneField(Opinion, on_delete=models.CASCADE, related_name="trademark")
    registered_mark = models.CharField(_("注册商标"), max_length=160)
    accused_mark = models.CharField(_("被诉标识"), max_length=160)
    mark_similarity = models.CharField(_("标识近似判断"), max_length=12, choices=Similarity.choices)
    mark_reasoning = models.TextField(_("标识近似理由"), max_length=TEXT_MAX)
    registered_goods = models.TextField(_("核定使用商品或服务"), max_length=TEXT_MAX)
    registered_class = models.PositiveSmallIntegerField(_("核定尼斯分类"))
    registered_group = models.CharField(_("核定类似群"), max_length=4)
    accused_goods = models.TextField(_("被诉商品或服务"), max_length=TEXT_MAX)
    accused_class = models.PositiveSmallIntegerField(_("被诉尼斯分类"))
    accused_group = models.CharField(_("被诉类似群"), max_length=4)
    goods_similarity = models.CharField(_("商品或服务类似判断"), max_length=12, choices=Similarity.choices)
    goods_reasoning = models.TextField(_("商品或服务类似理由"), max_length=TEXT_MAX)
    confusion = models.CharField(_("混淆可能性"), max_length=12, choices=Confusion.choices)
    confusion_reasoning = models.TextField(_("混淆可能性理由"), max_length=TEXT_MAX)
