"""Evaluation 绩效评价 (issue #7; CNIPA 2020 No. 22 §十一): the annual evaluation of the network's centres.

A year has one `EvaluationScheme` kept by the organiser (the national guidance centre at the root of the tree):
its `Indicator` rows are data (code, names, weight, kind, a formula over KPI keys or guidance for a manual score,
the maximum score). Publishing the scheme (weights summing to 100) opens one `Assessment` per filed centre below
the organiser; the centre's director self-assesses each indicator (`AssessmentItem`) with evidence files
(`AssessmentFile`, stored as evidence files), submits, and the parent level's director scores each indicator,
returns the assessment for revision or finalises it. Formula indicators are computed from the centre's KPIs of the
scheme year, with the KPI values used kept on the item as a snapshot."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiyuan.core.bilingual import BilingualName

SCORE_DIGITS = 7  # up to 99999.99
SCORE_PLACES = 2
HUNDRED = Decimal("100")


class SchemeState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已结束")


class IndicatorKind(models.TextChoices):
    FORMULA = "formula", _("公式计算")
    MANUAL = "manual", _("人工评分")


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("自评中")
    SUBMITTED = "submitted", _("待评分")
    RETURNED = "returned", _("已退回修改")
    FINALISED = "finalised", _("已定分")


class EvaluationScheme(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    organiser = models.ForeignKey(
        "network.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织机构")
    )
    state = models.CharField(_("状态"), max_length=12, choices=SchemeState.choices, default=SchemeState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class Indicator(BilingualName, models.Model):
    scheme = models.ForeignKey(EvaluationScheme, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("指标代码"), max_length=32)
    name = models.CharField(_("指标名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=160, blank=True)
    kind = models.CharField(_("类型"), max_length=12, choices=IndicatorKind.choices)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2)
    max_score = models.DecimalField(_("满分"), max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES)
    formula = models.TextField(_("计算公式"), blank=True)
    guidance = models.TextField(_("评分说明"), blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["scheme", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="evaluation_indicator_code_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0) & Q(weight__lte=100), name="evaluation_weight_range"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="evaluation_max_score_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Assessment(models.Model):
    scheme = models.ForeignKey(EvaluationScheme, on_delete=models.PROTECT, related_name="assessments")
    centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("机构"))
    state = models.CharField(_("状态"), max_length=12, choices=AssessmentState.choices, default=AssessmentState.DRAFT)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)
    # The weighted total out of 100, fixed when finalised (the ranking reads it).
    total = models.DecimalField(_("总分"), max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["scheme", "centre__path"]
        constraints = [models.UniqueConstraint(fields=["scheme", "centre"], name="evaluation_assessment_unique")]
        indexes = [models.Index(fields=["scheme", "state"], name="evaluation_assess_state_idx")]

    def __str__(self) -> str:
        return f"{self.scheme_id}/{self.centre_id}"


class AssessmentItem(models.Model):
    """One indicator of one assessment: the centre's self score, the reviewer's score and comment, and for a
    formula indicator the computed score with the KPI values it was computed from."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    self_score = models.DecimalField(
        _("自评分"), max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True, blank=True
    )
    self_explanation = models.TextField(_("自评说明"), blank=True)
    score = models.DecimalField(_("评分"), max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True, blank=True)
    review_comment = models.TextField(_("评分意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Formula indicators: False with the reason when a KPI it needs has no value (scored 0, never a crash).
    computable = models.BooleanField(null=True)
    not_computable_reason = models.TextField(blank=True)
    kpi_snapshot = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "indicator__position", "indicator__code"]
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator"], name="evaluation_item_unique")]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.indicator_id}"

    @property
    def weighted(self) -> Decimal:
        """This indicator's share of the total out of 100: score / max score x weight."""
        if self.score is None:
            return Decimal("0.00")
        indicator = self.indicator
        return (self.score / indicator.max_score * indicator.weight).quantize(Decimal("0.01"))


class AssessmentFile(models.Model):
    """Evidence behind a self score, stored as an evidence file (checked by content, SHA-256 at receipt)."""

    item = models.ForeignKey(AssessmentItem, on_delete=models.PROTECT, related_name="files")
    evidence = models.ForeignKey("evidence.EvidenceFile", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "id"]
