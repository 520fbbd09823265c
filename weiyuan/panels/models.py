"""Major disputes 重大纠纷: the criteria that make a case major (data), the designation of a case as major, and the
expert panel 专家组 that meets on it and agrees the major-dispute solution 重大纠纷解决方案.

A panel's life is the declared table in `flow.py`; who may do what is decided in `weiyuan/access/panels.py`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiyuan.core.bilingual import BilingualName


class CriterionKind(models.TextChoices):
    AMOUNT = "amount", _("争议金额达到门槛（元）")
    PARTIES_ABROAD = "parties_abroad", _("当事人在境外")
    INDUSTRY_IMPACT = "industry_impact", _("对产业有重大影响（人工认定）")
    RIGHTS_COUNT = "rights_count", _("涉及权利数量达到门槛")


class MajorCriterion(BilingualName, models.Model):
    """One criterion that makes a case major. Data (seeded by migration), so a centre's rules can change without
    a release: an inactive criterion is not evaluated; `threshold` is in yuan (amount) or a count (rights)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    name_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    kind = models.CharField(_("类别"), max_length=24, choices=CriterionKind.choices)
    threshold = models.DecimalField(_("门槛"), max_digits=16, decimal_places=2, null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    @property
    def threshold_display(self) -> str:
        if self.threshold is None:
            return ""
        if self.kind == CriterionKind.AMOUNT:
            return str(_("%(n)s 元") % {"n": f"{self.threshold:,.2f}".rstrip("0").rstrip(".")})
        return f"{int(self.threshold)}"


class DesignationState(models.TextChoices):
    PROPOSED = "proposed", _("待负责人确认")
    CONFIRMED = "confirmed", _("已确认为重大案件")
    UNMARKED = "unmarked", _("已取消重大案件标记")


class MajorDesignation(models.Model):
    """Staff of the case's centre mark the case major on the criteria it matches; the director confirms (then the
    case's `is_major` is set) or the mark is taken off again with a reason. The inputs the case does not hold
    (amount in dispute, a party abroad, the industry impact) are recorded here as entered."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="major_designations")
    state = models.CharField(_("状态"), max_length=16, choices=DesignationState.choices)
    inputs = models.JSONField(_("评估依据"), default=dict)
    matched = models.JSONField(_("符合的标准"), default=list)  # [{"code", "name", "name_en", "explanation"}]
    reason = models.TextField(_("理由"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unmarked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unmarked_at = models.DateTimeField(null=True, blank=True)
    unmark_reason = models.TextField(_("取消理由"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(state__in=["proposed", "confirmed"]), name="major_designation_open_unique"
            )
        ]
        indexes = [models.Index(fields=["case", "-proposed_at"], name="major_designation_case_idx")]


class PanelState(models.TextChoices):
    FORMING = "forming", _("组建中")
    CONVENED = "convened", _("已组成")
    MEETING_HELD = "meeting_held", _("已会商")
    SOLUTION_DRAFTED = "solution_drafted", _("方案已起草")
    SIGNED = "signed", _("已签发")
    DISSOLVED = "dissolved", _("已解散")
    CANCELLED = "cancelled", _("已取消")


CLOSED_STATES = (PanelState.DISSOLVED, PanelState.CANCELLED)
MIN_MEMBERS = 3


def solution_path(instance: Panel, filename: str) -> str:
    # Random names in the private storage: the path carries nothing about the case.
    return f"panels/{uuid.uuid4().hex}.pdf"


class Panel(models.Model):
    """The expert panel of one major case and its solution document (facts, issues, solution, recommendations)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="panels")
    number = models.CharField(_("方案编号"), max_length=32, unique=True, null=True, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=PanelState.choices, default=PanelState.FORMING)
    task = models.TextField(_("会商议题"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    convened_at = models.DateTimeField(null=True, blank=True)

    solution_facts = models.TextField(_("基本事实"), blank=True)
    solution_issues = models.TextField(_("争议焦点"), blank=True)
    solution_text = models.TextField(_("解决方案"), blank=True)
    solution_recommendations = models.TextField(_("工作建议"), blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(null=True, blank=True)

    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to=solution_path, max_length=200, blank=True)
    pdf_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    pdf_size = models.PositiveIntegerField(null=True, blank=True)

    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(_("理由"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One panel at work per case; a dissolved or cancelled one may be followed by a new one.
            models.UniqueConstraint(
                fields=["case"], condition=~Q(state__in=["dissolved", "cancelled"]), name="panel_open_unique"
            )
        ]
        indexes = [
            models.Index(fields=["case", "-created_at"], name="panel_case_idx"),
            models.Index(fields=["-created_at", "-id"], name="panel_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.number or f"panel {self.pk}"

    @property
    def has_solution(self) -> bool:
        return bool(self.solution_text.strip())

    def solution_sections(self) -> list[tuple[Any, str]]:
        return [
            (_("基本事实"), self.solution_facts),
            (_("争议焦点"), self.solution_issues),
            (_("解决方案"), self.solution_text),
            (_("工作建议"), self.solution_recommendations),
        ]


class PanelMember(models.Model):
    """An expert of the database on the panel; `user` is the expert's account when the profile has one (then they
    see the panel and write their own view)."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    expert = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, related_name="panel_seats")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="panel_seats"
    )
    is_chair = models.BooleanField(_("组长"), default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    # A conflict of interest the director overrode for this case, as it read when the member was added.
    conflict_overridden = models.TextField(blank=True)

    class Meta:
        ordering = ["-is_chair", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "expert"], name="panel_member_unique"),
            models.UniqueConstraint(fields=["panel"], condition=Q(is_chair=True), name="panel_one_chair"),
        ]
        indexes = [models.Index(fields=["user", "panel"], name="panel_member_user_idx")]

    def __str__(self) -> str:
        return self.expert.name


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class PanelMeeting(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="meetings")
    state = models.CharField(_("状态"), max_length=16, choices=MeetingState.choices, default=MeetingState.SCHEDULED)
    scheduled_at = models.DateTimeField(_("会商时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online_link = models.URLField(_("线上会议链接"), max_length=500, blank=True)
    agenda = models.TextField(_("议程"))
    minutes = models.TextField(_("会议纪要"), blank=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [models.Index(fields=["panel", "scheduled_at"], name="panel_meeting_idx")]


class Attendance(models.TextChoices):
    PRESENT = "present", _("出席")
    ABSENT = "absent", _("缺席")
    EXCUSED = "excused", _("请假")


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("出席情况"), max_length=16, choices=Attendance.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="meeting_attendance_unique")]


class PanelView(models.Model):
    """One member's view on the dispute: written by the expert in their account, or recorded by staff on their
    behalf (`on_behalf`, with who recorded it)."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="views")
    member = models.OneToOneField(PanelMember, on_delete=models.CASCADE, related_name="view")
    text = models.TextField(_("专家意见"))
    on_behalf = models.BooleanField(_("由工作人员代为记录"), default=False)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["member__added_at", "id"]
