"""Feedback 回访与评价 (CNIPA 2020 No. 22, part 6): the applicant's satisfaction survey after a case is concluded, the
return visits 回访 staff pay on a schedule after conclusion, and opinions and complaints about a centre's service,
which go to the centre's parent level with a reply due date.

Time is data: the survey's reminder due time, a return visit's due date and a complaint's reply due time are stored
on the rows, and the clock sweep (`manage.py sweep_clocks`, `weiyuan/feedback/sweep.py`) finds them by those columns.
Response rate and return-visit completion are counted from `answered_at`, `reminded_at` and `state`/`done_at`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SCORE_MIN, SCORE_MAX = 1, 5
SCORE_FIELDS = ("overall", "speed", "professionalism", "usefulness")


def _score_check(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": SCORE_MIN, f"{name}__lte": SCORE_MAX}),
        name=f"survey_{name}_1_to_5",
    )


class SurveyChannel(models.TextChoices):
    CASE_PAGE = "case_page", _("案件页面")
    LINK = "link", _("通知中的评价链接")
    API = "api", _("接口")


class Survey(models.Model):
    """One satisfaction survey per case, answered once by the case's applicant account."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="survey")
    # The centre that concluded the case (the KPI counts per centre) and the account that may answer.
    centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # The one reminder: due at `remind_due_at` (working days after conclusion), sent at `reminded_at`.
    remind_due_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    answered_via = models.CharField(max_length=16, choices=SurveyChannel.choices, blank=True)
    overall = models.PositiveSmallIntegerField(_("总体满意度"), null=True, blank=True)
    speed = models.PositiveSmallIntegerField(_("办理速度"), null=True, blank=True)
    professionalism = models.PositiveSmallIntegerField(_("专业水平"), null=True, blank=True)
    usefulness = models.PositiveSmallIntegerField(_("帮助程度"), null=True, blank=True)
    comment = models.TextField(_("意见和建议"), blank=True)

    class Meta:
        constraints = [_score_check(name) for name in SCORE_FIELDS]
        indexes = [
            # The sweep's filter: unanswered, not yet reminded, by reminder due time.
            models.Index(
                fields=["remind_due_at"],
                name="survey_remind_due_idx",
                condition=Q(answered_at__isnull=True, reminded_at__isnull=True),
            ),
            models.Index(fields=["centre", "created_at"], name="survey_centre_idx"),
        ]

    def __str__(self) -> str:
        return f"survey {self.case_id}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


class ReturnVisitSchedule(models.Model):
    """When return visits fall due after a case of this service type is concluded, in days (e.g. [30, 90]); an
    empty list means none. Service types without a row use `settings.FEEDBACK_RETURN_VISIT_DAYS`."""

    service_type = models.OneToOneField(
        "cases.ServiceType",
        on_delete=models.CASCADE,
        related_name="return_visit_schedule",
        verbose_name=_("服务类型"),
    )
    days_after = models.JSONField(_("办结后第几天回访"), default=list, blank=True)

    class Meta:
        verbose_name = _("回访计划")
        verbose_name_plural = _("回访计划")

    def __str__(self) -> str:
        return f"{self.service_type.code}: {self.days_after}"

    def clean(self) -> None:
        from weiyuan.feedback.services.visits import validate_schedule_days

        self.days_after = validate_schedule_days(self.days_after)


class ReturnVisitState(models.TextChoices):
    PENDING = "pending", _("待回访")
    DONE = "done", _("已回访")
    CANCELLED = "cancelled", _("已取消")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    EMAIL = "email", _("电子邮件")
    VISIT = "visit", _("上门走访")
    MESSAGE = "message", _("站内消息")


class ApplicantOutcome(models.TextChoices):
    SETTLED = "settled", _("已和解")
    WON = "won", _("胜诉或获支持")
    LOST = "lost", _("败诉或未获支持")
    PENDING = "pending", _("尚在处理中")
    ABANDONED = "abandoned", _("已放弃维权")


class ReturnVisit(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="return_visits")
    # The centre whose staff pay the visit (the case's centre when it was concluded): the queue's filter.
    centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="+")
    days_after = models.PositiveSmallIntegerField(_("办结后天数"))
    due_on = models.DateField(_("回访日期"))
    state = models.CharField(
        _("状态"), max_length=16, choices=ReturnVisitState.choices, default=ReturnVisitState.PENDING
    )
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reached = models.BooleanField(_("是否联系上申请人"), null=True, blank=True)
    channel = models.CharField(_("回访方式"), max_length=16, choices=ContactChannel.choices, blank=True)
    dispute_resolved = models.BooleanField(_("纠纷是否已解决"), null=True, blank=True)
    applicant_outcome = models.CharField(
        _("申请人反映的结果"), max_length=16, choices=ApplicantOutcome.choices, blank=True
    )
    loss_avoided_yuan = models.DecimalField(
        _("估计避免损失（元）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    new_needs = models.TextField(_("新的需求"), blank=True)
    notes = models.TextField(_("回访记录"), blank=True)
    # The applicant's account contradicts an outcome a partner reported on a referral of the case (cross-check).
    referral_mismatch = models.BooleanField(_("与合作单位反馈的结果不一致"), default=False)
    referral_mismatch_note = models.TextField(blank=True)
    new_case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("新案件")
    )

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "days_after"], name="return_visit_case_days_unique"),
            models.CheckConstraint(
                condition=Q(loss_avoided_yuan__isnull=True) | Q(loss_avoided_yuan__gte=0),
                name="return_visit_loss_not_negative",
            ),
        ]
        indexes = [
            # The queue: a centre's visits by state and due date.
            models.Index(fields=["centre", "state", "due_on", "id"], name="return_visit_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days_after}d {self.state}"


class ComplaintKind(models.TextChoices):
    OPINION = "opinion", _("意见建议")
    COMPLAINT = "complaint", _("投诉")


class ComplaintState(models.TextChoices):
    FILED = "filed", _("待答复")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


class ServiceComplaint(models.Model):
    """An opinion or complaint about a centre's service, answered by the centre's parent level (the centre itself
    when it has none: the national guidance centre)."""

    centre = models.ForeignKey(
        "network.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("被投诉机构")
    )
    handling_centre = models.ForeignKey(
        "network.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("答复机构")
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("相关案件")
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=16, choices=ComplaintKind.choices)
    subject = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("具体内容"))
    state = models.CharField(_("状态"), max_length=16, choices=ComplaintState.choices, default=ComplaintState.FILED)
    filed_at = models.DateTimeField(_("提交时间"))
    reply_due_at = models.DateTimeField(_("答复期限"))
    calendar_fallback = models.BooleanField(default=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(_("答复"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.TextField(_("办结说明"), blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.TextField(_("撤回理由"), blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["handling_centre", "state", "-filed_at"], name="complaint_handling_idx"),
            models.Index(fields=["filed_by", "-filed_at"], name="complaint_filer_idx"),
            # The sweep: unanswered complaints by reply due time, each reminded once.
            models.Index(
                fields=["reply_due_at"],
                name="complaint_reply_due_idx",
                condition=Q(state="filed", overdue_notified_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.kind} {self.state}"
