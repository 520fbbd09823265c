"""Cooperating organisations 合作单位: the bodies centres link cases to (enforcement, courts, arbitration, mediation,
e-commerce platforms, customs, credit authorities, ...), their service agreements and the accounts that act for them.

The database is shared by the network: every centre's staff may look an organisation up; the centre that recorded it
keeps it (edits it, manages its agreements and users). A partner account acts for exactly one organisation and sees
nothing outside what is addressed to that organisation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weiyuan.core.bilingual import BilingualName


class OrganisationKind(models.TextChoices):
    ENFORCEMENT = "enforcement", _("市场监管 / 行政执法部门")
    COURT = "court", _("人民法院")
    ARBITRATION = "arbitration", _("仲裁委员会")
    MEDIATION = "mediation", _("调解组织")
    ECOMMERCE_PLATFORM = "ecommerce_platform", _("电子商务平台")
    CUSTOMS = "customs", _("海关")
    CREDIT_AUTHORITY = "credit_authority", _("信用主管部门")
    LAW_FIRM = "law_firm", _("律师事务所")
    UNIVERSITY = "university", _("高等院校")
    INDUSTRY_ASSOCIATION = "industry_association", _("行业协会")
    OTHER = "other", _("其他")


class Organisation(BilingualName, models.Model):
    name = models.CharField(_("名称"), max_length=160)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    kind = models.CharField(_("类型"), max_length=24, choices=OrganisationKind.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    region = models.ForeignKey("network.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("行政区划"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    website = models.URLField(_("网站"), blank=True)
    notes = models.TextField(_("备注"), blank=True)
    # The centre that recorded it keeps it; the rest of the network reads it.
    keeper = models.ForeignKey(
        "network.Centre", on_delete=models.PROTECT, related_name="partner_organisations", verbose_name=_("维护机构")
    )
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        indexes = [
            models.Index(fields=["kind", "region"], name="partner_org_kind_region_idx"),
            models.Index(fields=["keeper"], name="partner_org_keeper_idx"),
            models.Index(fields=["name"], name="partner_org_name_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~models.Q(credit_code=""), name="partner_org_credit_code_unique"
            )
        ]


class ServiceAgreement(models.Model):
    """A cooperation or service agreement between a centre and an organisation: its dates and scope."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("合作单位")
    )
    centre = models.ForeignKey(
        "network.Centre", on_delete=models.PROTECT, related_name="partner_agreements", verbose_name=_("签约机构")
    )
    title = models.CharField(_("协议名称"), max_length=160)
    scope = models.TextField(_("合作范围"))
    starts_on = models.DateField(_("生效日期"))
    ends_on = models.DateField(_("终止日期"), null=True, blank=True)
    document = models.ForeignKey(
        "evidence.EvidenceFile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("协议文本"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="partner_agreement_dates_ordered",
            )
        ]


class OrganisationMember(models.Model):
    """An account acting for an organisation (users with the partner role). One organisation per account."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="members", verbose_name=_("合作单位")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_membership", verbose_name=_("账户")
    )
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "active"], name="partner_member_org_idx")]
