"""Volunteers 志愿者 and staff qualifications (CNIPA 2020 No. 22, §六 and §十一; issue #7 "Staff, volunteers,
training"): a person's registration as a volunteer of a centre (from a university legal clinic or an association),
decided by the centre's director; the hours a volunteer logs, confirmed by the director (or the handler of the case
for case work); the qualifications of a centre's staff shown on the director's roster (weiyuan/training)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The confidentiality undertaking a volunteer signs with the application. The text shown (in the language of the
# page) is stored with the registration, with the time it was signed: what was promised is kept as it was then.
UNDERTAKING = _(
    "本人自愿担任知识产权维权援助志愿者，承诺：对在服务中知悉的申请人个人信息、商业秘密、案件材料及未公开的处理"
    "意见严格保密，不向任何人透露，不用于服务以外的目的；不复制、不带离案件材料；与所服务事项存在利益冲突时主动"
    "申明并回避；志愿服务结束后仍遵守上述义务。违反本承诺的，援助中心可终止本人的志愿服务并依法追究责任。"
)


class OrganisationKind(models.TextChoices):
    CLINIC = "clinic", _("高校法律诊所")
    ASSOCIATION = "association", _("协会或社会组织")


class RegistrationState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("服务中")
    DECLINED = "declined", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")
    SUSPENDED = "suspended", _("已暂停")
    ENDED = "ended", _("已终止")


# A person holds at most one of these per centre at a time (a declined, withdrawn or ended one may be followed by
# a new application).
OPEN_STATES = (RegistrationState.PENDING, RegistrationState.APPROVED, RegistrationState.SUSPENDED)


class VolunteerRegistration(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("服务机构"))
    organisation_kind = models.CharField(_("所在组织类型"), max_length=16, choices=OrganisationKind.choices)
    organisation_name = models.CharField(_("所在组织名称"), max_length=160)
    member_number = models.CharField(_("学号或会员号"), max_length=40, blank=True)
    expertise = models.ManyToManyField("experts.ExpertField", blank=True, related_name="+", verbose_name=_("专业领域"))
    ip_types = models.JSONField(_("知识产权类型"), default=list, blank=True)
    languages = models.JSONField(_("工作语言"), default=list, blank=True)
    availability = models.CharField(_("可服务时间"), max_length=300)
    motivation = models.TextField(_("个人简介"), blank=True)
    undertaking_text = models.TextField(_("保密承诺"))
    undertaking_signed_at = models.DateTimeField(_("承诺签署时间"))
    state = models.CharField(
        _("状态"), max_length=12, choices=RegistrationState.choices, default=RegistrationState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The reason of the last decline, suspension or end (shown to the volunteer).
    reason = models.TextField(_("理由"), blank=True)
    membership = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "centre"],
                condition=Q(state__in=["pending", "approved", "suspended"]),
                name="volunteer_registration_one_open",
            )
        ]
        indexes = [models.Index(fields=["centre", "state"], name="volunteer_reg_centre_state_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.centre}"


class ActivityKind(models.TextChoices):
    CONSULTATION_DRAFT = "consultation_draft", _("咨询答复起草")
    CASE_TASK = "case_task", _("案件任务")
    OUTREACH = "outreach", _("宣传推广")
    TRAINING = "training", _("培训")
    OTHER = "other", _("其他")


class HoursState(models.TextChoices):
    SUBMITTED = "submitted", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("未确认")


class VolunteerHours(models.Model):
    """Hours a volunteer worked for the centre of their registration on one day; `year` for the yearly totals."""

    registration = models.ForeignKey(VolunteerRegistration, on_delete=models.PROTECT, related_name="hours")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="+")
    worked_on = models.DateField(_("服务日期"))
    year = models.PositiveSmallIntegerField(_("年度"))
    hours = models.DecimalField(_("时长（小时）"), max_digits=4, decimal_places=1)
    activity = models.CharField(_("服务类型"), max_length=24, choices=ActivityKind.choices)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("案件")
    )
    description = models.CharField(_("说明"), max_length=300, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=HoursState.choices, default=HoursState.SUBMITTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("未确认理由"), max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-worked_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=24), name="volunteer_hours_0_to_24"),
        ]
        indexes = [
            models.Index(fields=["user", "year", "state"], name="volunteer_hours_user_year_idx"),
            models.Index(fields=["centre", "state"], name="volunteer_hours_centre_idx"),
        ]


class QualificationKind(models.TextChoices):
    PATENT_ATTORNEY = "patent_attorney", _("专利代理师")
    LAWYER = "lawyer", _("律师")
    TRADEMARK_ATTORNEY = "trademark_attorney", _("商标代理人")
    EXAMINER = "examiner", _("审查员经历")
    MEDIATOR = "mediator", _("调解员")
    OTHER = "other", _("其他")


class StaffQualification(models.Model):
    """A qualification of a staff member of a centre, kept by its director and shown on the staff roster."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_qualifications")
    centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("资质类型"), max_length=24, choices=QualificationKind.choices)
    number = models.CharField(_("证书编号"), max_length=60, blank=True)
    issuer = models.CharField(_("发证机关"), max_length=160, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    certificate = models.ForeignKey(
        "evidence.EvidenceFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["centre", "user"], name="staff_qualification_idx")]
