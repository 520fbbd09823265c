"""Writes on notices: create and edit a draft, add its listings (pasted or imported) and files, send it to the
platform, and record a notice shown wrong (Art. 42 para 3). One transaction per write, an audit event on the chain
of the helping centre for each change, notices and webhooks written in the same transaction. The listings' own
steps (measures, counter-notice, complaint, restoration): `listing_services.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.ecommerce import EcommercePermission, notice_create_refusal, notice_decide
from weiyuan.audit.services import audit_record
from weiyuan.cases.models import Case
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import ApplicantKind, IPType
from weiyuan.core.punctuation import join_clauses
from weiyuan.ecommerce import listings as listing_rows
from weiyuan.ecommerce import notices
from weiyuan.ecommerce.checks import notice_problems
from weiyuan.ecommerce.models import (
    DocumentKind,
    Listing,
    ListingState,
    ListingStep,
    Notice,
    NoticeDocument,
    NoticeState,
    OwnerKind,
    WrongBasis,
    WrongNotice,
)
from weiyuan.ecommerce.trust import sender_standing
from weiyuan.evidence.models import EvidenceKind
from weiyuan.evidence.services import evidence_store
from weiyuan.network.models import Centre, FilingStatus
from weiyuan.partners.models import Organisation, OrganisationKind

P = EcommercePermission
TEXT_MAX = 5000
MAX_DOCUMENTS = 30


@dataclass(frozen=True)
class NoticeInput:
    """The right and the statement of a notice (the fields a draft's form and the API carry)."""

    right_type: str
    right_number: str
    right_owner: str
    statement: str
    right_title: str = ""
    right_owner_kind: str = ""  # "" = as the sender is: a person's name is never published (Art. 44 page)
    right_valid_from: dt.date | None = None
    right_valid_until: dt.date | None = None


def _check(notice: Notice, actor: Any, permission: EcommercePermission) -> None:
    decision = notice_decide(actor, permission, notice)
    if not decision:
        seen = bool(notice_decide(actor, P.VIEW, notice))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)


def _snapshot(notice: Notice) -> dict[str, Any]:
    return {
        "state": notice.state,
        "platform_id": notice.platform_id,
        "case_id": notice.case_id,
        "right_type": notice.right_type,
        "right_number": notice.right_number,
        "right_owner": notice.right_owner,
        "right_valid_from": notice.right_valid_from,
        "right_valid_until": notice.right_valid_until,
        "fast_lane": notice.fast_lane,
    }


def _audit(notice: Notice, actor: Any, action: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=notice,
        centre_id=notice.centre_id,
        case_id=notice.case_id,
        before=before,
        after=after,
    )


def _owner_kind(data: NoticeInput, sender: Any) -> NoticeInput:
    """An owner kind left empty follows the sender's account: a natural person's name stays off the public page
    unless the sender says the owner is an organisation."""
    if data.right_owner_kind:
        return data
    person = getattr(sender, "applicant_kind", "") == ApplicantKind.PERSON
    return replace(data, right_owner_kind=OwnerKind.PERSON if person else OwnerKind.ORGANISATION)


def _clean(data: NoticeInput) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if data.right_type not in IPType.values:
        errors["right_type"] = _("请选择权利类型。")
    if data.right_owner_kind not in OwnerKind.values:
        errors["right_owner_kind"] = _("请选择权利人类型。")
    for name, limit, required in (
        ("right_number", 60, True),
        ("right_owner", 160, True),
        ("right_title", 200, False),
        ("statement", TEXT_MAX, True),
    ):
        value = (getattr(data, name) or "").strip()
        if "\x00" in value:
            errors[name] = _("含有不可见的空字符（NUL），请删除后重新输入。")
        elif required and not value:
            errors[name] = _("请填写此项。")
        elif len(value) > limit:
            errors[name] = _("内容过长：最多 %(limit)s 个字。") % {"limit": limit}
        values[name] = value
    if data.right_valid_from and data.right_valid_until and data.right_valid_until < data.right_valid_from:
        errors["right_valid_until"] = _("有效期截止日不能早于起始日。")
    if errors:
        raise ValidationError(errors)
    values.update(
        right_type=data.right_type,
        right_owner_kind=data.right_owner_kind,
        right_valid_from=data.right_valid_from,
        right_valid_until=data.right_valid_until,
    )
    return values


def _check_platform(platform: Organisation | None) -> Organisation:
    if platform is None or platform.kind != OrganisationKind.ECOMMERCE_PLATFORM:
        raise ValidationError({"platform": _("请选择一个电子商务平台（合作单位类型为电子商务平台）。")})
    if not platform.active:
        raise ValidationError({"platform": _("该电子商务平台已停用。")})
    return platform


def _check_centre(centre: Centre | None) -> Centre:
    if centre is None or centre.filing_status != FilingStatus.APPROVED:
        raise ValidationError({"centre": _("请选择一个已备案的援助机构。")})
    return centre


def _check_case(case: Case | None, actor: Any) -> Case | None:
    """A notice may be linked to a case of the spine the sender applied for (the same rights holder)."""
    if case is not None and case.applicant_user_id != actor.pk:
        raise ValidationError({"case": _("只能关联您本人作为申请人的案件。")})
    return case


def notice_create(
    *,
    actor: Any,
    centre: Centre | None,
    platform: Organisation | None,
    data: NoticeInput,
    case: Case | None = None,
) -> Notice:
    """A draft notice by a rights holder's account (the owner or its agent), to one platform, with a centre."""
    refusal = notice_create_refusal(actor)
    if refusal:
        raise TransitionRefused(refusal, status=403)
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for check in (
        lambda: values.update(_clean(_owner_kind(data, actor))),
        lambda: values.update(platform=_check_platform(platform)),
        lambda: values.update(centre=_check_centre(centre)),
        lambda: values.update(case=_check_case(case, actor)),
    ):
        try:
            check()
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        notice = Notice.objects.create(sender=actor, created_by=actor, **values)
        _audit(notice, actor, "ecommerce.notice_create", None, _snapshot(notice))
    return notice


def _lock(notice: Notice) -> Notice:
    return (
        Notice.objects.select_for_update(of=("self",))
        .select_related("centre", "platform", "sender", "case")
        .get(pk=notice.pk)
    )


def _draft_only(notice: Notice) -> None:
    if notice.state != NoticeState.DRAFT:
        raise TransitionRefused(_("通知已发送，不能再修改；如需补充，请另发一份通知。"))


def notice_update(*, notice: Notice, actor: Any, data: NoticeInput, platform: Organisation | None) -> Notice:
    _check(notice, actor, P.EDIT)
    values = _clean(_owner_kind(data, notice.sender))
    values["platform"] = _check_platform(platform)
    with transaction.atomic():
        notice = _lock(notice)
        _draft_only(notice)
        before = _snapshot(notice)
        for name, value in values.items():
            setattr(notice, name, value)
        notice.save()
        _audit(notice, actor, "ecommerce.notice_update", before, _snapshot(notice))
    return notice


def notice_listings_add(*, notice: Notice, actor: Any, parsed: listing_rows.ParsedListings) -> list[Listing]:
    """Add the listings of one batch (pasted or imported) to a draft, all or none: any row error (a non-URL, a
    duplicate, more than 300 in the notice) refuses the whole batch with every row and column named."""
    _check(notice, actor, P.EDIT)
    if not parsed.rows and not parsed.errors:
        raise ValidationError({"listings": _("没有读到链接：每行依次为 链接、店铺、商品标题。")})
    with transaction.atomic():
        notice = _lock(notice)
        _draft_only(notice)
        existing = dict(notice.listings.values_list("url_key", "position"))
        errors = list(parsed.errors) + listing_rows.check_batch(
            parsed.rows, existing_keys=existing, existing_count=len(existing)
        )
        if errors:
            raise listing_rows.errors_as_validation(sorted(errors, key=lambda e: (e.row, e.column)))
        start = (notice.listings.aggregate(m=Max("position"))["m"] or 0) + 1
        created = Listing.objects.bulk_create(
            [
                Listing(
                    notice=notice,
                    position=start + i,
                    url=row.url,
                    url_key=listing_rows.url_key(row.url),
                    shop=row.shop,
                    title=row.title,
                )
                for i, row in enumerate(parsed.rows)
            ]
        )
        _audit(
            notice,
            actor,
            "ecommerce.listings_add",
            {"listings": len(existing)},
            {"listings": len(existing) + len(created), "added": [row.url for row in parsed.rows]},
        )
    return created


def notice_listing_remove(*, notice: Notice, actor: Any, listing: Listing) -> None:
    _check(notice, actor, P.EDIT)
    with transaction.atomic():
        notice = _lock(notice)
        _draft_only(notice)
        if listing.notice_id != notice.pk:
            raise TransitionRefused(_("该链接不属于本通知。"), status=404)
        _audit(notice, actor, "ecommerce.listing_remove", {"position": listing.position, "url": listing.url}, {})
        listing.delete()


DOCUMENT_EVIDENCE_KIND = {
    DocumentKind.CERTIFICATE: EvidenceKind.CERTIFICATE,
    DocumentKind.EVIDENCE: EvidenceKind.EVIDENCE,
    DocumentKind.POWER_OF_ATTORNEY: EvidenceKind.POWER_OF_ATTORNEY,
}


def notice_documents_add(
    *, notice: Notice, actor: Any, kind: str, uploads: list[UploadedFile], field: str = "files"
) -> list[NoticeDocument]:
    """Files of a draft (checked by content, SHA-256 at receipt, as every evidence file); all or none."""
    _check(notice, actor, P.EDIT)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("请选择文件类别：权利证书、侵权初步证据或授权委托书。")})
    if not uploads:
        raise ValidationError({field: _("请选择要上传的文件。")})
    with transaction.atomic():
        notice = _lock(notice)
        _draft_only(notice)
        if notice.documents.count() + len(uploads) > MAX_DOCUMENTS:
            raise ValidationError({field: _("每份通知最多 %(limit)s 个文件。") % {"limit": MAX_DOCUMENTS}})
        rows = []
        for upload in uploads:
            evidence = evidence_store(
                upload=upload,
                uploaded_by=actor,
                case=None,
                kind=DOCUMENT_EVIDENCE_KIND[DocumentKind(kind)],
                description=str(DocumentKind(kind).label),
                field=field,
            )
            rows.append(NoticeDocument.objects.create(notice=notice, kind=kind, evidence=evidence))
        _audit(
            notice,
            actor,
            "ecommerce.documents_add",
            None,
            {"kind": kind, "files": [(d.evidence.original_name, d.evidence.sha256) for d in rows]},
        )
    return rows


def notice_send(*, notice: Notice, actor: Any, now: dt.datetime | None = None) -> Notice:
    """Send a complete draft to the platform: every listing becomes `notified`; the platform's accounts are told
    and a signed webhook `ecommerce.notice_sent` is owed. A trusted sender's notice goes in the fast lane."""
    _check(notice, actor, P.SEND)
    now = now or timezone.now()
    with transaction.atomic():
        notice = _lock(notice)
        _draft_only(notice)
        problems = notice_problems(notice, today=timezone.localtime(now).date())
        if problems:
            raise TransitionRefused(
                _("通知尚不完整，平台会因此拒绝：%(problems)s")
                % {"problems": join_clauses(p.message.rstrip("。.") for p in problems)}
            )
        before = _snapshot(notice)
        notice.state = NoticeState.SENT
        notice.sent_at = now
        notice.sent_by = actor
        notice.number = f"EC-{timezone.localtime(now):%Y}-{notice.pk:07d}"
        notice.fast_lane = sender_standing(notice.sender, now=now).trusted
        notice.save()
        listing_ids = list(notice.listings.values_list("pk", flat=True))
        Listing.objects.filter(pk__in=listing_ids, state=ListingState.DRAFT).update(
            state=ListingState.NOTIFIED, updated_at=now
        )
        ListingStep.objects.bulk_create(
            [
                ListingStep(listing_id=pk, action="notify", state=ListingState.NOTIFIED, actor=actor, at=now)
                for pk in listing_ids
            ]
        )
        _audit(notice, actor, "ecommerce.notice_send", before, {**_snapshot(notice), "listings": len(listing_ids)})
        notices.notify(notice, notices.platform_accounts(notice), "sent")
        notices.webhook(notice, "ecommerce.notice_sent")
    return notice


def wrong_notice_record(
    *,
    notice: Notice,
    actor: Any,
    basis: str,
    explanation: str,
    malicious: bool = False,
    document: UploadedFile | None = None,
    now: dt.datetime | None = None,
) -> WrongNotice:
    """Record that a sent notice was shown wrong (Art. 42 para 3), against its sender: it takes the sender out of
    the fast lane (`trust.py`). The centre's staff or the platform, with the basis and an explanation."""
    _check(notice, actor, P.RECORD_WRONG)
    errors = {}
    if basis not in WrongBasis.values:
        errors["basis"] = _("请选择认定依据。")
    explanation = (explanation or "").strip()
    if len(explanation) < 5 or "\x00" in explanation:
        errors["explanation"] = _("请说明通知错误的情况（至少 5 个字）。")
    elif len(explanation) > TEXT_MAX:
        errors["explanation"] = _("内容过长：最多 %(limit)s 个字。") % {"limit": TEXT_MAX}
    if errors:
        raise ValidationError(errors)
    if notice.state != NoticeState.SENT:
        raise TransitionRefused(_("只能对已发送的通知登记错误通知。"))
    now = now or timezone.now()
    with transaction.atomic():
        notice = _lock(notice)
        stored = (
            evidence_store(
                upload=document, uploaded_by=actor, case=None, kind=EvidenceKind.ATTACHMENT, field="document"
            )
            if document is not None
            else None
        )
        record = WrongNotice.objects.create(
            notice=notice,
            sender=notice.sender,
            basis=basis,
            explanation=explanation,
            malicious=malicious,
            document=stored,
            recorded_by=actor,
            recorded_at=now,
        )
        _audit(
            notice,
            actor,
            "ecommerce.wrong_notice",
            None,
            {"basis": basis, "malicious": malicious, "sender_id": notice.sender_id, "record_id": record.pk},
        )
    return record


def notice_file_download_record(*, notice: Notice, evidence: Any, user: Any) -> None:
    """Every download of a notice's file is audited on the evidence and on the notice."""
    from weiyuan.evidence.services import evidence_record_download

    with transaction.atomic():
        evidence_record_download(evidence=evidence, user=user)
        _audit(notice, user, "ecommerce.file_download", None, {"evidence_id": evidence.pk, "sha256": evidence.sha256})
