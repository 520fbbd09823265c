"""The case page for applicants and staff, its actions, the result letter and the audit trail.

Every page fetches the case through `case_get` (404 when the user may not see it) and asks the access module
(`decide`, `allowed_transitions`) which sections and buttons to show; the services check again on write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.policy import (
    Permission,
    Relation,
    case_relations,
    decide,
)
from weiyuan.audit.selectors import audit_events_for_case
from weiyuan.cases import services
from weiyuan.cases.forms import (
    AnswerInfoForm,
    AssignForm,
    CaseActionForm,
    ConcludeForm,
    ConfirmForm,
    MessageForm,
    NoteForm,
    ReasonForm,
    RejectForm,
    RequestInfoForm,
    ShareGrantForm,
    ShareRevokeForm,
    TaskAssignForm,
    TransferForm,
    WithdrawForm,
)
from weiyuan.cases.models import OPEN_STATES, Case, CaseState
from weiyuan.cases.selectors import (
    acceptance_checks,
    case_clocks,
    case_duplicates,
    case_get,
    case_messages,
    case_open_shares,
    case_open_tasks,
    case_rights,
    case_timeline,
)
from weiyuan.cases.services.collaboration import correspondence_refusal
from weiyuan.cases.transitions import TRANSITIONS_BY_ACTION, Transition, TransitionRefused, allowed_transitions
from weiyuan.cases.views.common import (
    _is_htmx,
    apply_service_errors,
    error_summary,
    paginate,
    refused,
)
from weiyuan.core.validators import mask_middle
from weiyuan.evidence.models import EvidenceKind
from weiyuan.evidence.selectors import evidence_for_case

# --- the case page ---------------------------------------------------------------------------------------

STAFF_SIDE = {
    Relation.INTAKE_OFFICER,
    Relation.HANDLER,
    Relation.ASSIGNED_HANDLER,
    Relation.DIRECTOR,
    Relation.CO_HANDLER,
    Relation.SUPERVISOR,
}
CHECK_STATES = (CaseState.DRAFT, CaseState.SUBMITTED, CaseState.INFO_REQUESTED, CaseState.TRANSFERRED)


@dataclass(frozen=True)
class ActionSpec:
    form_class: type[CaseActionForm]
    run: Callable[[Case, Any, dict[str, Any]], Any]
    success: Any  # a lazy translation
    # Actions outside the transition table name their permission here; transitions use the table's.
    permission: Permission | None = None


ACTIONS: dict[str, ActionSpec] = {
    "submit": ActionSpec(
        ConfirmForm, lambda c, u, d: services.case_submit(case=c, actor=u), gettext_lazy("申请已提交，等待受理审查。")
    ),
    "request_info": ActionSpec(
        RequestInfoForm,
        lambda c, u, d: services.case_request_info(case=c, actor=u, request_text=d["request_text"]),
        gettext_lazy("已通知申请人补正材料，受理期限暂停计算。"),
    ),
    "answer_info": ActionSpec(
        AnswerInfoForm,
        lambda c, u, d: services.case_answer_info(case=c, actor=u, answer_text=d["answer_text"], files=d["files"]),
        gettext_lazy("补正材料已提交，受理审查期限继续计算。"),
    ),
    "accept": ActionSpec(
        ConfirmForm, lambda c, u, d: services.case_accept(case=c, actor=u), gettext_lazy("已受理，办理期限开始计算。")
    ),
    "reject": ActionSpec(
        RejectForm,
        lambda c, u, d: services.case_reject(
            case=c,
            actor=u,
            reason=d["reason"],
            text=d["text"],
            fix=d["fix"],
            suggested_centre=d.get("suggested_centre"),
            suggested_channel=d.get("suggested_channel", ""),
        ),
        gettext_lazy("已作出不予受理决定并通知申请人。"),
    ),
    "assign": ActionSpec(
        AssignForm,
        lambda c, u, d: services.case_assign(case=c, actor=u, handler=d["handler"]),
        gettext_lazy("已分派承办人。"),
    ),
    "start": ActionSpec(
        ConfirmForm, lambda c, u, d: services.case_start(case=c, actor=u), gettext_lazy("已开始办理。")
    ),
    "conclude": ActionSpec(
        ConcludeForm,
        lambda c, u, d: services.case_conclude(case=c, actor=u, outcome=d["outcome"], result_letter=d["result_letter"]),
        gettext_lazy("已办结，结果告知书已发送给申请人。"),
    ),
    "close": ActionSpec(ConfirmForm, lambda c, u, d: services.case_close(case=c, actor=u), gettext_lazy("已归档。")),
    "reopen": ActionSpec(
        ReasonForm,
        lambda c, u, d: services.case_reopen(case=c, actor=u, reason=d["reason"]),
        gettext_lazy("已重新办理。"),
    ),
    "withdraw": ActionSpec(
        WithdrawForm,
        lambda c, u, d: services.case_withdraw(case=c, actor=u, reason=d["reason"]),
        gettext_lazy("申请已撤回。"),
    ),
    "transfer": ActionSpec(
        TransferForm,
        lambda c, u, d: services.case_transfer(case=c, actor=u, target=d["target"], reason=d["reason"]),
        gettext_lazy("已移送，接收机构将收到通知。"),
    ),
    "receive_transfer": ActionSpec(
        ConfirmForm, lambda c, u, d: services.case_receive_transfer(case=c, actor=u), gettext_lazy("已接收移送的案件。")
    ),
    "share_grant": ActionSpec(
        ShareGrantForm,
        lambda c, u, d: services.case_share_grant(case=c, actor=u, centre=d["centre"], reason=d["reason"]),
        gettext_lazy("已授权协同办理。"),
        Permission.CASE_SHARE,
    ),
    "share_revoke": ActionSpec(
        ShareRevokeForm,
        lambda c, u, d: services.case_share_revoke(case=c, actor=u, share=d["share"]),
        gettext_lazy("已撤销协同办理。"),
        Permission.CASE_SHARE,
    ),
    "task_assign": ActionSpec(
        TaskAssignForm,
        lambda c, u, d: services.case_task_assign(case=c, actor=u, user=d["user"], kind="volunteer", task=d["task"]),
        gettext_lazy("已指派任务。"),
        Permission.CASE_ASSIGN_TASK,
    ),
    "message": ActionSpec(
        MessageForm,
        lambda c, u, d: services.case_message_post(case=c, actor=u, body=d["body"], files=d["files"]),
        gettext_lazy("留言已发送。"),
        Permission.CASE_MESSAGE,
    ),
    "note": ActionSpec(
        NoteForm,
        lambda c, u, d: services.case_message_post(case=c, actor=u, body=d["body"], files=d["files"], internal=True),
        gettext_lazy("内部备注已保存。"),
        Permission.CASE_MESSAGE_INTERNAL,
    ),
}
THREAD_ACTIONS = {"message", "note"}


def action_label(action: str) -> str:
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is not None:
        return str(transition.label)
    labels = {
        "share_grant": _("协同办理"),
        "share_revoke": _("撤销协同"),
        "task_assign": _("指派志愿者"),
        "message": _("留言"),
        "note": _("内部备注"),
    }
    return labels.get(action, action)


def check_action(case: Case, action: str, user: Any) -> None:
    """Raise TransitionRefused (with its status) if the user may not take this action on this case now."""
    from weiyuan.cases.transitions import check_transition

    spec = ACTIONS[action]
    if spec.permission is None:
        check_transition(case, action, user)
        return
    decision = decide(user, spec.permission, case)
    if not decision:
        raise TransitionRefused(decision.reason, status=403)


def _new_form(action: str, case: Case, user: Any) -> CaseActionForm:
    return ACTIONS[action].form_class(case=case, user=user, auto_id=f"id_{action}_%s")


THREAD_PAGE_SIZE = 30


def _thread(
    case: Case,
    user: Any,
    *,
    internal: bool,
    perms: dict[str, bool],
    form: Any = None,
    page_number: str | None = None,
) -> dict[str, Any]:
    """One page of the thread (or of the internal notes): page 1 holds the newest messages, shown oldest first."""
    qs = case_messages(case=case, include_internal=internal).filter(internal=internal).order_by("-created_at", "-id")
    paginator = Paginator(qs, THREAD_PAGE_SIZE)
    page = paginator.get_page(page_number)
    action = "note" if internal else "message"
    # No form on a draft or a rejected, withdrawn or closed case: the service would refuse the post (409).
    can_post = perms["note" if internal else "message"] and not correspondence_refusal(case)
    if form is None and can_post:
        form = _new_form(action, case, user)
    return {
        "case": case,
        "items": list(reversed(page.object_list)),
        "older_count": paginator.count - page.end_index(),
        "thread_page": page,
        "page_param": "notes_page" if internal else "messages_page",
        "internal": internal,
        "form": form,
        "action": action,
        "can": perms,
    }


def _perms(case: Case, user: Any) -> dict[str, bool]:
    def has(permission: Permission) -> bool:
        return bool(decide(user, permission, case))

    return {
        "audit": has(Permission.AUDIT_VIEW),
        "download": has(Permission.EVIDENCE_DOWNLOAD),
        "personal_data": has(Permission.CASE_VIEW_PERSONAL_DATA),
        "message": has(Permission.CASE_MESSAGE),
        "note": has(Permission.CASE_MESSAGE_INTERNAL),
        "share": has(Permission.CASE_SHARE),
        "task": has(Permission.CASE_ASSIGN_TASK),
    }


def _personal(case: Case, revealed: dict[str, str] | None) -> dict[str, Any]:
    id_number = case.applicant_id_number or ""
    phone = case.applicant_phone or ""
    if revealed is not None:
        return {
            "id_number": revealed.get("applicant_id_number") or "",
            "phone": revealed.get("applicant_phone") or "",
            "revealed": True,
            "email": case.applicant_email,
        }
    return {
        "id_number": mask_middle(id_number, 6, 4) if id_number else "",
        "phone": mask_middle(phone, 3, 4) if phone else "",
        "email": mask_middle(case.applicant_email, 2, 6) if case.applicant_email else "",
        "revealed": False,
    }


def _detail_context(
    request: HttpRequest,
    case: Case,
    *,
    revealed: dict[str, str] | None = None,
) -> dict[str, Any]:
    user = request.user
    relations = case_relations(user, case)
    staff_side = bool(relations & STAFF_SIDE)
    perms = _perms(case, user)
    transitions: list[Transition] = allowed_transitions(case, user)
    button_actions = [t for t in transitions if not t.needs_form]
    form_actions = [
        (t, _new_form(t.action, case, user)) for t in transitions if t.needs_form and t.action != "answer_info"
    ]
    answer_form = _new_form("answer_info", case, user) if any(t.action == "answer_info" for t in transitions) else None
    timeline = list(case_timeline(case=case, public_only=not staff_side))
    info_requests = [e for e in timeline if e.action == "request_info"]
    evidence = list(evidence_for_case(user=user, case=case))
    evidence_count = sum(1 for e in evidence if e.kind in (EvidenceKind.EVIDENCE, EvidenceKind.CERTIFICATE))
    thread = _thread(case, user, internal=False, perms=perms, page_number=request.GET.get("messages_page"))
    notes = (
        _thread(case, user, internal=True, perms=perms, page_number=request.GET.get("notes_page"))
        if perms["note"]  # internal notes: the centre side only (supervisors read the public record)
        else None
    )
    personal_visible = perms["personal_data"]
    tasks = (
        list(case_open_tasks(case=case)) if (staff_side or relations & {Relation.EXPERT, Relation.VOLUNTEER}) else []
    )
    if not staff_side:
        tasks = [t for t in tasks if t.user_id == user.pk]
    return {
        "case": case,
        "relations": relations,
        "staff_side": staff_side,
        "is_applicant": Relation.APPLICANT in relations,
        "can": perms,
        "button_actions": button_actions,
        "form_actions": form_actions,
        "answer_form": answer_form,
        "timeline": timeline,
        "info_request": info_requests[-1] if info_requests else None,
        "clocks": list(case_clocks(case=case)),
        "now": timezone.now(),
        "rights": list(case_rights(case=case)),
        "evidence": evidence,
        "thread": thread,
        "notes": notes,
        "shares": list(case_open_shares(case=case)) if staff_side else [],
        "share_form": _new_form("share_grant", case, user) if perms["share"] else None,
        "tasks": tasks,
        "task_form": _new_form("task_assign", case, user) if perms["task"] else None,
        "duplicates": case_duplicates(case) if staff_side and case.state in OPEN_STATES else [],
        "checks": acceptance_checks(case, evidence_count=evidence_count)
        if staff_side and case.state in CHECK_STATES
        else None,
        "personal": _personal(case, revealed),
        "personal_visible": personal_visible,
        "show_letter": case.state in (CaseState.CONCLUDED, CaseState.CLOSED) and bool(case.result_letter),
        "suggested_centre": case.reject_suggested_centre if case.reject_suggested_centre_id else None,
        "reapply_url": _reapply_url(case),
    }


def _reapply_url(case: Case) -> str:
    """After a rejection: a new application, at the suggested centre when there is one."""
    params = {"service_type": case.service_type.code, "ip_type": case.ip_type, "region": case.applicant_region_id}
    if case.reject_suggested_centre_id:
        centre = case.reject_suggested_centre
        if centre is not None and centre.takes_cases:
            return reverse("cases:intake_form") + "?" + urlencode({**params, "centre": centre.code})
    return reverse("cases:intake_start") + "?" + urlencode(params)


@login_required
@require_GET
def detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    case = case_get(user=request.user, tracking_number=tracking_number)
    return render(request, "cases/detail.html", _detail_context(request, case))


@login_required
@require_POST
def personal_data(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """Reveal the unmasked ID and phone numbers (audited); HTMX swaps the block, otherwise the page is re-rendered."""
    case = case_get(user=request.user, tracking_number=tracking_number)
    try:
        revealed = services.case_personal_data_reveal(case=case, actor=request.user)
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, case=case)
    if _is_htmx(request):
        return render(
            request,
            "cases/_personal_data.html",
            {"case": case, "personal": _personal(case, revealed), "personal_visible": True},
        )
    return render(request, "cases/detail.html", _detail_context(request, case, revealed=revealed))


@login_required
@require_http_methods(["GET", "POST"])
def case_action(request: HttpRequest, tracking_number: str, action: str) -> HttpResponse:
    """One endpoint per action: GET shows its form, POST runs its service; 403/409 with the reason if refused."""
    if action not in ACTIONS:
        raise Http404("unknown action")
    user = request.user
    case = case_get(user=user, tracking_number=tracking_number)
    try:
        check_action(case, action, user)
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, case=case)
    spec = ACTIONS[action]
    if request.method == "GET":
        form = _new_form(action, case, user)
        return render(request, "cases/action.html", _action_context(case, action, form))
    form = spec.form_class(request.POST, request.FILES, case=case, user=user, auto_id=f"id_{action}_%s")
    if form.is_valid():
        try:
            spec.run(case, user, form.cleaned_data)
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, case=case)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            if action in THREAD_ACTIONS and _is_htmx(request):
                perms = _perms(case, user)
                return render(
                    request, "cases/_thread.html", _thread(case, user, internal=action == "note", perms=perms)
                )
            messages.success(request, str(spec.success))
            anchor = {"message": "#messages", "note": "#notes"}.get(action, "")
            return redirect(reverse("cases:detail", args=[case.tracking_number]) + anchor)
    if action in THREAD_ACTIONS and _is_htmx(request):
        perms = _perms(case, user)
        context = _thread(case, user, internal=action == "note", perms=perms, form=form)
        context["files_lost"] = bool(request.FILES)
        return render(request, "cases/_thread.html", context)
    context = _action_context(case, action, form)
    context["files_lost"] = bool(request.FILES)
    return render(request, "cases/action.html", context)


def _action_context(case: Case, action: str, form: CaseActionForm) -> dict[str, Any]:
    return {
        "case": case,
        "action": action,
        "label": action_label(action),
        "form": form,
        "error_summary": error_summary(form) if form.is_bound else [],
        "danger": action in ("reject", "withdraw"),
    }


@login_required
@require_GET
def letter(request: HttpRequest, tracking_number: str) -> HttpResponse:
    case = case_get(user=request.user, tracking_number=tracking_number)
    if case.state not in (CaseState.CONCLUDED, CaseState.CLOSED) or not case.result_letter:
        raise Http404("no result letter yet")
    return render(request, "cases/letter.html", {"case": case})


@login_required
@require_GET
def audit_trail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    case = case_get(user=request.user, tracking_number=tracking_number)
    decision = decide(request.user, Permission.AUDIT_VIEW, case)
    if not decision:
        return refused(request, decision.reason, 403, case=case, title=_("不能查看审计记录"))
    page = paginate(request, audit_events_for_case(case_id=case.pk))
    return render(request, "cases/audit.html", {"case": case, "page": page})
