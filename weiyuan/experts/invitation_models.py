"""Inviting an expert to a task on a case 专家邀请, and the confidentiality undertaking 保密承诺 they accept first.

An invitation is addressed to a profile and its linked account; it waits for an answer until `due_at` (stored, on
the working-day calendar), and the clock sweep reminds and expires it. Accepting it opens the expert's
`CaseAssignment`. The undertaking's text is data (`UndertakingText`, versioned); each acceptance records the
version and a hash of the text the expert saw.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InvitationState(models.TextChoices):
    PENDING = "pending", _("待答复")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已谢绝")
    EXPIRED = "expired", _("已过期")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATES = (InvitationState.PENDING, InvitationState.ACCEPTED)


class UndertakingText(models.Model):
    """One version of the confidentiality undertaking; the highest version is the one shown."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"))
    # An English rendering for the English UI. The Chinese title and body are the text the expert undertakes:
    # the digest recorded with each acceptance covers them only.
    title_en = models.CharField(_("英文标题"), max_length=160, blank=True)
    body_en = models.TextField(_("英文正文"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def english(self) -> bool:
        """Whether the English rendering is the one to show (English UI and a rendering exists)."""
        from django.utils.translation import get_language

        return (get_language() or "").startswith("en") and bool(self.body_en)


class ExpertInvitation(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="expert_invitations")
    expert = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, related_name="invitations")
    # The expert's account when invited: the one who answers and gets the task.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_invitations")
    task = models.TextField(_("任务说明"))
    state = models.CharField(_("状态"), max_length=16, choices=InvitationState.choices, default=InvitationState.PENDING)
    response_days = models.PositiveSmallIntegerField(_("答复期限（工作日）"))
    due_at = models.DateTimeField(_("答复截止时间"))
    calendar_fallback = models.BooleanField(default=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("理由"), blank=True)  # why declined or withdrawn
    reminded_at = models.DateTimeField(null=True, blank=True)
    assignment = models.OneToOneField(
        "cases.CaseAssignment", null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open invitation (or accepted task) per expert and case; after a decline or expiry a new one may
            # be sent.
            models.UniqueConstraint(
                fields=["case", "expert"], condition=Q(state__in=["pending", "accepted"]), name="invitation_open_unique"
            )
        ]
        indexes = [
            # The sweep: pending invitations by due time.
            models.Index(fields=["due_at"], name="invitation_pending_due_idx", condition=Q(state="pending")),
            models.Index(fields=["user", "state", "-created_at"], name="invitation_user_idx"),
            models.Index(fields=["case", "-created_at"], name="invitation_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.expert_id} {self.state}"


class ExpertUndertaking(models.Model):
    """The expert's online acceptance of the confidentiality undertaking for one invitation."""

    invitation = models.OneToOneField(ExpertInvitation, on_delete=models.CASCADE, related_name="undertaking")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.ForeignKey(UndertakingText, on_delete=models.PROTECT, related_name="+")
    text_version = models.PositiveIntegerField()
    text_sha256 = models.CharField(max_length=64)
    accepted_at = models.DateTimeField()
