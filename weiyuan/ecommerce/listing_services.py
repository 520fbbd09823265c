"""Writes on the listings of a sent notice, each through the declared table of `flow.py`: the platform's measures
or rejection, the seller's counter-notice (Art. 43; no evidence, no counter-notice) which starts the 15-day wait,
the rights holder's complaint or lawsuit which stops it, and the end of the measures at expiry (the sweep, or the
platform) with the platform's confirmation. One transaction per write; an audit event, a step on the listing,
notices and webhooks in the same transaction. A refused write changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.audit.services import audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.rules import RULES, compute_due
from weiyuan.ecommerce import notices
from weiyuan.ecommerce.flow import check_listing_transition
from weiyuan.ecommerce.models import (
    ComplaintKind,
    CounterNotice,
    CounterNoticeDocument,
    Listing,
    ListingState,
    ListingStep,
    Measure,
    RestoreReason,
)
from weiyuan.evidence.models import EvidenceKind
from weiyuan.evidence.services import evidence_store

WAIT_RULE = "ecommerce_counter_notice_wait"
TEXT_MIN = 5
TEXT_MAX = 5000
MAX_FILES = 20
S = ListingState


def _lock(listing: Listing) -> Listing:
    return (
        Listing.objects.select_for_update(of=("self",))
        .select_related("notice", "notice__platform", "notice__centre", "notice__sender", "notice__case")
        .get(pk=listing.pk)
    )


def _snapshot(listing: Listing) -> dict[str, Any]:
    return {
        "notice_id": listing.notice_id,
        "position": listing.position,
        "state": listing.state,
        "measures": list(listing.measures or []),
        "wait_due_at": listing.wait_due_at,
        "complaint_kind": listing.complaint_kind,
        "restore_reason": listing.restore_reason,
    }


def _record(listing: Listing, actor: Any, action: str, before: dict[str, Any], note: str = "", **extra: Any) -> None:
    now = timezone.now()
    ListingStep.objects.create(listing=listing, action=action, state=listing.state, actor=actor, note=note, at=now)
    notice = listing.notice
    audit_record(
        actor=actor,
        action=f"ecommerce.listing_{action}",
        obj=listing,
        centre_id=notice.centre_id,
        case_id=notice.case_id,
        before=before,
        after={**_snapshot(listing), **extra},
    )


def _text(value: str, field: str, *, minimum: int = TEXT_MIN) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("含有不可见的空字符（NUL），请删除后重新输入。")})
    if len(value) < minimum:
        raise ValidationError({field: _("请填写此项（至少 %(min)s 个字）。") % {"min": minimum}})
    if len(value) > TEXT_MAX:
        raise ValidationError({field: _("内容过长：最多 %(limit)s 个字。") % {"limit": TEXT_MAX}})
    return value


def clean_measures(measures: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(str(m) for m in measures))
    unknown = [m for m in chosen if m not in Measure.values]
    if not chosen:
        raise ValidationError(
            {"measures": _("请至少选择一项措施：删除、屏蔽、断开链接、终止交易和服务（《电子商务法》第四十二条）。")}
        )
    if unknown:
        raise ValidationError(
            {
                "measures": _("未知的措施：%(values)s；可选 delete、block、disconnect、terminate。")
                % {"values": "、".join(unknown)}
            }
        )
    return [m for m in Measure.values if m in chosen]


def listing_measures_record(
    *, listing: Listing, actor: Any, measures: Iterable[str], now: dt.datetime | None = None
) -> Listing:
    """The platform's necessary measures on one listing (Art. 42). The rights holder is told."""
    now = now or timezone.now()
    chosen = clean_measures(measures)
    with transaction.atomic():
        listing = _take_measures(listing, actor, chosen, now)
        notices.notify(listing.notice, notices.holder_recipients(listing.notice), "measures", listing=listing)
    return listing


def _take_measures(listing: Listing, actor: Any, chosen: list[str], now: dt.datetime) -> Listing:
    """The listing's own record of the measures (state, step, audit event); the caller tells the rights holder."""
    listing = _lock(listing)
    check_listing_transition(listing, "take_measures", actor, now=now)
    before = _snapshot(listing)
    listing.state = S.MEASURES_TAKEN
    listing.measures = chosen
    listing.measures_at = now
    listing.save()
    _record(listing, actor, "take_measures", before)
    return listing


def measures_record_many(
    *, notice: Any, actor: Any, positions: list[int], measures: Iterable[str], now: dt.datetime | None = None
) -> list[Listing]:
    """The same measures on several listings of one notice, all or none (a listing not of this notice, or not in
    the state, refuses the whole request naming it). Each listing keeps its own step and audit event; the rights
    holder gets one notice for the batch, not one per listing."""
    now = now or timezone.now()
    chosen = clean_measures(measures)
    if not positions:
        raise ValidationError({"listings": _("请选择要采取措施的链接。")})
    done = []
    with transaction.atomic():
        by_position = {li.position: li for li in Listing.objects.filter(notice=notice, position__in=positions)}
        missing = [p for p in positions if p not in by_position]
        if missing:
            raise ValidationError(
                {
                    "listings": _("本通知没有以下序号的链接：%(positions)s。")
                    % {"positions": "、".join(map(str, missing))}
                }
            )
        for position in dict.fromkeys(positions):
            done.append(_take_measures(by_position[position], actor, chosen, now))
        notices.notify_measures_batch(notice, notices.holder_recipients(notice), done)
    return done


def listing_reject(*, listing: Listing, actor: Any, reason: str, now: dt.datetime | None = None) -> Listing:
    """The platform takes no measure on the listing, with its reason (final)."""
    reason = _text(reason, "reason")
    with transaction.atomic():
        listing = _lock(listing)
        check_listing_transition(listing, "reject", actor, now=now)
        before = _snapshot(listing)
        listing.state = S.REJECTED
        listing.rejection_reason = reason
        listing.save()
        _record(listing, actor, "reject", before, note=reason)
        notices.notify(listing.notice, notices.holder_recipients(listing.notice), "rejected", listing=listing)
    return listing


def counter_notice_record(
    *,
    listing: Listing,
    actor: Any,
    text: str,
    files: list[UploadedFile],
    now: dt.datetime | None = None,
) -> Listing:
    """The seller's counter-notice, posted by the platform, forwarded to the rights holder at once (an in-app and
    e-mail notice): it reaches the rights holder now, and the 15-day wait of Art. 43 starts (due time stored)."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    try:
        text = _text(text, "text")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if not files:
        errors["files"] = _(
            "《电子商务法》第四十三条：声明应当包括不存在侵权行为的初步证据；没有证据的声明不予转送。请上传证据文件。"
        )
    elif len(files) > MAX_FILES:
        errors["files"] = _("每份声明最多 %(limit)s 个文件。") % {"limit": MAX_FILES}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        listing = _lock(listing)
        check_listing_transition(listing, "counter_notice", actor, now=now)
        before = _snapshot(listing)
        notice = listing.notice
        stored = [
            evidence_store(
                upload=f,
                uploaded_by=actor,
                case=None,
                kind=EvidenceKind.EVIDENCE,
                description=_("声明证据"),
                field="files",
            )
            for f in files
        ]
        counter = CounterNotice.objects.create(listing=listing, text=text, recorded_by=actor, delivered_at=now)
        CounterNoticeDocument.objects.bulk_create(
            [CounterNoticeDocument(counter_notice=counter, evidence=e) for e in stored]
        )
        due = compute_due(RULES[WAIT_RULE], now)
        listing.state = S.COUNTER_NOTICED
        listing.wait_started_at = now
        listing.wait_due_at = due.due_at
        listing.calendar_fallback = due.calendar_fallback
        listing.save()
        _record(listing, actor, "counter_notice", before, files=[e.sha256 for e in stored])
        notices.notify(notice, notices.holder_recipients(notice), "counter_notice", listing=listing)
    return listing


def listing_complain(
    *,
    listing: Listing,
    actor: Any,
    kind: str,
    body: str,
    document: UploadedFile | None,
    now: dt.datetime | None = None,
) -> Listing:
    """The rights holder's complaint to an authority or lawsuit, with its document, within the wait: the clock
    stops and the measures stay; the platform is told (notice and webhook `ecommerce.complaint_filed`)."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if kind not in ComplaintKind.values:
        errors["kind"] = _("请选择：向有关主管部门投诉，或向人民法院起诉。")
    body = (body or "").strip()
    if len(body) < 2 or len(body) > 160 or "\x00" in body:
        errors["body"] = _("请填写受理投诉的主管部门或受理起诉的人民法院（2 到 160 个字）。")
    if document is None:
        errors["document"] = _("请上传投诉或起诉的凭证（受理通知书、立案通知书或提交材料的回执）。")
    if errors:
        raise ValidationError(errors)
    assert document is not None
    with transaction.atomic():
        listing = _lock(listing)
        check_listing_transition(listing, "complain", actor, now=now)
        before = _snapshot(listing)
        notice = listing.notice
        stored = evidence_store(
            upload=document, uploaded_by=actor, case=None, kind=EvidenceKind.ATTACHMENT, field="document"
        )
        listing.state = S.COMPLAINT_FILED
        listing.complaint_kind = kind
        listing.complaint_body = body
        listing.complaint_document = stored
        listing.complaint_filed_at = now
        listing.save()
        _record(listing, actor, "complain", before, note=body, document=stored.sha256)
        notices.notify(notice, notices.platform_accounts(notice), "complaint", listing=listing)
        notices.webhook(notice, "ecommerce.complaint_filed", listing)
    return listing


def restore_effects(listing: Listing, actor: Any, before: dict[str, Any]) -> None:
    """What follows the end of the wait (shared with the sweep): the step, the audit event, the platform told to
    end the measures (notice and webhook `ecommerce.measures_end`), the rights holder told."""
    notice = listing.notice
    _record(listing, actor, "restore", before)
    notices.notify(
        notice, notices.platform_accounts(notice) + notices.holder_recipients(notice), "restored", listing=listing
    )
    notices.webhook(notice, "ecommerce.measures_end", listing)


def listing_restore(*, listing: Listing, actor: Any, now: dt.datetime | None = None) -> Listing:
    """The platform posts the restoration itself once the wait has passed without a complaint (else refused with
    the rule); a listing the sweep already restored gets the platform's confirmation instead."""
    now = now or timezone.now()
    with transaction.atomic():
        listing = _lock(listing)
        if listing.state == S.RESTORED and actor is not None:
            return _confirm(listing, actor, now)
        check_listing_transition(listing, "restore", actor, now=now)
        before = _snapshot(listing)
        listing.state = S.RESTORED
        listing.restored_at = now
        listing.restore_reason = RestoreReason.EXPIRED
        if actor is not None:
            listing.restoration_confirmed_at = now  # the platform itself ended the measures
        listing.save()
        restore_effects(listing, actor, before)
    return listing


def _confirm(listing: Listing, actor: Any, now: dt.datetime) -> Listing:
    check_listing_transition(listing, "confirm_restoration", actor, now=now)
    before = _snapshot(listing)
    listing.restoration_confirmed_at = now
    listing.save()
    _record(listing, actor, "confirm_restoration", before)
    return listing


def listing_confirm_restoration(*, listing: Listing, actor: Any, now: dt.datetime | None = None) -> Listing:
    now = now or timezone.now()
    with transaction.atomic():
        return _confirm(_lock(listing), actor, now)


def listing_act(*, listing: Listing, actor: Any, action: str, **kwargs: Any) -> Listing:
    """Dispatch one action of the table by name (pages and the API)."""
    handlers = {
        "take_measures": lambda: listing_measures_record(
            listing=listing, actor=actor, measures=kwargs.get("measures") or []
        ),
        "reject": lambda: listing_reject(listing=listing, actor=actor, reason=kwargs.get("reason", "")),
        "counter_notice": lambda: counter_notice_record(
            listing=listing, actor=actor, text=kwargs.get("text", ""), files=kwargs.get("files") or []
        ),
        "complain": lambda: listing_complain(
            listing=listing,
            actor=actor,
            kind=kwargs.get("kind", ""),
            body=kwargs.get("body", ""),
            document=kwargs.get("document"),
        ),
        "restore": lambda: listing_restore(listing=listing, actor=actor),
        "confirm_restoration": lambda: listing_confirm_restoration(listing=listing, actor=actor),
    }
    handler = handlers.get(action)
    if handler is None:
        raise TransitionRefused(_("未知操作：%(action)s") % {"action": action}, status=400)
    return handler()
