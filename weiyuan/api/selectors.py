"""API reads: the cases app's selectors (always scoped by the caller) shaped into the API's schemas."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from weiyuan.access.policy import Permission, Relation, case_relations, decide
from weiyuan.accounts.selectors import memberships_for_profile
from weiyuan.api import schemas as s
from weiyuan.api.masking import mask_personal
from weiyuan.cases.models import Case, CaseMessage, CaseState, ServiceType
from weiyuan.cases.selectors import (
    SORTS,
    CaseFilters,
    available_queues,
    case_clocks,
    case_get,
    case_list,
    case_messages,
    case_rights,
    case_timeline,
)
from weiyuan.cases.services import case_personal_data_reveal, validate_tracking_number
from weiyuan.cases.transitions import allowed_transitions
from weiyuan.clocks.rules import RULES
from weiyuan.core.choices import Channel, IPType
from weiyuan.core.pagination import COUNT_CAP, capped_count, page_bounds
from weiyuan.evidence.models import EvidenceFile
from weiyuan.evidence.selectors import evidence_for_case, evidence_get

# The queue a caller gets when none is asked for: the widest one they have.
DEFAULT_QUEUES = ("centre", "subtree", "tasks", "applications")


def page_of(qs: QuerySet[Any], *, page: int, page_size: int) -> tuple[list[Any], int, int]:
    """One page of a queryset: (items, count, pages). A page past the end is empty.

    The count stops at COUNT_CAP (then `count` is the cap and `count_capped` is true in the answer).
    """
    count, _capped = capped_count(qs)
    pages, start = page_bounds(count, page, page_size)
    items = list(qs[start : start + page_size]) if start < count else []
    return items, count, pages


# --- cases --------------------------------------------------------------------------------------------------


def case_for(*, user: Any, tracking_number: str) -> Case:
    """A malformed number is a 422 naming `tracking_number`; a well-formed one the caller may not see is a 404."""
    number = validate_tracking_number(tracking_number)
    return case_get(user=user, tracking_number=number)


def _service_type_name(service_type: ServiceType) -> str:
    if (get_language() or "").startswith("en") and service_type.name_en:
        return service_type.name_en
    return service_type.name


def _centre_ref(centre: Any) -> s.CentreRef | None:
    return s.CentreRef(code=centre.code, name=centre.name) if centre is not None else None


def _summary_fields(case: Case) -> dict[str, Any]:
    handler = case.handler
    return {
        "tracking_number": case.tracking_number,
        "title": case.title,
        "state": case.state,
        "state_label": str(case.get_state_display()),
        "service_type": case.service_type.code,
        "service_type_name": _service_type_name(case.service_type),
        "ip_type": case.ip_type,
        "channel": case.channel,
        "is_major": case.is_major,
        "centre": _centre_ref(case.centre),
        "applicant_name": case.applicant_name,
        "respondent_name": case.respondent_name,
        "handler": s.UserRef(id=handler.pk, display_name=str(handler)) if handler is not None else None,
        "created_at": case.created_at,
        "submitted_at": case.submitted_at,
    }


def case_filters_for(*, user: Any, query: s.CaseListQuery) -> CaseFilters:
    """Turn query parameters into CaseFilters, refusing anything outside the allow-lists (422 naming the field)."""
    errors: dict[str, str] = {}
    queues = available_queues(user) or ["applications"]
    queue = query.queue or next((q for q in DEFAULT_QUEUES if q in queues), queues[0])
    if query.queue and query.queue not in queues:
        errors["queue"] = _("您可用的队列为：%(queues)s。") % {"queues": ", ".join(queues)}
    if query.service_type and not ServiceType.objects.filter(code=query.service_type).exists():
        codes = ", ".join(ServiceType.objects.values_list("code", flat=True))
        errors["service_type"] = _("未知的服务类型，可选：%(codes)s。") % {"codes": codes}
    for name, value, allowed in (
        ("ip_type", query.ip_type, IPType.values),
        ("state", query.state, CaseState.values),
        ("channel", query.channel, Channel.values),
        ("sort", query.sort, list(SORTS)),
    ):
        if value and value not in allowed:
            errors[name] = _("无效的取值，可选：%(values)s。") % {"values": ", ".join(allowed)}
    if query.submitted_from and query.submitted_to and query.submitted_from > query.submitted_to:
        errors["submitted_to"] = _("结束日期早于开始日期，请交换两个日期。")
    if errors:
        raise ValidationError(errors)
    return CaseFilters(
        queue=queue,
        service_type=query.service_type,
        ip_type=query.ip_type,
        state=query.state,
        channel=query.channel,
        submitted_from=query.submitted_from,
        submitted_to=query.submitted_to,
        q=query.q,
        sort=query.sort or "newest",
    )


def case_page(*, user: Any, query: s.CaseListQuery) -> s.CaseListOut:
    filters = case_filters_for(user=user, query=query)
    items, count, pages = page_of(case_list(user=user, filters=filters), page=query.page, page_size=query.page_size)
    return s.CaseListOut(
        items=[s.CaseSummaryOut(**_summary_fields(c)) for c in items],
        count=count,
        count_capped=count >= COUNT_CAP,
        page=query.page,
        page_size=query.page_size,
        pages=pages,
    )


def actions_for(*, user: Any, case: Case) -> list[s.ActionOut]:
    return [
        s.ActionOut(action=t.action, label=str(t.label), needs_input=t.needs_form)
        for t in allowed_transitions(case, user)
    ]


def case_transitions(*, user: Any, case: Case) -> s.TransitionsOut:
    return s.TransitionsOut(
        tracking_number=case.tracking_number,
        state=case.state,
        state_label=str(case.get_state_display()),
        allowed_actions=actions_for(user=user, case=case),
    )


def reveal_requested(reveal: str) -> bool:
    """`?reveal=personal_data` asks for the unmasked personal data; any other value is a 422 naming `reveal`."""
    if reveal and reveal != s.REVEAL_PERSONAL_DATA:
        raise ValidationError({"reveal": _("reveal 只能取 personal_data（显示完整的身份证号、电话和邮箱）。")})
    return bool(reveal)


def _personal_data(user: Any, case: Case, *, reveal: bool) -> dict[str, Any]:
    """The applicant's ID number, phone and e-mail: masked for everyone by default, as on the web's case page. In
    clear only when asked for (`reveal`), through the audited reveal service (403 with its reason if not allowed)."""
    revealable = bool(decide(user, Permission.CASE_VIEW_PERSONAL_DATA, case))
    if reveal:
        revealed = case_personal_data_reveal(case=case, actor=user)
        return {**revealed, "personal_data_masked": False, "personal_data_revealable": revealable}
    return {
        "applicant_id_number": mask_personal("applicant_id_number", case.applicant_id_number),
        "applicant_phone": mask_personal("applicant_phone", case.applicant_phone),
        "applicant_email": mask_personal("applicant_email", case.applicant_email),
        "personal_data_masked": True,
        "personal_data_revealable": revealable,
    }


def case_detail_of(*, user: Any, case: Case, reveal: bool = False) -> s.CaseDetailOut:
    """The detail of a case the caller may see (got from `case_for`) or has just created. Personal data is masked
    unless `reveal` (see `_personal_data`)."""
    personal = _personal_data(user, case, reveal=reveal)
    # Applicants and referrers see which centre acted; staff and supervisors also see who.
    show_actors = bool(case_relations(user, case) - {Relation.APPLICANT, Relation.REFERRER, Relation.CREATOR})
    rejection = None
    if case.reject_reason:
        rejection = s.RejectionOut(
            reason=case.reject_reason,
            reason_label=str(case.get_reject_reason_display()),
            text=case.reject_text,
            fix=case.reject_fix,
            suggested_centre=_centre_ref(case.reject_suggested_centre),
            suggested_channel=case.reject_suggested_channel,
        )
    return s.CaseDetailOut(
        **_summary_fields(case),
        applicant_kind=case.applicant_kind,
        applicant_credit_code=case.applicant_credit_code,
        **personal,
        applicant_region_code=case.applicant_region_id,
        priority_group=case.priority_group,
        industry=case.industry,
        respondent_credit_code=case.respondent_credit_code,
        respondent_address=case.respondent_address,
        facts=case.facts,
        request=case.request,
        transferred_from=_centre_ref(case.transferred_from),
        accepted_at=case.accepted_at,
        concluded_at=case.concluded_at,
        closed_at=case.closed_at,
        outcome=case.outcome,
        outcome_label=str(case.get_outcome_display()) if case.outcome else "",
        result_letter=case.result_letter,
        rejection=rejection,
        rights=[
            s.RightOut(ip_type=r.ip_type, number=r.number, title=r.title, owner=r.owner, legal_status=r.legal_status)
            for r in case_rights(case=case)
        ],
        clocks=[
            s.ClockOut(
                rule=c.rule,
                rule_label=str(RULES[c.rule].label) if c.rule in RULES else c.rule,
                state=c.state,
                started_at=c.started_at,
                due_at=c.due_at,
                paused_at=c.paused_at,
                finished_at=c.finished_at,
                calendar_fallback=c.calendar_fallback,
            )
            for c in case_clocks(case=case)
        ],
        timeline=[
            s.TimelineEventOut(
                action=e.action,
                from_state=e.from_state,
                to_state=e.to_state,
                centre=e.centre.name,
                actor=str(e.actor) if show_actors and e.actor is not None else None,
                note=e.note,
                at=e.created_at,
            )
            for e in case_timeline(case=case, public_only=True)
        ],
        allowed_actions=actions_for(user=user, case=case),
    )


def case_detail(*, user: Any, tracking_number: str, reveal: str = "") -> s.CaseDetailOut:
    case = case_for(user=user, tracking_number=tracking_number)
    return case_detail_of(user=user, case=case, reveal=reveal_requested(reveal))


# --- evidence and messages ----------------------------------------------------------------------------------


def _visible_evidence(user: Any, case: Case) -> QuerySet[EvidenceFile]:
    """Files of the case the caller may see: attachments of internal notes only for staff who read those notes."""
    qs = evidence_for_case(user=user, case=case)
    if not decide(user, Permission.CASE_MESSAGE_INTERNAL, case):
        qs = qs.exclude(message__internal=True)
    return qs


def evidence_out(evidence: EvidenceFile, *, may_download: bool) -> s.EvidenceOut:
    return s.EvidenceOut(
        id=evidence.pk,
        name=evidence.original_name,
        sha256=evidence.sha256,
        size=evidence.size,
        content_type=evidence.content_type,
        kind=evidence.kind,
        received_at=evidence.received_at,
        download_url=reverse("api:evidence_download", kwargs={"evidence_id": evidence.pk}) if may_download else None,
    )


def evidence_page(*, user: Any, tracking_number: str, query: s.PageQuery) -> s.EvidenceListOut:
    case = case_for(user=user, tracking_number=tracking_number)
    may_download = bool(decide(user, Permission.EVIDENCE_DOWNLOAD, case))
    items, count, pages = page_of(_visible_evidence(user, case), page=query.page, page_size=query.page_size)
    return s.EvidenceListOut(
        items=[evidence_out(e, may_download=may_download) for e in items],
        count=count,
        page=query.page,
        page_size=query.page_size,
        pages=pages,
    )


def evidence_upload_out(*, user: Any, case: Case, stored: list[EvidenceFile]) -> s.EvidenceUploadOut:
    may_download = bool(decide(user, Permission.EVIDENCE_DOWNLOAD, case))
    return s.EvidenceUploadOut(items=[evidence_out(e, may_download=may_download) for e in stored])


def evidence_for_download(*, user: Any, evidence_id: int) -> EvidenceFile:
    """The file if the caller may download it: 404 if they may not see it, 403 (with the reason) if they may see
    the case but not its files."""
    evidence = evidence_get(user=user, evidence_id=evidence_id)
    case = evidence.case
    if case is None:
        return evidence  # the caller's own upload not yet attached to a case (the scope allows only those)
    message = evidence.message
    if message is not None and message.internal and not decide(user, Permission.CASE_MESSAGE_INTERNAL, case):
        raise Http404("evidence not found")
    decision = decide(user, Permission.EVIDENCE_DOWNLOAD, case)
    if not decision:
        raise PermissionDenied(decision.reason)
    return evidence


def message_out(message: CaseMessage, *, attachments: list[EvidenceFile], may_download: bool) -> s.MessageOut:
    return s.MessageOut(
        id=message.pk,
        author=s.UserRef(id=message.author.pk, display_name=str(message.author)),
        body=message.body,
        internal=message.internal,
        created_at=message.created_at,
        attachments=[evidence_out(e, may_download=may_download) for e in attachments],
    )


def message_page(*, user: Any, tracking_number: str, query: s.PageQuery) -> s.MessageListOut:
    case = case_for(user=user, tracking_number=tracking_number)
    include_internal = bool(decide(user, Permission.CASE_MESSAGE_INTERNAL, case))
    may_download = bool(decide(user, Permission.EVIDENCE_DOWNLOAD, case))
    # Attachments are prefetched through the caller's evidence scope (one query per page).
    qs = (
        case_messages(case=case, include_internal=include_internal)
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("attachments", queryset=EvidenceFile.objects.restrict(user).order_by("received_at", "id"))
        )
        .order_by("created_at", "id")
    )
    items, count, pages = page_of(qs, page=query.page, page_size=query.page_size)
    return s.MessageListOut(
        items=[message_out(m, attachments=list(m.attachments.all()), may_download=may_download) for m in items],
        count=count,
        page=query.page,
        page_size=query.page_size,
        pages=pages,
    )


# --- who am I -----------------------------------------------------------------------------------------------


def me(*, user: Any) -> s.MeOut:
    return s.MeOut(
        id=user.pk,
        display_name=str(user),
        email=user.email,
        is_applicant=bool(getattr(user, "is_applicant", False)),
        applicant_kind=user.applicant_kind,
        roles=[
            s.MembershipOut(
                centre=_centre_ref(m.centre),
                role=m.role,
                role_label=str(m.get_role_display()),
                organisation=m.organisation,
            )
            for m in memberships_for_profile(user)
        ],
    )
