"""An expert's task on a case: sharing documents with it, marking the applicant's personal data needed, the deadline,
ending it, the expert's work entries and the director's decision on them, and the expert's rating of the
cooperation (the centre's rating of the expert is `services.expert_rate`). One transaction per write, an audit
event on the case's chain for each change, notices through the outbox. Permissions: weiyuan/access/expert_tasks.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.access.expert_tasks import TaskPermission, task_decide
from weiyuan.cases.models import CaseAssignment
from weiyuan.cases.services.common import case_audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.rules import CHINA_TZ
from weiyuan.core.choices import Role
from weiyuan.evidence.models import EvidenceFile
from weiyuan.experts.models import Expert
from weiyuan.experts.task_models import (
    FeeSource,
    TaskDocumentShare,
    TaskFeedback,
    TaskTerms,
    TaskWorkEntry,
    WorkState,
)
from weiyuan.notifications.services import Notice, outbox_enqueue

TP = TaskPermission
REASON_MIN = 5
REASON_MAX = 500
NOTE_MAX = 500
DESCRIPTION_MAX = 2000
COMMENT_MAX = 2000
MAX_HOURS_PER_DAY = Decimal("24")
MAX_FEE = Decimal("1000000")
# Work may still be logged this many days after the task ended (the last day's hours), then the task is closed.
LOG_AFTER_END_DAYS = 30
CENT = Decimal("0.01")


def _require(actor: Any, permission: TaskPermission, assignment: CaseAssignment) -> None:
    decision = task_decide(actor, permission, assignment)
    if not decision:
        visible = bool(task_decide(actor, TP.VIEW, assignment))
        raise TransitionRefused(decision.reason, status=403 if visible else 404)


def _lock(assignment: CaseAssignment) -> CaseAssignment:
    return (
        CaseAssignment.objects.select_for_update(of=("self",))
        .select_related("case", "case__centre", "user")
        .get(pk=assignment.pk)
    )


def _require_open(assignment: CaseAssignment) -> None:
    if assignment.ended_at is not None:
        raise TransitionRefused(_("任务已结束。"))


def _local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CHINA_TZ).date()


def _today() -> dt.date:
    return _local_date(timezone.now())


def _clean_text(value: str, field: str, limit: int, *, required: bool, minimum: int = 1) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("不能含有控制字符。")})
    if required and len(value) < minimum:
        raise ValidationError({field: _("请填写（至少 %(min)s 个字符）。") % {"min": minimum}})
    if len(value) > limit:
        raise ValidationError({field: _("最多 %(limit)s 个字符，当前 %(n)s 个。") % {"limit": limit, "n": len(value)}})
    return value


def _notify(assignment: CaseAssignment, recipients: list[Any], stage: str, key: str, **values: Any) -> None:
    case = assignment.case

    def notice() -> Notice:
        subjects = {
            "ended": _("专家任务已结束：案件 %(number)s"),
            "work_approved": _("工时已核准：案件 %(number)s"),
            "work_rejected": _("工时被退回：案件 %(number)s"),
            "work_logged": _("专家登记了工时，待审核：案件 %(number)s"),
        }
        bodies = {
            "ended": _("援助机构已结束您在案件 %(number)s 的任务。您可以在任务页面评价本次合作。"),
            "work_approved": _("您在 %(date)s 登记的 %(hours)s 小时工时已核准。"),
            "work_rejected": _("您在 %(date)s 登记的 %(hours)s 小时工时被退回。理由：%(reason)s"),
            "work_logged": _("专家在 %(date)s 登记了 %(hours)s 小时工时，请审核。"),
        }
        params = {"number": case.tracking_number, **values}
        return Notice(
            kind=f"expert_task.{stage}",
            subject=subjects[stage] % params,
            body=bodies[stage] % params,
            url=f"/experts/tasks/{assignment.pk}/",
        )

    outbox_enqueue(recipients=recipients, notice=notice, dedupe_key=f"expert_task:{assignment.pk}:{stage}:{key}")


def _directors(centre_id: int) -> list[Any]:
    """The active directors of a centre: they approve its expert work entries."""
    from weiyuan.accounts.models import Membership

    rows = Membership.objects.filter(centre_id=centre_id, role=Role.DIRECTOR, active=True, user__is_active=True)
    return [m.user for m in rows.select_related("user").order_by("id")]


def terms_of(assignment: CaseAssignment) -> TaskTerms:
    terms, _created = TaskTerms.objects.get_or_create(assignment=assignment)
    return terms


def _audit(assignment: CaseAssignment, actor: Any, action: str, obj: Any, **kwargs: Any) -> None:
    case_audit_record(case=assignment.case, actor=actor, action=action, obj=obj, **kwargs)


# --- documents ------------------------------------------------------------------------------------------------


def shareable_files(assignment: CaseAssignment) -> Any:
    """The case's files that may be shared with a task: all but the attachments of internal notes."""
    return (
        EvidenceFile.objects_unscoped.filter(case_id=assignment.case_id)
        .filter(Q(message__isnull=True) | Q(message__internal=False))
        .order_by("received_at", "id")
    )


def task_share_files(*, assignment: CaseAssignment, actor: Any, evidence_ids: list[int]) -> list[TaskDocumentShare]:
    """Share the chosen files of the case with the task (those already shared stay as they are)."""
    _require(actor, TP.MANAGE, assignment)
    if not evidence_ids:
        raise ValidationError({"documents": _("请选择要共享的文件。")})
    created: list[TaskDocumentShare] = []
    with transaction.atomic():
        assignment = _lock(assignment)
        _require_open(assignment)
        files = list(shareable_files(assignment).filter(pk__in=evidence_ids))
        if len(files) != len(set(evidence_ids)):
            raise ValidationError({"documents": _("所选文件不属于本案或不能共享。")})
        open_ids = set(
            assignment.document_shares.filter(revoked_at__isnull=True).values_list("evidence_file_id", flat=True)
        )
        now = timezone.now()
        for evidence in files:
            if evidence.pk in open_ids:
                continue
            try:
                with transaction.atomic():
                    share = TaskDocumentShare.objects.create(
                        assignment=assignment, evidence_file=evidence, shared_by=actor, shared_at=now
                    )
            except IntegrityError:  # shared meanwhile
                continue
            _audit(
                assignment,
                actor,
                "expert.task.share",
                share,
                after={"assignment_id": assignment.pk, "evidence_id": evidence.pk, "sha256": evidence.sha256},
            )
            created.append(share)
    return created


def task_revoke_share(*, assignment: CaseAssignment, actor: Any, share_id: int) -> TaskDocumentShare:
    _require(actor, TP.MANAGE, assignment)
    with transaction.atomic():
        assignment = _lock(assignment)
        share = TaskDocumentShare.objects.select_for_update().filter(pk=share_id, assignment_id=assignment.pk).first()
        if share is None:
            raise ValidationError({"share": _("找不到该共享文件。")})
        if share.revoked_at is None:
            share.revoked_at = timezone.now()
            share.revoked_by = actor
            share.save(update_fields=["revoked_at", "revoked_by"])
            _audit(
                assignment,
                actor,
                "expert.task.share_revoke",
                share,
                after={"assignment_id": assignment.pk, "evidence_id": share.evidence_file_id},
            )
    return share


# --- personal data, deadline, end -----------------------------------------------------------------------------


def task_set_personal_data(*, assignment: CaseAssignment, actor: Any, needed: bool, reason: str = "") -> TaskTerms:
    """Mark the applicant's personal data needed for the task (a written reason is required), or masked again."""
    _require(actor, TP.MANAGE, assignment)
    reason = _clean_text(reason, "reason", REASON_MAX, required=needed, minimum=REASON_MIN) if needed else ""
    with transaction.atomic():
        assignment = _lock(assignment)
        if needed:
            _require_open(assignment)
        terms = terms_of(assignment)
        before = {"needed": terms.personal_data_needed, "reason": terms.personal_data_reason}
        terms.personal_data_needed = needed
        terms.personal_data_reason = reason
        terms.personal_data_set_by = actor
        terms.personal_data_set_at = timezone.now()
        terms.save()
        _audit(
            assignment,
            actor,
            "expert.task.personal_data",
            terms,
            before=before,
            after={"assignment_id": assignment.pk, "needed": needed, "reason": reason},
        )
    return terms


def task_set_due_date(*, assignment: CaseAssignment, actor: Any, due_date: dt.date | None) -> TaskTerms:
    _require(actor, TP.MANAGE, assignment)
    if due_date is not None and due_date < _local_date(assignment.created_at):
        raise ValidationError({"due_date": _("完成期限不能早于任务开始的日期。")})
    with transaction.atomic():
        assignment = _lock(assignment)
        _require_open(assignment)
        terms = terms_of(assignment)
        before = {"due_date": terms.due_date}
        terms.due_date = due_date
        terms.save()
        _audit(assignment, actor, "expert.task.due_date", terms, before=before, after={"due_date": due_date})
    return terms


def task_end(*, assignment: CaseAssignment, actor: Any, note: str = "") -> CaseAssignment:
    """Mark the task done: the expert's access to its documents and to unmasked data ends; ratings open."""
    _require(actor, TP.END, assignment)
    note = _clean_text(note, "note", NOTE_MAX, required=False)
    with transaction.atomic():
        assignment = _lock(assignment)
        _require_open(assignment)
        assignment.ended_at = timezone.now()
        assignment.save(update_fields=["ended_at"])
        terms = terms_of(assignment)
        terms.ended_by = actor
        terms.end_note = note
        terms.save()
        _audit(
            assignment,
            actor,
            "expert.task.end",
            assignment,
            after={"ended_at": assignment.ended_at, "note": note},
        )
        _notify(assignment, [assignment.user], "ended", "1")
    assignment.case.__dict__.pop("_relations_cache", None)
    return assignment


# --- work entries ---------------------------------------------------------------------------------------------


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("请填写数字。")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("请填写数字。")})
    return number


def work_log(
    *,
    assignment: CaseAssignment,
    actor: Any,
    work_date: dt.date,
    hours: Any,
    description: str,
    fee: Any = None,
) -> TaskWorkEntry:
    """The expert logs a day's work: hours (more than 0, at most 24 a day over all their entries of that day) and a
    fee (the profile's hourly rate x hours, or the fee they enter per their fee terms)."""
    _require(actor, TP.LOG_WORK, assignment)
    errors: dict[str, str] = {}
    hours_value = _decimal(hours, "hours")
    if hours_value <= 0 or hours_value > MAX_HOURS_PER_DAY:
        errors["hours"] = _("工时应大于 0 且不超过 24 小时。")
    elif hours_value != hours_value.quantize(CENT):
        errors["hours"] = _("工时最多保留两位小数。")
    today = _today()
    if not isinstance(work_date, dt.date):
        errors["work_date"] = _("请填写工作日期。")
    elif work_date > today:
        errors["work_date"] = _("工作日期不能晚于今天。")
    elif work_date < _local_date(assignment.created_at):
        errors["work_date"] = _("工作日期不能早于任务开始的日期。")
    elif assignment.ended_at is not None and work_date > _local_date(assignment.ended_at):
        errors["work_date"] = _("工作日期不能晚于任务结束的日期。")
    try:
        description = _clean_text(description, "description", DESCRIPTION_MAX, required=True, minimum=2)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    expert = Expert.objects_unscoped.filter(user_id=assignment.user_id).first()
    rate = expert.hourly_rate if expert is not None else None
    fee_value: Decimal | None = None
    if fee not in (None, ""):
        fee_value = _decimal(fee, "fee")
        if fee_value < 0 or fee_value > MAX_FEE:
            errors["fee"] = _("费用应在 0 至 1,000,000 元之间。")
        else:
            fee_value = fee_value.quantize(CENT, rounding=ROUND_HALF_UP)
    elif rate is None:
        errors["fee"] = _("专家资料中没有小时费率：请按收费说明填写本次费用（无偿服务填 0）。")
    if errors:
        raise ValidationError(errors)
    if assignment.ended_at is not None and timezone.now() > assignment.ended_at + dt.timedelta(days=LOG_AFTER_END_DAYS):
        raise TransitionRefused(_("任务结束已超过 %(days)s 天，不能再登记工时。") % {"days": LOG_AFTER_END_DAYS})
    with transaction.atomic():
        assignment = _lock(assignment)
        logged = TaskWorkEntry.objects.filter(user_id=actor.pk, work_date=work_date).exclude(
            state=WorkState.REJECTED
        ).aggregate(total=Sum("hours"))["total"] or Decimal("0")
        if logged + hours_value > MAX_HOURS_PER_DAY:
            raise ValidationError(
                {
                    "hours": _("%(date)s 已登记 %(logged)s 小时，一天合计不能超过 24 小时。")
                    % {"date": work_date, "logged": logged.normalize()}
                }
            )
        if fee_value is None:
            assert rate is not None
            fee_value = (hours_value * rate).quantize(CENT, rounding=ROUND_HALF_UP)
            source = FeeSource.RATE
        else:
            source = FeeSource.ENTERED
        entry = TaskWorkEntry.objects.create(
            assignment=assignment,
            expert=expert,
            user=actor,
            centre_id=assignment.case.centre_id,
            work_date=work_date,
            hours=hours_value,
            description=description,
            hourly_rate=rate,
            fee=fee_value,
            fee_source=source,
        )
        _audit(
            assignment,
            actor,
            "expert.task.work_log",
            entry,
            after={
                "assignment_id": assignment.pk,
                "work_date": work_date,
                "hours": str(hours_value),
                "fee": str(fee_value),
                "fee_source": source,
            },
        )
        directors = _directors(assignment.case.centre_id)
        if directors:
            _notify(assignment, directors, "work_logged", str(entry.pk), date=work_date, hours=hours_value.normalize())
    return entry


def work_decide(*, entry: TaskWorkEntry, actor: Any, approve: bool, reason: str = "") -> TaskWorkEntry:
    """The director of the case's centre approves or rejects a pending entry (a reason is required to reject)."""
    assignment = CaseAssignment.objects.select_related("case", "case__centre").get(pk=entry.assignment_id)
    _require(actor, TP.APPROVE_WORK, assignment)
    reason = _clean_text(reason, "reason", REASON_MAX, required=not approve, minimum=REASON_MIN if not approve else 1)
    with transaction.atomic():
        entry = TaskWorkEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.state != WorkState.PENDING:
            raise TransitionRefused(_("该工时记录已审核过。"))
        entry.state = WorkState.APPROVED if approve else WorkState.REJECTED
        entry.decided_by = actor
        entry.decided_at = timezone.now()
        entry.decision_reason = reason
        entry.centre_id = assignment.case.centre_id
        entry.save(update_fields=["state", "decided_by", "decided_at", "decision_reason", "centre"])
        if approve:
            # The fee becomes spending of the centre's budget in this same transaction (weiyuan/funds), once.
            from weiyuan.funds.services import expert_fee_record

            expert_fee_record(work_entry=entry, actor=actor)
        _audit(
            assignment,
            actor,
            "expert.task.work_approve" if approve else "expert.task.work_reject",
            entry,
            before={"state": WorkState.PENDING},
            after={"state": entry.state, "reason": reason, "hours": str(entry.hours), "fee": str(entry.fee)},
        )
        _notify(
            assignment,
            [assignment.user],
            "work_approved" if approve else "work_rejected",
            str(entry.pk),
            date=entry.work_date,
            hours=entry.hours.normalize(),
            reason=reason,
        )
    return entry


# --- the expert's rating of the cooperation -------------------------------------------------------------------


def _score(score: Any) -> int:
    try:
        value = int(score)
    except (TypeError, ValueError):
        raise ValidationError({"score": _("评分应为 1 至 5 的整数。")}) from None
    if isinstance(score, bool) or str(score).strip() not in {str(value), f"{value}.0"} or not 1 <= value <= 5:
        raise ValidationError({"score": _("评分应为 1 至 5 的整数。")})
    return value


def task_feedback(*, assignment: CaseAssignment, actor: Any, score: Any, comment: str = "") -> TaskFeedback:
    """The expert rates the cooperation on a finished task (1-5 and a comment), once."""
    _require(actor, TP.FEEDBACK, assignment)
    value = _score(score)
    comment = _clean_text(comment, "comment", COMMENT_MAX, required=False)
    if assignment.ended_at is None:
        raise TransitionRefused(_("任务尚未结束，结束后才能评价。"))
    with transaction.atomic():
        try:
            with transaction.atomic():
                feedback = TaskFeedback.objects.create(
                    assignment=assignment, score=value, comment=comment, rated_by=actor
                )
        except IntegrityError:
            raise TransitionRefused(_("您已评价过本次合作。")) from None
        _audit(
            assignment,
            actor,
            "expert.task.feedback",
            feedback,
            after={"assignment_id": assignment.pk, "score": value},
        )
    return feedback
