"""On-site service at exhibitions and events 展会驻场服务 (issue #6; CNIPA 2020 No. 22, part 八).

An **event** (a fair) has a venue, dates, an organiser and phases; a centre runs a **station** 工作站 at it with staff
and experts **on duty** per day. The **exhibitors** (company, booth, products, contact, country, the industry
section of GB/T 4754-2017) are imported from CSV or Excel. A **complaint** at the station names the complainant, a
right (its validity checked when filed), the respondent exhibitor (found by booth or name), the exhibits and photos
taken on site. The station serves the respondent a notice; the respondent's **defence clock** runs in hours (rule
`fair_respondent_defence`, default 24, set per event; the due time is stored on the complaint); the experts on duty
decide; an infringing finding brings **measures** (remove, cover, withdraw promotional material) confirmed by staff,
or a refusal told to the organiser.
A complaint's steps: `flow.TRANSITIONS`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiyuan.core.choices import Industry, IPType


class Event(models.Model):
    name = models.CharField(_("展会名称"), max_length=200)
    venue = models.CharField(_("举办地点"), max_length=200)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    organiser = models.CharField(_("主办方"), max_length=200)
    # The organiser's accounts are told of a refusal to comply (outbox); optional.
    organiser_accounts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organised_events", verbose_name=_("主办方账户")
    )
    # [{"name": "...", "starts_on": "YYYY-MM-DD", "ends_on": "YYYY-MM-DD"}], checked by the service.
    phases = models.JSONField(_("展期"), default=list, blank=True)
    defence_hours = models.PositiveSmallIntegerField(_("被投诉人答辩时限（小时）"), default=24)
    # The centre that keeps the event's record (runs its station).
    centre = models.ForeignKey(
        "network.Centre", on_delete=models.PROTECT, related_name="exhibition_events", verbose_name=_("援助机构")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["centre", "-starts_on"], name="exh_event_centre_idx")]

    def __str__(self) -> str:
        return self.name


class Station(models.Model):
    """The centre's workstation at the event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="stations")
    centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="exhibition_stations")
    location = models.CharField(_("工作站位置"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["event", "centre"], name="exh_station_unique")]

    def __str__(self) -> str:
        return f"{self.event} · {self.centre}"


class DutyKind(models.TextChoices):
    STAFF = "staff", _("工作人员")
    EXPERT = "expert", _("专家")


class Duty(models.Model):
    """Who is on duty at the station on a day: staff of its centre, experts of the expert database."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="duties")
    day = models.DateField(_("日期"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exhibition_duties")
    kind = models.CharField(_("类别"), max_length=8, choices=DutyKind.choices)

    class Meta:
        ordering = ["day", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["station", "day", "user"], name="exh_duty_unique")]
        indexes = [models.Index(fields=["user", "day"], name="exh_duty_user_idx")]


class Exhibitor(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="exhibitors")
    company = models.CharField(_("参展企业"), max_length=200)
    # The normalised company name (`importing.company_key`): finds the same respondent at earlier events.
    company_key = models.CharField(max_length=200, db_index=True)
    booth = models.CharField(_("展位号"), max_length=40)
    products = models.CharField(_("展品"), max_length=500, blank=True)
    contact = models.CharField(_("联系方式"), max_length=200, blank=True)
    country = models.CharField(_("国家或地区"), max_length=60, blank=True)
    # GB/T 4754-2017 section (门类) letter, optional in the import; the report after the fair counts by it.
    industry = models.CharField(_("行业门类"), max_length=1, choices=Industry.choices, blank=True)
    # The exhibitor's own account, if it has one: the notice is served online too.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="exhibitor_entries"
    )

    class Meta:
        ordering = ["booth", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "booth"], name="exh_exhibitor_booth_unique")]

    def __str__(self) -> str:
        return f"{self.booth} {self.company}"


class ComplaintState(models.TextChoices):
    FILED = "filed", _("已受理投诉")
    SERVED = "served", _("已送达被投诉人")
    DEFENDED = "defended", _("已答辩")
    INFRINGING = "infringing", _("认定侵权，待落实措施")
    NOT_INFRINGING = "not_infringing", _("认定不侵权")
    REFERRED = "referred", _("无法判定，已移交")
    COMPLIED = "complied", _("措施已落实")
    REFUSED = "refused", _("拒不配合，已告知主办方")
    WITHDRAWN = "withdrawn", _("已撤回")


class MarkCheckStatus(models.TextChoices):
    """The trademark check against the register of weiyuan.marks (`mark_check.py`); "" when not a trademark."""

    FOUND = "found", _("与注册簿一致")
    NOT_FOUND = "not_found", _("注册簿中未找到")
    OWNER_DIFFERS = "owner_differs", _("注册人不一致")
    EXPIRED = "expired", _("已过期或已无效")
    NOT_REGISTERED = "not_registered", _("尚未核准注册")


OPEN_STATES = (ComplaintState.FILED, ComplaintState.SERVED, ComplaintState.DEFENDED, ComplaintState.INFRINGING)


class Complaint(models.Model):
    number = models.CharField(_("投诉编号"), max_length=24, unique=True, null=True, blank=True)
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="complaints")
    complainant = models.CharField(_("投诉人"), max_length=200)
    complainant_contact = models.CharField(_("投诉人联系方式"), max_length=200, blank=True)
    # The complainant's account when filed online (or by its agent); staff filing at the desk leave it empty.
    complainant_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="fair_complaints"
    )
    right_type = models.CharField(_("权利类型"), max_length=20, choices=IPType.choices)
    right_number = models.CharField(_("权利编号"), max_length=60)
    right_title = models.CharField(_("权利名称"), max_length=200, blank=True)
    right_owner = models.CharField(_("权利人"), max_length=200)
    right_valid_from = models.DateField(_("权利有效期起"))
    right_valid_until = models.DateField(_("权利有效期至"))
    respondent = models.ForeignKey(Exhibitor, on_delete=models.PROTECT, related_name="complaints")
    exhibits = models.TextField(_("涉嫌侵权展品"))
    # The sign the exhibitor uses (trademarks), compared with the registered mark by the #8 engine.
    accused_mark = models.CharField(_("被投诉人使用的标识"), max_length=60, blank=True)
    # The trademark check against the register (`mark_check.trademark_check`), recorded when filed; never blocks it.
    mark_check_status = models.CharField(_("商标注册核对"), max_length=16, choices=MarkCheckStatus.choices, blank=True)
    mark_check = models.JSONField(default=dict, blank=True)
    statement = models.TextField(_("投诉理由"), blank=True)
    # Complaints against the same company (normalised name) at earlier events, counted when filed.
    earlier_complaints = models.PositiveIntegerField(_("此前展会被投诉次数"), default=0)
    state = models.CharField(_("状态"), max_length=16, choices=ComplaintState.choices, default=ComplaintState.FILED)
    filed_at = models.DateTimeField(_("投诉时间"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    served_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    # Rule `fair_respondent_defence`: served_at + the event's defence hours, stored.
    defence_due_at = models.DateTimeField(_("答辩截止时间"), null=True, blank=True)
    defence = models.TextField(_("答辩意见"), blank=True)
    defended_at = models.DateTimeField(_("答辩时间"), null=True, blank=True)
    decision_reason = models.TextField(_("判定理由"), blank=True)
    decided_at = models.DateTimeField(_("判定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refusal_note = models.TextField(_("拒不配合情况"), blank=True)
    organiser_told_at = models.DateTimeField(_("告知主办方时间"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["station", "state", "-filed_at"], name="exh_complaint_station_idx"),
            # The live board's running clocks.
            models.Index(fields=["defence_due_at"], name="exh_complaint_clock_idx", condition=Q(state="served")),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class FileKind(models.TextChoices):
    CERTIFICATE = "certificate", _("权利证书")
    PHOTO = "photo", _("现场照片")
    DEFENCE = "defence", _("答辩证据")


class ComplaintFile(models.Model):
    """A file of the complaint, stored as an evidence file (checked by content, SHA-256 at receipt)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("类别"), max_length=16, choices=FileKind.choices)
    evidence = models.ForeignKey("evidence.EvidenceFile", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]


class MeasureKind(models.TextChoices):
    REMOVE = "remove", _("撤下展品")
    COVER = "cover", _("遮盖")
    WITHDRAW_PROMOTION = "withdraw_promotion", _("撤回宣传资料")


class MeasureState(models.TextChoices):
    DUE = "due", _("待落实")
    CONFIRMED = "confirmed", _("已确认落实")
    REFUSED = "refused", _("拒不配合")


class Measure(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("措施"), max_length=24, choices=MeasureKind.choices)
    exhibit = models.CharField(_("展品"), max_length=200)
    state = models.CharField(_("状态"), max_length=12, choices=MeasureState.choices, default=MeasureState.DUE)
    # The staff confirmation: a photo, the time, who signed.
    photo = models.ForeignKey(
        "evidence.EvidenceFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer = models.CharField(_("签字人"), max_length=60, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["complaint", "state"], name="exh_measure_state_idx")]


class ComplaintStep(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=32)
    state = models.CharField(max_length=16, choices=ComplaintState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
