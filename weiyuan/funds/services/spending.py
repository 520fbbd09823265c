"""Spending entries: recorded and corrected by the centre's staff while a draft (or returned), submitted, approved
or returned by the director (four eyes), voided with a reason; invoices attached with the evidence upload checks.
An entry that takes its category over the remaining budget is refused without a written reason
(`over_budget_reason`); the check runs on saving, on submitting and again on approving, each under the year lock.
Every change is audited (`funds.spending.*`); the directors and the submitter get notices through the outbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.funds import FundsPermission, funds_decide
from weiyuan.cases.services.common import centre_staff
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.evidence.services import sniff_upload
from weiyuan.funds.flow import EDITABLE_STATES, check_spending_transition
from weiyuan.funds.models import SpendingAttachment, SpendingEntry, SpendingSource, SpendingState
from weiyuan.funds.services.common import (
    audit,
    clean_text,
    collect,
    fund_year_lock,
    parse_amount,
    parse_category,
    remaining_budget,
    require_open,
    today,
)
from weiyuan.network.models import Centre
from weiyuan.notifications.services import Notice, outbox_enqueue

P = FundsPermission
S = SpendingState
PAYEE_MAX = 120
MAX_ATTACHMENTS = 10


@dataclass(frozen=True)
class SpendingInput:
    category: Any
    amount: Any
    spent_on: Any
    payee: Any
    description: Any
    over_budget_reason: Any = ""


@dataclass(frozen=True)
class _Clean:
    category: str
    amount: Any
    spent_on: dt.date
    payee: str
    description: str
    over_budget_reason: str


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ValidationError({"spent_on": _("请填写支出日期，格式为 2026-03-15。")}) from None
    if value > today():
        raise ValidationError({"spent_on": _("支出日期不能晚于今天。")})
    if value.year < 2000:
        raise ValidationError({"spent_on": _("支出日期不能早于 2000 年。")})
    return value


def _clean(data: SpendingInput) -> _Clean:
    errors: dict[str, str] = {}
    category = collect(errors, parse_category, data.category)
    amount = collect(errors, parse_amount, data.amount, "amount")
    spent_on = collect(errors, _parse_date, data.spent_on)
    payee = collect(errors, clean_text, data.payee, "payee", maximum=PAYEE_MAX)
    description = collect(errors, clean_text, data.description, "description")
    reason = collect(errors, clean_text, data.over_budget_reason, "over_budget_reason", required=False, minimum=5)
    if errors:
        raise ValidationError(errors)
    return _Clean(category, amount, spent_on, payee, description, reason)


def _require(actor: Any, permission: FundsPermission, centre: Centre) -> None:
    decision = funds_decide(actor, permission, centre)
    if not decision:
        seen = bool(funds_decide(actor, P.FUNDS_VIEW, centre))
        raise TransitionRefused(decision.reason, status=403 if seen else 404)


def _over_budget_check(entry: SpendingEntry, reason: str) -> None:
    """Sets `over_budget` from the remainder (the caller holds the year lock); refuses without a reason."""
    remaining = remaining_budget(entry.centre_id, entry.year, entry.category, exclude_id=entry.pk)
    entry.over_budget = entry.amount > remaining
    if entry.over_budget and not reason:
        raise ValidationError(
            {
                "over_budget_reason": _(
                    "本笔支出 %(amount)s 元超出「%(category)s」的剩余预算 %(remaining)s 元，请填写超预算说明。"
                )
                % {"amount": entry.amount, "category": entry.get_category_display(), "remaining": remaining}
            }
        )
    entry.over_budget_reason = reason if entry.over_budget else ""


def _snapshot(e: SpendingEntry) -> dict[str, Any]:
    return {
        "state": e.state,
        "category": e.category,
        "amount": e.amount,
        "spent_on": e.spent_on,
        "payee": e.payee,
        "over_budget": e.over_budget,
        "over_budget_reason": e.over_budget_reason,
    }


def spending_url(e: SpendingEntry) -> str:
    return f"/funds/spending/{e.pk}/"


def _notify(e: SpendingEntry, recipients: list[Any], event: str) -> None:
    def notice() -> Notice:
        subjects = {
            "submitted": _("待审批支出：%(payee)s %(amount)s 元") % {"payee": e.payee, "amount": e.amount},
            "approved": _("支出已批准：%(payee)s %(amount)s 元") % {"payee": e.payee, "amount": e.amount},
            "returned": _("支出已退回：%(payee)s %(amount)s 元") % {"payee": e.payee, "amount": e.amount},
            "voided": _("支出已作废：%(payee)s %(amount)s 元") % {"payee": e.payee, "amount": e.amount},
        }
        body = _("%(centre)s %(year)s 年度「%(category)s」支出 %(number)s。") % {
            "centre": e.centre.display_name,
            "year": e.year,
            "category": e.get_category_display(),
            "number": e.number,
        }
        return Notice(kind=f"funds.spending.{event}", subject=subjects[event], body=body, url=spending_url(e))

    stamp = (e.submitted_at or e.updated_at).isoformat()
    outbox_enqueue(recipients=recipients, notice=notice, dedupe_key=f"funds:{e.pk}:{event}:{stamp}")


@transaction.atomic
def spending_create(*, centre: Centre, actor: Any, data: SpendingInput) -> SpendingEntry:
    """Record a draft entry of the centre (its staff). Over the remaining budget it needs a written reason."""
    _require(actor, P.SPENDING_CREATE, centre)
    clean = _clean(data)
    require_open(fund_year_lock(centre.pk, clean.spent_on.year))
    now = timezone.now()
    entry = SpendingEntry(
        centre=centre,
        year=clean.spent_on.year,
        category=clean.category,
        amount=clean.amount,
        spent_on=clean.spent_on,
        payee=clean.payee,
        description=clean.description,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _over_budget_check(entry, clean.over_budget_reason)
    entry.save()
    audit(actor, "funds.spending.create", entry, centre.pk, after=_snapshot(entry))
    return entry


@transaction.atomic
def spending_update(*, entry: SpendingEntry, actor: Any, data: SpendingInput) -> SpendingEntry:
    """Correct a draft or returned entry. An approved (or submitted, or voided) one is not edited: 409."""
    _require(actor, P.SPENDING_EDIT, entry.centre)
    if entry.source != SpendingSource.MANUAL:
        raise TransitionRefused(_("由专家工时核准生成的支出不能修改。"))
    clean = _clean(data)
    years = sorted({entry.year, clean.spent_on.year})
    for year in years:
        require_open(fund_year_lock(entry.centre_id, year))
    locked = SpendingEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.state not in EDITABLE_STATES:
        raise TransitionRefused(_("支出当前状态为「%(state)s」，不能修改。") % {"state": locked.get_state_display()})
    before = _snapshot(locked)
    locked.centre = entry.centre
    locked.year = clean.spent_on.year
    locked.category = clean.category
    locked.amount = clean.amount
    locked.spent_on = clean.spent_on
    locked.payee = clean.payee
    locked.description = clean.description
    locked.updated_at = timezone.now()
    _over_budget_check(locked, clean.over_budget_reason)
    locked.save()
    audit(actor, "funds.spending.update", locked, locked.centre_id, before=before, after=_snapshot(locked))
    return locked


@transaction.atomic
def spending_transition(*, entry: SpendingEntry, actor: Any, action: str, text: str = "") -> SpendingEntry:
    """Take one step of the declared table (weiyuan/funds/flow.py)."""
    transition = check_spending_transition(entry, action, actor)
    if transition.text_field:
        text = clean_text(text, transition.text_field, required=transition.text_required, minimum=2)
    fund_year = fund_year_lock(entry.centre_id, entry.year)
    if action != "void":
        require_open(fund_year)
    locked = SpendingEntry.objects.select_for_update().select_related("centre").get(pk=entry.pk)
    # Re-check on the locked row: another request may have moved it since the page was shown.
    transition = check_spending_transition(locked, action, actor)
    before = _snapshot(locked)
    now = timezone.now()
    if action == "submit":
        try:
            _over_budget_check(locked, locked.over_budget_reason)
        except ValidationError as exc:
            raise TransitionRefused(exc.message_dict["over_budget_reason"][0]) from None
        locked.submitted_by = actor
        locked.submitted_at = now
    elif action == "approve":
        try:
            _over_budget_check(locked, locked.over_budget_reason)
        except ValidationError as exc:
            raise TransitionRefused(
                _("批准会超出剩余预算，而本笔支出没有超预算说明：请退回并由经办人补充说明。")
                + " "
                + exc.message_dict["over_budget_reason"][0]
            ) from None
        locked.decided_by, locked.decided_at, locked.decision_note = actor, now, text
    elif action == "return":
        locked.decided_by, locked.decided_at, locked.decision_note = actor, now, text
    elif action == "void":
        locked.voided_by, locked.voided_at, locked.void_reason = actor, now, text
    locked.state = transition.to_state
    locked.updated_at = now
    locked.save()
    audit(
        actor,
        f"funds.spending.{action}",
        locked,
        locked.centre_id,
        before=before,
        after={**_snapshot(locked), "note": text},
    )
    if action == "submit":
        directors = [u for u in centre_staff(locked.centre_id, Role.DIRECTOR) if u.pk != actor.pk]
        _notify(locked, directors, "submitted")
    elif locked.submitted_by_id and locked.submitted_by_id != actor.pk:
        _notify(locked, [locked.submitted_by], {"approve": "approved", "return": "returned", "void": "voided"}[action])
    return locked


@transaction.atomic
def attachment_add(*, entry: SpendingEntry, actor: Any, upload: UploadedFile) -> SpendingAttachment:
    """Attach an invoice or receipt to an entry still being prepared (draft, returned, submitted): checked by
    content as evidence is (type by magic bytes, size), SHA-256 at receipt."""
    _require(actor, P.SPENDING_EDIT, entry.centre)
    sniffed = sniff_upload(upload, field="file")
    locked = SpendingEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.state not in (S.DRAFT, S.RETURNED, S.SUBMITTED):
        raise TransitionRefused(
            _("支出当前状态为「%(state)s」，不能再添加附件。") % {"state": locked.get_state_display()}
        )
    if locked.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError({"file": _("每笔支出最多 %(n)s 个附件。") % {"n": MAX_ATTACHMENTS}})
    attachment = SpendingAttachment(
        entry=locked,
        original_name=PurePath(upload.name or "file").name[:200],
        content_type=sniffed.mime,
        size=sniffed.size,
        sha256=sniffed.sha256,
        uploaded_by=actor,
        received_at=timezone.now(),
    )
    attachment.file.save("upload", upload, save=False)
    stored_name, storage = attachment.file.name or "", attachment.file.storage
    try:
        attachment.save()
    except Exception:
        storage.delete(stored_name)
        raise
    audit(
        actor,
        "funds.attachment.upload",
        attachment,
        locked.centre_id,
        after={"entry": locked.pk, "name": attachment.original_name, "sha256": attachment.sha256},
    )
    return attachment


@transaction.atomic
def attachment_record_download(*, attachment: SpendingAttachment, actor: Any) -> None:
    audit(
        actor, "funds.attachment.download", attachment, attachment.entry.centre_id, after={"sha256": attachment.sha256}
    )
