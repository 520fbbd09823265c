"""Training and seminars 培训 (CNIPA 2020 No. 22, §十; issue #7 "Staff, volunteers, training"): events organised by
a centre, registration by the network's staff and volunteers (and applicants for public events), attendance and
the hours credited to each attendee (`TrainingCredit`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    TRAINING = "training", _("培训")
    SEMINAR = "seminar", _("研讨会")
    LECTURE = "lecture", _("讲座")


class EventState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("报名中")
    CLOSED = "closed", _("报名截止")
    HELD = "held", _("已举办")
    CANCELLED = "cancelled", _("已取消")


class RegistrationState(models.TextChoices):
    REGISTERED = "registered", _("已报名")
    CANCELLED = "cancelled", _("已取消报名")


class TrainingEvent(models.Model):
    centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("主办机构"))
    title = models.CharField(_("标题"), max_length=160)
    kind = models.CharField(_("类型"), max_length=12, choices=EventKind.choices, default=EventKind.TRAINING)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online_url = models.URLField(_("线上链接"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("名额"))
    description = models.TextField(_("简介"), blank=True)
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    public = models.BooleanField(_("面向申请人公开"), default=False)
    materials = models.ManyToManyField(
        "knowledge.KnowledgeItem", blank=True, related_name="+", verbose_name=_("培训资料")
    )
    state = models.CharField(_("状态"), max_length=12, choices=EventState.choices, default=EventState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gte=0), name="training_event_hours_not_negative"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="training_event_capacity_positive"),
        ]
        indexes = [models.Index(fields=["state", "-starts_at"], name="training_event_state_idx")]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    """One person's registration for an event; cancelling keeps the row (registering again reuses it)."""

    event = models.ForeignKey(TrainingEvent, on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("状态"), max_length=12, choices=RegistrationState.choices, default=RegistrationState.REGISTERED
    )
    registered_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["registered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="training_registration_unique")]


class TrainingCredit(models.Model):
    """Hours credited to an attendee of a held event (one per registration); `year` for the yearly totals."""

    registration = models.OneToOneField(Registration, on_delete=models.PROTECT, related_name="credit")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(TrainingEvent, on_delete=models.PROTECT, related_name="credits")
    year = models.PositiveSmallIntegerField(_("年度"))
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [models.CheckConstraint(condition=Q(hours__gte=0), name="training_credit_hours_not_negative")]
        indexes = [models.Index(fields=["user", "year"], name="training_credit_user_year_idx")]
