"""The case spine: every service of the network is a Case moving through one declared state machine."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from weiyuan.access.scoping import ScopedManager
from weiyuan.core.bilingual import BilingualName
from weiyuan.core.choices import ApplicantKind, Channel, Industry, IPType, PriorityGroup

# The service type whose cases run the consultation flow (weiyuan/consultations): asked at /consultations/new/,
# concluded by sending the answer.
CONSULTATION_SERVICE = "consultation"


class ServiceType(BilingualName, models.Model):
    """Service types are data: their clocks (in working days) and intake hints can change without a release."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    name_en = models.CharField(_("英文名称"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    acceptance_working_days = models.PositiveSmallIntegerField(_("受理时限（工作日）"), default=5)
    handling_working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), default=30)
    needs_right = models.BooleanField(_("须填写权利信息"), default=True)
    needs_respondent = models.BooleanField(_("须填写被请求人"), default=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "code"]


class CentreServiceClock(models.Model):
    """A centre's own handling limit for a service type, overriding the service type's default."""

    centre = models.ForeignKey("network.Centre", on_delete=models.CASCADE, related_name="service_clocks")
    service_type = models.ForeignKey(ServiceType, on_delete=models.CASCADE)
    acceptance_working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    handling_working_days = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "service_type"], name="centre_service_clock_unique")]


class CaseState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待受理")
    INFO_REQUESTED = "info_requested", _("待补正")
    ACCEPTED = "accepted", _("已受理")
    REJECTED = "rejected", _("不予受理")
    ASSIGNED = "assigned", _("已分派")
    IN_HANDLING = "in_handling", _("办理中")
    CONCLUDED = "concluded", _("已办结")
    CLOSED = "closed", _("已归档")
    REOPENED = "reopened", _("已重启")
    WITHDRAWN = "withdrawn", _("已撤回")
    TRANSFERRED = "transferred", _("移送中")


OPEN_STATES = (
    CaseState.SUBMITTED,
    CaseState.INFO_REQUESTED,
    CaseState.ACCEPTED,
    CaseState.ASSIGNED,
    CaseState.IN_HANDLING,
    CaseState.REOPENED,
    CaseState.TRANSFERRED,
)


class RejectReason(models.TextChoices):
    IDENTITY_UNVERIFIED = "identity_unverified", _("申请人身份无法核实")
    NO_RESPONDENT = "no_respondent", _("被请求人不明确")
    NO_EVIDENCE = "no_evidence", _("缺少事实和初步证据")
    OUT_OF_AREA = "out_of_area", _("不属于本中心服务地域")
    OUT_OF_REMIT = "out_of_remit", _("不属于维权援助服务范围")
    PENDING_ELSEWHERE = "pending_elsewhere", _("已在其他渠道处理中")
    INFO_NOT_SUPPLIED = "info_not_supplied", _("逾期未补正")
    OTHER = "other", _("其他")


class Outcome(models.TextChoices):
    ADVICE_GIVEN = "advice_given", _("已提供咨询指导")
    OPINION_ISSUED = "opinion_issued", _("已出具参考意见")
    REFERRED = "referred", _("已移交相关部门")
    SETTLED = "settled", _("已调解和解")
    WITHDRAWN = "withdrawn", _("申请人撤回")
    NOT_SUBSTANTIATED = "not_substantiated", _("经核查不成立")
    SOLUTION_PROVIDED = "solution_provided", _("已提供解决方案")
    OTHER = "other", _("其他")


class Case(models.Model):
    tracking_number = models.CharField(_("案件编号"), max_length=24, unique=True)
    centre = models.ForeignKey(
        "network.Centre", on_delete=models.PROTECT, related_name="cases", verbose_name=_("承办机构")
    )
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, verbose_name=_("服务类型"))
    ip_type = models.CharField(_("知识产权类型"), max_length=16, choices=IPType.choices)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    state = models.CharField(_("状态"), max_length=16, choices=CaseState.choices, default=CaseState.DRAFT)
    is_major = models.BooleanField(_("重大案件"), default=False)

    # Who asks: an account (applicant or agent), or details recorded by staff for a caller or visitor.
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    agent_authorisation = models.ForeignKey(
        "accounts.AgentAuthorisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applicant_name = models.CharField(_("申请人"), max_length=160)
    applicant_kind = models.CharField(_("申请人类型"), max_length=16, choices=ApplicantKind.choices)
    applicant_credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    applicant_id_number = EncryptedCharField(_("居民身份证号码"), max_length=18, blank=True, null=True)
    # Keyed digest of the ID number: finds the same person's cases (duplicate check) without decrypting anything.
    applicant_id_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    applicant_phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True, null=True)
    applicant_email = models.EmailField(_("电子邮箱"), blank=True)
    applicant_region = models.ForeignKey(
        "network.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人所在地区")
    )
    priority_group = models.CharField(
        _("重点服务对象"), max_length=24, choices=PriorityGroup.choices, blank=True, default=""
    )
    # The applicant's industry (GB/T 4754 section), for the coverage figures by industry (weiyuan/kpis).
    industry = models.CharField(_("所属行业"), max_length=1, choices=Industry.choices, blank=True, default="")

    respondent_name = models.CharField(_("被请求人"), max_length=160, blank=True)
    respondent_credit_code = models.CharField(_("被请求人统一社会信用代码"), max_length=18, blank=True)
    respondent_address = models.CharField(_("被请求人地址或网店"), max_length=240, blank=True)

    title = models.CharField(_("事项"), max_length=160)
    facts = models.TextField(_("事实与理由"))
    request = models.TextField(_("请求事项"))

    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
        verbose_name=_("承办人"),
    )
    transferred_from = models.ForeignKey(
        "network.Centre", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state_before_transfer = models.CharField(max_length=16, blank=True)
    duplicate_of = models.JSONField(_("疑似重复"), default=list, blank=True)

    reject_reason = models.CharField(_("不予受理理由"), max_length=24, choices=RejectReason.choices, blank=True)
    reject_text = models.TextField(_("说明"), blank=True)
    reject_fix = models.TextField(_("补救方式"), blank=True)
    reject_suggested_centre = models.ForeignKey(
        "network.Centre", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reject_suggested_channel = models.CharField(max_length=200, blank=True)

    outcome = models.CharField(_("办结结果"), max_length=24, choices=Outcome.choices, blank=True)
    result_letter = models.TextField(_("结果告知书"), blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    # Plain manager for services, sweeps and Django internals; views and API never use it.
    objects_unscoped = models.Manager()

    class Meta:
        base_manager_name = "objects_unscoped"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["centre", "state", "-submitted_at", "-id"], name="case_queue_idx"),
            models.Index(fields=["centre", "-submitted_at", "-id"], name="case_centre_recent_idx"),
            # KPI refresh: the cases a centre concluded in a month (weiyuan/kpis/compute.py).
            models.Index(fields=["centre", "concluded_at"], name="case_centre_concluded_idx"),
            models.Index(fields=["handler", "state"], name="case_handler_idx"),
            models.Index(fields=["applicant_user", "-created_at"], name="case_applicant_idx"),
            models.Index(fields=["applicant_name"], name="case_applicant_name_idx"),
            models.Index(fields=["respondent_name"], name="case_respondent_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.title}"


class CaseRight(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rights")
    ip_type = models.CharField(_("类型"), max_length=16, choices=IPType.choices)
    number = models.CharField(_("权利号（专利号、注册号）"), max_length=40)
    title = models.CharField(_("名称"), max_length=160, blank=True)
    owner = models.CharField(_("权利人"), max_length=160, blank=True)
    legal_status = models.CharField(_("法律状态"), max_length=80, blank=True)
    certificate = models.ForeignKey(
        "evidence.EvidenceFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["number"], name="caseright_number_idx")]


class CaseEvent(models.Model):
    """One step of a case's history; `public` steps form the applicant's timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="+")
    public = models.BooleanField(default=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="caseevent_case_idx")]


class CaseMessage(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("内容"), max_length=5000)
    # Internal notes are staff-only; the applicant never sees them.
    internal = models.BooleanField(_("内部备注"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="casemessage_case_idx")]


class CaseShare(models.Model):
    """Co-handling 协同: an explicit, logged and revocable grant to another centre."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="shared_cases")
    reason = models.TextField(_("协同理由"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["centre", "revoked_at"], name="caseshare_centre_idx")]


class CaseAssignment(models.Model):
    """An expert's or volunteer's task on a case: they see only what is assigned to them."""

    class Kind(models.TextChoices):
        EXPERT = "expert", _("专家")
        VOLUNTEER = "volunteer", _("志愿者")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_assignments")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    task = models.TextField(_("任务"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "ended_at"], name="caseassignment_user_idx")]
