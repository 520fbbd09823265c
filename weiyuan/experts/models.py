"""The expert database 专家库: profiles shared by the whole network, each kept by one centre.

An expert's classes, fields, languages and regions are stored on the profile (JSON lists and many-to-many links);
`ExpertFacet` is their derived index (one row per expert and facet key, e.g. "ipc:H04L", "nice:25", "f:patent_law",
"reg:310000"), rebuilt by the services on every write. List filters and the candidate generation of the matching
read only that index, so neither scans the profiles.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weiyuan.access.scoping import ScopedQuerySet
from weiyuan.core.bilingual import BilingualName


class FieldKind(models.TextChoices):
    TECHNICAL = "technical", _("技术领域")
    LEGAL = "legal", _("法律领域")


class ExpertField(BilingualName, models.Model):
    """A technical or legal field of expertise. Data (seeded by migration), so centres can add fields."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    kind = models.CharField(_("类别"), max_length=16, choices=FieldKind.choices)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    # Hints for matching: a case of one of these IP types or service types wants this field.
    ip_types = models.JSONField(_("对应知识产权类型"), default=list, blank=True)
    service_types = models.JSONField(_("对应服务类型"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "position", "code"]


class Qualification(models.TextChoices):
    PATENT_ATTORNEY = "patent_attorney", _("专利代理师")
    LAWYER = "lawyer", _("律师")
    EXAMINER = "examiner", _("审查员（含曾任）")
    PROFESSOR = "professor", _("教授或研究员")
    JUDGE = "judge", _("法官或仲裁员（含曾任）")
    OTHER = "other", _("其他")


class Language(models.TextChoices):
    ZH = "zh", _("中文")
    EN = "en", _("英语")
    JA = "ja", _("日语")
    KO = "ko", _("韩语")
    DE = "de", _("德语")
    FR = "fr", _("法语")
    RU = "ru", _("俄语")
    ES = "es", _("西班牙语")
    PT = "pt", _("葡萄牙语")
    AR = "ar", _("阿拉伯语")
    IT = "it", _("意大利语")
    VI = "vi", _("越南语")
    TH = "th", _("泰语")


class Availability(models.TextChoices):
    AVAILABLE = "available", _("可接受任务")
    BUSY = "busy", _("忙碌")
    UNAVAILABLE = "unavailable", _("暂不接受任务")


class ExpertQuerySet(ScopedQuerySet):
    """Refuses to run until scoped by `restrict(user)` (weiyuan/access/experts.py decides)."""

    def restrict(self, user: Any, action: str = "view") -> Self:
        from weiyuan.access.experts import expert_scope_q

        scoped = self.filter(expert_scope_q(user))
        scoped._scoped = True
        return scoped


class Expert(models.Model):
    name = models.CharField(_("姓名"), max_length=60)
    organisation_name = models.CharField(_("所属单位"), max_length=160, blank=True)
    organisation_credit_code = models.CharField(_("所属单位统一社会信用代码"), max_length=18, blank=True)
    title = models.CharField(_("职称"), max_length=60, blank=True)
    credential_number = models.CharField(
        _("资格证书编号"),
        max_length=40,
        blank=True,
        help_text=_("执业证、资格证等证书的编号；填写后用于识别重复的专家。"),
    )
    fields = models.ManyToManyField(ExpertField, blank=True, related_name="experts", verbose_name=_("专业领域"))
    # Canonical IPC symbols ("H04L", "H04L 9/32") and Nice classes (1-45).
    ipc_classes = models.JSONField(_("IPC 分类"), default=list, blank=True)
    nice_classes = models.JSONField(_("尼斯分类"), default=list, blank=True)
    languages = models.JSONField(_("工作语言"), default=list, blank=True)
    regions = models.ManyToManyField(
        "network.Region", blank=True, related_name="+", verbose_name=_("服务地区"), help_text=_("不填表示全国。")
    )
    qualifications = models.JSONField(_("资格"), default=list, blank=True)
    availability = models.CharField(
        _("可用状态"), max_length=16, choices=Availability.choices, default=Availability.AVAILABLE
    )
    busy_until = models.DateField(_("忙碌至"), null=True, blank=True)
    fee_terms = models.TextField(_("收费说明"), blank=True)
    hourly_rate = models.DecimalField(
        _("小时费率（元）"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_profile",
        verbose_name=_("关联账户"),
    )
    centre = models.ForeignKey(
        "network.Centre", on_delete=models.PROTECT, related_name="experts", verbose_name=_("维护机构")
    )
    active = models.BooleanField(_("在库"), default=True)
    deactivated_reason = models.TextField(_("停用理由"), blank=True)
    # Duplicate check: normalised name + normalised affiliation (weiyuan/experts/normalise.py).
    dedupe_key = models.CharField(max_length=240, db_index=True, editable=False)
    organisation_key = models.CharField(max_length=160, blank=True, editable=False)
    # Past ratings, kept as a sum and a count so the matching reads no rating rows.
    rating_total = models.PositiveIntegerField(default=0, editable=False)
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    # Optimistic concurrency: every write bumps it; an edit based on an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExpertQuerySet.as_manager()
    # Plain manager for services, imports, the matching's candidate pool and Django internals.
    objects_unscoped = models.Manager()

    class Meta:
        base_manager_name = "objects_unscoped"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credential_number"], condition=~Q(credential_number=""), name="expert_unique_credential"
            ),
        ]
        indexes = [
            models.Index(fields=["active", "name", "id"], name="expert_active_name_idx"),
            models.Index(fields=["centre", "name"], name="expert_centre_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation_name}）" if self.organisation_name else self.name

    @property
    def rating_average(self) -> float | None:
        return self.rating_total / self.rating_count if self.rating_count else None

    def busy_on(self, day: dt.date | None = None) -> bool:
        """Busy with a date still ahead (a past "busy until" no longer counts)."""
        day = day or timezone.localdate()
        return self.availability == Availability.BUSY and (self.busy_until is None or self.busy_until >= day)

    @property
    def matchable(self) -> bool:
        return self.active and self.availability != Availability.UNAVAILABLE


class ExpertConflict(models.Model):
    """An organisation the expert works or acted for: a party of that name or credit code is a conflict."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts")
    name = models.CharField(_("单位名称"), max_length=160)
    name_key = models.CharField(max_length=160, blank=True, editable=False)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["expert", "id"]

    def __str__(self) -> str:
        return self.name


class ExpertFacet(models.Model):
    """The derived index of an expert's facets; `live` is false for inactive or unavailable experts, whom lists
    still find but the matching does not."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="facets")
    key = models.CharField(max_length=40)
    live = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["expert", "key"], name="expert_facet_unique")]
        indexes = [
            # Candidate generation: WHERE live AND key IN (...) GROUP BY expert_id, index-only.
            models.Index(fields=["live", "key", "expert"], name="expert_facet_live_idx"),
            # List filters (inactive experts too).
            models.Index(fields=["key", "expert"], name="expert_facet_key_idx"),
        ]


class ExpertConflictOverride(models.Model):
    """A director's written decision to consider an expert for a case despite a conflict of interest."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="expert_overrides")
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="overrides")
    conflict = models.TextField(_("冲突情况"))
    reason = models.TextField(_("豁免理由"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "expert"], name="expert_override_unique")]


class ExpertRating(models.Model):
    """The centre's rating of an expert's finished task on a case (one per task)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="ratings")
    assignment = models.OneToOneField("cases.CaseAssignment", on_delete=models.CASCADE, related_name="expert_rating")
    score = models.PositiveSmallIntegerField(_("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("评价"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-rated_at"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="expert_rating_score_range")
        ]


# The invitation models live in their own module; importing them here registers them with this app.
from weiyuan.experts.invitation_models import ExpertInvitation as ExpertInvitation  # noqa: E402
from weiyuan.experts.invitation_models import ExpertUndertaking as ExpertUndertaking  # noqa: E402
from weiyuan.experts.invitation_models import InvitationState as InvitationState  # noqa: E402
from weiyuan.experts.invitation_models import UndertakingText as UndertakingText  # noqa: E402

# The expert task models (shares, personal data, work entries, the expert's feedback), likewise.
from weiyuan.experts.task_models import FeeSource as FeeSource  # noqa: E402
from weiyuan.experts.task_models import TaskDocumentShare as TaskDocumentShare  # noqa: E402
from weiyuan.experts.task_models import TaskFeedback as TaskFeedback  # noqa: E402
from weiyuan.experts.task_models import TaskTerms as TaskTerms  # noqa: E402
from weiyuan.experts.task_models import TaskWorkEntry as TaskWorkEntry  # noqa: E402
from weiyuan.experts.task_models import WorkState as WorkState  # noqa: E402
