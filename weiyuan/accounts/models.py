"""People: applicants (person, organisation, agent), staff with roles per centre, experts, partners, admins."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from weiyuan.core.choices import ApplicantKind, PriorityGroup, Role


def lookup_digest(value: str) -> str:
    """Keyed digest of a sensitive value so it can be looked up and kept unique without storing it in clear."""
    return hmac.new(settings.SECRET_KEY.encode(), value.strip().encode(), hashlib.sha256).hexdigest()


class User(AbstractUser):
    """Login is by e-mail or phone; `username` is an internal handle, never shown as a credential."""

    email = models.EmailField(_("电子邮箱"), unique=True, null=True, blank=True)  # type: ignore[assignment]
    email_verified = models.BooleanField(_("邮箱已验证"), default=False)
    phone = EncryptedCharField(_("手机号"), max_length=20, blank=True, null=True)
    phone_digest = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    display_name = models.CharField(_("姓名或名称"), max_length=120)
    applicant_kind = models.CharField(
        _("申请人类型"), max_length=16, choices=ApplicantKind.choices, blank=True, default=""
    )
    organisation_name = models.CharField(_("单位名称"), max_length=160, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    id_number = EncryptedCharField(_("居民身份证号码"), max_length=18, blank=True, null=True)
    region = models.ForeignKey(
        "network.Region", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("所在地区")
    )
    priority_group = models.CharField(
        _("重点服务对象"), max_length=24, choices=PriorityGroup.choices, blank=True, default=""
    )
    preferred_language = models.CharField(max_length=8, default="zh-hans")
    # Bumped by "log out everywhere": sessions carrying an older generation are ended.
    session_generation = models.PositiveIntegerField(default=0)

    objects = UserManager()  # type: ignore[misc]

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_short_name(self) -> str:
        return self.display_name or self.username

    def get_full_name(self) -> str:
        return self.display_name or self.username

    @property
    def is_applicant(self) -> bool:
        return bool(self.applicant_kind)


class Membership(models.Model):
    """A role of a user at a centre. Partners and experts carry no centre rights from this row alone."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    centre = models.ForeignKey(
        "network.Centre", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    organisation = models.CharField(_("合作单位"), max_length=160, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "centre", "role"], name="membership_unique_role")]
        indexes = [models.Index(fields=["centre", "role"], name="membership_centre_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.centre or self.organisation}"


class AgentAuthorisation(models.Model):
    """An agent acting for a principal, backed by an uploaded power of attorney."""

    agent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="authorisations")
    principal_name = models.CharField(_("委托人"), max_length=160)
    principal_credit_code = models.CharField(_("委托人统一社会信用代码"), max_length=18, blank=True)
    power_of_attorney = models.ForeignKey(
        "evidence.EvidenceFile", on_delete=models.PROTECT, related_name="+", verbose_name=_("授权委托书")
    )
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 is stored; the clear token is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=80)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    # A partner account's token acts only for this organisation (docs/partners.md); it stops working if the
    # account no longer acts for it. None for everyone else's tokens.
    organisation = models.ForeignKey(
        "partners.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("合作单位"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
