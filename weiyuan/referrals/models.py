"""Referrals 衔接 / 移交: a case handed to a cooperating organisation (enforcement, court, arbitration, mediation, ...)
with a cover letter and the evidence files chosen for it; the partner acknowledges, accepts or declines, reports
progress and finally the real outcome with its document (mediation agreement, penalty decision, judgment ...).

Time is data: the acknowledgement due time and the "no news" due time are stored on the row, and the clock sweep
chases the partner and escalates to the case's handler and then the centre's directors (`next_chase_at`,
`escalation_stage`). `InboundReferral` records the organisation behind a case a partner referred in.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReferralState(models.TextChoices):
    SENT = "sent", _("待签收")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    ACCEPTED = "accepted", _("已受理")
    DECLINED = "declined", _("不予受理")
    CONCLUDED = "concluded", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


# Not yet finished: one open referral per case and organisation; the sweep chases these.
OPEN_STATES = (ReferralState.SENT, ReferralState.ACKNOWLEDGED, ReferralState.ACCEPTED)
FINAL_STATES = (ReferralState.DECLINED, ReferralState.CONCLUDED, ReferralState.WITHDRAWN)


class OutcomeKind(models.TextChoices):
    ACCEPTED = "accepted", _("已受理")
    DECLINED = "declined", _("不予受理")
    MEDIATION_AGREEMENT = "mediation_agreement", _("调解协议")
    PENALTY_DECISION = "penalty_decision", _("行政处罚决定")
    JUDGMENT = "judgment", _("判决或裁定")
    WITHDRAWN = "withdrawn", _("撤回")
    OTHER = "other", _("其他")


# The outcomes that conclude a referral (reported by the partner), and those that must come with their document:
# a mediation agreement, a penalty decision and a judgment or ruling exist as documents, and the case should hold
# the real one, not a summary of it.
CONCLUDING_OUTCOMES = (
    OutcomeKind.MEDIATION_AGREEMENT,
    OutcomeKind.PENALTY_DECISION,
    OutcomeKind.JUDGMENT,
    OutcomeKind.WITHDRAWN,
    OutcomeKind.OTHER,
)
DOCUMENT_REQUIRED = frozenset({OutcomeKind.MEDIATION_AGREEMENT, OutcomeKind.PENALTY_DECISION, OutcomeKind.JUDGMENT})


class EscalationStage(models.IntegerChoices):
    NONE = 0, _("未催办")
    PARTNER_CHASED = 1, _("已催告合作单位")
    HANDLER = 2, _("已上报承办人")
    DIRECTOR = 3, _("已上报中心负责人")


class Referral(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="referrals")
    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("合作单位")
    )
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cover_letter = models.TextField(_("移交函"))
    state = models.CharField(_("状态"), max_length=16, choices=ReferralState.choices, default=ReferralState.SENT)
    sent_at = models.DateTimeField(_("移交时间"))
    # Clocks, stored: the acknowledgement due time (rule `referral_acknowledgement`) and the "no news" due time
    # (rule `referral_progress`, restarted by every acknowledgement, decision and update).
    ack_due_at = models.DateTimeField(_("签收期限"))
    progress_due_at = models.DateTimeField(_("进展报告期限"), null=True, blank=True)
    calendar_fallback = models.BooleanField(default=False)
    # The sweep: when it acts next on this referral, and how far chasing has gone for the current due time.
    next_chase_at = models.DateTimeField(null=True, blank=True)
    escalation_stage = models.PositiveSmallIntegerField(
        _("催办阶段"), choices=EscalationStage.choices, default=EscalationStage.NONE
    )
    last_chased_at = models.DateTimeField(_("最近催办时间"), null=True, blank=True)

    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("受理决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decline_reason = models.TextField(_("不予受理理由"), blank=True)
    outcome_kind = models.CharField(_("结果"), max_length=24, choices=OutcomeKind.choices, blank=True)
    outcome_summary = models.TextField(_("结果说明"), blank=True)
    outcome_document = models.ForeignKey(
        "evidence.EvidenceFile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("结果文书"),
    )
    outcome_date = models.DateField(_("结果日期"), null=True, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(_("撤回理由"), blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            # One open referral of a case to one organisation; after a decline or a conclusion it may be sent again.
            models.UniqueConstraint(
                fields=["case", "organisation"],
                condition=Q(state__in=["sent", "acknowledged", "accepted"]),
                name="referral_open_unique",
            )
        ]
        indexes = [
            # The partner's inbox.
            models.Index(fields=["organisation", "state", "-sent_at"], name="referral_org_idx"),
            models.Index(fields=["case", "-sent_at"], name="referral_case_idx"),
            # The sweep: open referrals by their next chase time.
            models.Index(
                fields=["next_chase_at"],
                name="referral_chase_idx",
                condition=Q(state__in=["sent", "acknowledged", "accepted"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} -> {self.organisation_id} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def current_due_at(self) -> dt.datetime | None:
        """The obligation the partner owes now: acknowledging, or news (None once finished)."""
        if self.state == ReferralState.SENT:
            return self.ack_due_at
        if self.state in OPEN_STATES:
            return self.progress_due_at
        return None


class ReferralDocument(models.Model):
    """An evidence file of the case shared with the partner of the referral (only these are shown to it)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="documents")
    evidence = models.ForeignKey("evidence.EvidenceFile", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["referral", "evidence"], name="referral_document_unique")]


class ReferralUpdate(models.Model):
    """A report from the partner (or a note of the centre) on the referral: a status report, the acceptance or
    decline, the outcome; optionally with a document."""

    class Kind(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", _("签收")
        ACCEPTED = "accepted", _("受理")
        DECLINED = "declined", _("不予受理")
        PROGRESS = "progress", _("进展报告")
        OUTCOME = "outcome", _("结果报告")
        WITHDRAWN = "withdrawn", _("撤回移交")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("内容"), blank=True)
    document = models.ForeignKey(
        "evidence.EvidenceFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["referral", "created_at"], name="referral_update_idx")]


class InboundReferral(models.Model):
    """A case a partner organisation referred in (intake channel "referral"): which organisation, and who."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="inbound_referral")
    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.PROTECT, related_name="inbound_referrals"
    )
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "-created_at"], name="inbound_referral_org_idx")]
