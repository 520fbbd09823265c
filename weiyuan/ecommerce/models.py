"""E-commerce fast handling (issue #6; E-Commerce Law Art. 42-45, ../shared/data/laws/电子商务法).

A rights holder's **notice** 通知 (Art. 42), prepared with a centre, names the right, carries the preliminary evidence
and lists the **listings** (URL, shop, title) on one platform — a cooperating organisation of kind e-commerce
platform. Each listing is tracked on its own (`flow.TRANSITIONS`): the platform takes **measures** or rejects it;
the seller's **counter-notice** 声明 (Art. 43, posted through the platform, with preliminary evidence) starts the
15-day wait once it reaches the rights holder (rule `ecommerce_counter_notice_wait`, due time stored on the row);
the rights holder's complaint to an authority or lawsuit stops it; otherwise the sweep restores the listing at
expiry and tells the platform to end the measures. Notices later shown wrong are recorded against the sender
(Art. 42 para 3) and feed the trusted-sender rule (`trust.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weiyuan.core.choices import IPType

MAX_LISTINGS = 300  # per notice (issue #6)


class NoticeState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SENT = "sent", _("已发送")


class OwnerKind(models.TextChoices):
    # A natural person's name is personal data: the public notice (Art. 44) never shows it.
    ORGANISATION = "organisation", _("法人或其他组织")
    PERSON = "person", _("自然人")


class DocumentKind(models.TextChoices):
    CERTIFICATE = "certificate", _("权利证书")
    EVIDENCE = "evidence", _("侵权初步证据")
    POWER_OF_ATTORNEY = "power_of_attorney", _("授权委托书")


class Notice(models.Model):
    number = models.CharField(_("通知编号"), max_length=20, unique=True, null=True, blank=True)
    centre = models.ForeignKey(
        "network.Centre", on_delete=models.PROTECT, related_name="ecommerce_notices", verbose_name=_("援助机构")
    )
    # The rights holder's account (an applicant: the right owner itself or its agent) who sends the notice.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ecommerce_notices", verbose_name=_("通知人")
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ecommerce_notices",
        verbose_name=_("关联案件"),
    )
    platform = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="ecommerce_notices",
        verbose_name=_("电子商务平台"),
    )
    right_type = models.CharField(_("权利类型"), max_length=20, choices=IPType.choices)
    right_number = models.CharField(_("权利编号"), max_length=60)
    right_title = models.CharField(_("权利名称"), max_length=200, blank=True)
    right_owner = models.CharField(_("权利人"), max_length=160)
    right_owner_kind = models.CharField(
        _("权利人类型"), max_length=16, choices=OwnerKind.choices, default=OwnerKind.ORGANISATION
    )
    right_valid_from = models.DateField(_("权利有效期起"), null=True, blank=True)
    right_valid_until = models.DateField(_("权利有效期至"), null=True, blank=True)
    statement = models.TextField(_("侵权事实说明"))
    state = models.CharField(_("状态"), max_length=12, choices=NoticeState.choices, default=NoticeState.DRAFT)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Trusted senders' notices go first in the platform's inbox (`trust.sender_standing`, decided when sent).
    fast_lane = models.BooleanField(_("快速通道"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The platform's inbox: sent notices, fast lane first, newest first.
            models.Index(
                fields=["platform", "-fast_lane", "-sent_at"], name="ecom_notice_inbox_idx", condition=Q(state="sent")
            ),
            models.Index(fields=["sender", "-created_at"], name="ecom_notice_sender_idx"),
            models.Index(fields=["centre", "state", "-created_at"], name="ecom_notice_centre_idx"),
            # The public notice (Art. 44): sent notices, newest first.
            models.Index(fields=["-sent_at"], name="ecom_notice_public_idx", condition=Q(state="sent")),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class NoticeDocument(models.Model):
    """A file of the notice: the right certificate, preliminary evidence, the agent's power of attorney. Stored as
    an evidence file (checked by content, SHA-256 at receipt), seen through the notice's access rule."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("类别"), max_length=24, choices=DocumentKind.choices)
    evidence = models.ForeignKey("evidence.EvidenceFile", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["notice", "evidence"], name="ecom_notice_document_unique")]


class ListingState(models.TextChoices):
    DRAFT = "draft", _("待发送")
    NOTIFIED = "notified", _("已通知平台")
    MEASURES_TAKEN = "measures_taken", _("已采取措施")
    REJECTED = "rejected", _("平台未采取措施")
    COUNTER_NOTICED = "counter_noticed", _("已收到声明")
    COMPLAINT_FILED = "complaint_filed", _("已投诉或起诉")
    RESTORED = "restored", _("已终止措施")


class Measure(models.TextChoices):
    """The necessary measures of Art. 42: delete, block, disconnect the link, terminate transactions and services."""

    DELETE = "delete", _("删除")
    BLOCK = "block", _("屏蔽")
    DISCONNECT = "disconnect", _("断开链接")
    TERMINATE = "terminate", _("终止交易和服务")


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("向有关主管部门投诉")
    LAWSUIT = "lawsuit", _("向人民法院起诉")


class RestoreReason(models.TextChoices):
    EXPIRED = "expired", _("十五日内未收到投诉或起诉通知")


class Listing(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="listings")
    position = models.PositiveIntegerField(_("序号"))
    url = models.CharField(_("链接"), max_length=1000)
    # SHA-256 of the URL normalised for the duplicate check (`listings.url_key`): short enough for a unique index.
    url_key = models.CharField(max_length=64)
    shop = models.CharField(_("店铺"), max_length=200, blank=True)
    title = models.CharField(_("商品标题"), max_length=300, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=ListingState.choices, default=ListingState.DRAFT)
    measures = models.JSONField(_("措施"), default=list, blank=True)
    measures_at = models.DateTimeField(_("采取措施时间"), null=True, blank=True)
    rejection_reason = models.TextField(_("未采取措施的理由"), blank=True)
    # Art. 43: the 15-day wait once the counter-notice reaches the rights holder (stored; the sweep reads it).
    wait_started_at = models.DateTimeField(_("声明到达权利人时间"), null=True, blank=True)
    wait_due_at = models.DateTimeField(_("投诉或起诉期限"), null=True, blank=True)
    calendar_fallback = models.BooleanField(default=False)
    complaint_kind = models.CharField(_("投诉或起诉"), max_length=12, choices=ComplaintKind.choices, blank=True)
    complaint_body = models.CharField(_("受理机关"), max_length=160, blank=True)
    complaint_document = models.ForeignKey(
        "evidence.EvidenceFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    complaint_filed_at = models.DateTimeField(_("投诉或起诉登记时间"), null=True, blank=True)
    restored_at = models.DateTimeField(_("终止措施时间"), null=True, blank=True)
    restore_reason = models.CharField(max_length=12, choices=RestoreReason.choices, blank=True)
    restoration_confirmed_at = models.DateTimeField(_("平台确认终止措施时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["notice_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "url_key"], name="ecom_listing_url_unique"),
            models.UniqueConstraint(fields=["notice", "position"], name="ecom_listing_position_unique"),
        ]
        indexes = [
            # The sweep: listings waiting for the rights holder, by due time.
            models.Index(fields=["wait_due_at"], name="ecom_listing_wait_idx", condition=Q(state="counter_noticed")),
            models.Index(fields=["notice", "state"], name="ecom_listing_state_idx"),
        ]

    def __str__(self) -> str:
        return self.url


class CounterNotice(models.Model):
    """The seller's declaration that it does not infringe (Art. 43), with preliminary evidence, posted by the
    platform; reaching the rights holder (through this platform, when posted) starts the 15-day wait."""

    listing = models.OneToOneField(Listing, on_delete=models.CASCADE, related_name="counter_notice")
    text = models.TextField(_("声明内容"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    delivered_at = models.DateTimeField(_("转送权利人时间"))


class CounterNoticeDocument(models.Model):
    counter_notice = models.ForeignKey(CounterNotice, on_delete=models.CASCADE, related_name="documents")
    evidence = models.ForeignKey("evidence.EvidenceFile", on_delete=models.PROTECT, related_name="+")


class ListingStep(models.Model):
    """What happened to a listing, in order (shown to every party with the clock)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=24)
    state = models.CharField(max_length=20, choices=ListingState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["listing", "at"], name="ecom_step_listing_idx")]


class WrongBasis(models.TextChoices):
    JUDGMENT = "judgment", _("人民法院裁判")
    AUTHORITY = "authority", _("主管部门认定")
    PLATFORM = "platform", _("平台核实")
    ADMITTED = "admitted", _("通知人承认")


class WrongNotice(models.Model):
    """A notice later shown to be wrong (Art. 42 para 3), recorded against its sender; feeds `trust.py`."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="wrong_records")
    # Denormalised from the notice: the trust rule reads one indexed range per sender.
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(_("认定依据"), max_length=12, choices=WrongBasis.choices)
    explanation = models.TextField(_("说明"))
    malicious = models.BooleanField(_("恶意发出错误通知"), default=False)
    document = models.ForeignKey(
        "evidence.EvidenceFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["sender", "recorded_at"], name="ecom_wrong_sender_idx")]
