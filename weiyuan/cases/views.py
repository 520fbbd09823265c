"""Case pages for applicants and staff. Thin: parse with a form, call one service or selector, render.

Every page fetches the case through `case_get` (404 when the user may not see it) and asks the access module
(`decide`, `allowed_transitions`) which sections and buttons to show; the services check again on write.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.policy import (
    Permission,
    Relation,
    case_relations,
    centre_ids_with_role,
    decide,
    is_staff_member,
)
from weiyuan.audit.selectors import audit_events_for_case
from weiyuan.cases import services
from weiyuan.cases.forms import (
    MAX_RIGHTS,
    AnswerInfoForm,
    AssignForm,
    BulkAssignForm,
    CaseActionForm,
    ConcludeForm,
    ConfirmForm,
    IntakeForm,
    MessageForm,
    NoteForm,
    ReasonForm,
    RejectForm,
    RequestInfoForm,
    RouteForm,
    ShareGrantForm,
    ShareRevokeForm,
    TaskAssignForm,
    TrackForm,
    TransferForm,
    WithdrawForm,
    WorkbenchFilterForm,
    right_formset,
)
from weiyuan.cases.models import Case, CaseState
from weiyuan.cases.selectors import (
    CaseFilters,
    acceptance_checks,
    available_queues,
    case_clocks,
    case_get,
    case_handler_choices,
    case_list,
    case_messages,
    case_open_shares,
    case_open_tasks,
    case_rights,
    case_timeline,
    with_next_due,
)
from weiyuan.cases.services import CaseInput, RightInput
from weiyuan.cases.transitions import TRANSITIONS_BY_ACTION, Transition, TransitionRefused, allowed_transitions
from weiyuan.core.choices import Channel, IPType, Role
from weiyuan.core.validators import mask_middle
from weiyuan.evidence.models import EvidenceKind
from weiyuan.evidence.selectors import evidence_for_case
from weiyuan.network.models import Centre, FilingStatus
from weiyuan.network.selectors import RouteProposal, centre_route, region_search

PAGE_SIZE = 25


# --- helpers ---------------------------------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _htmx_target(request: HttpRequest) -> str:
    htmx = getattr(request, "htmx", None)
    return str(htmx.target or "") if htmx else ""


def refused(
    request: HttpRequest, reason: str, status: int = 403, *, case: Case | None = None, title: str = ""
) -> HttpResponse:
    """The page for an action the user may not take (403) or not now (409), with the reason."""
    return render(
        request,
        "cases/refused.html",
        {"reason": reason, "case": case, "title": title or _("无法执行该操作")},
        status=status,
    )


def paginate(request: HttpRequest, qs: QuerySet[Any]) -> Page:
    # get_page: a page number past the end shows the last page, a malformed one the first.
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _field_label(form: forms.Form, name: str) -> str:
    field = form.fields.get(name)
    return str(field.label) if field is not None and field.label else ""


def error_summary(form: forms.Form, *, prefix_label: str = "") -> list[tuple[str, str, str]]:
    """(field label, message, anchor) for every error, so a summary at the top names each field and its fix."""
    items: list[tuple[str, str, str]] = []
    for name, errors in form.errors.items():
        label = _field_label(form, name) if name != NON_FIELD_ERRORS else ""
        anchor = f"field-{form.add_prefix(name)}" if name in form.fields else ""
        for message in errors:
            items.append((f"{prefix_label}{label}", str(message), anchor))
    return items


def apply_service_errors(exc: ValidationError, form: forms.Form, formset: Any = None) -> None:
    """Put a service's ValidationError messages next to the fields they name (keys are field names)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        match = re.fullmatch(r"rights-(\d+)-(\w+)", key)
        if match and formset is not None and int(match.group(1)) < len(formset.forms):
            row = formset.forms[int(match.group(1))]
            row.add_error(match.group(2) if match.group(2) in row.fields else None, errors)
        elif key in form.fields and not form.fields[key].widget.is_hidden:
            form.add_error(key, errors)
        else:
            label = _field_label(form, key)
            form.add_error(None, [f"{label}：{m}" if label else m for m in errors])


# --- intake --------------------------------------------------------------------------------------------------


def _intake_refusal(user: Any) -> str:
    if getattr(user, "is_applicant", False) or is_staff_member(user):
        return ""
    return _("只有申请人账户或援助机构的工作人员可以登记援助申请。")


LEVEL_LABELS = {
    "county": gettext_lazy("区县级"),
    "city": gettext_lazy("地市级"),
    "province": gettext_lazy("省级"),
    "national": gettext_lazy("国家级"),
}


@dataclass(frozen=True)
class Proposal:
    centre: Centre
    level: str
    own: bool = False


def _own_centre_ids(user: Any) -> set[int]:
    return centre_ids_with_role(user, Role.INTAKE_OFFICER, Role.HANDLER, Role.DIRECTOR)


def _proposals(user: Any, cleaned: dict[str, Any]) -> list[Proposal]:
    """The competent centres, nearest level first; staff recording for a caller see their own centre first."""
    route: list[RouteProposal] = centre_route(
        region_code=cleaned["region"], ip_type=cleaned["ip_type"], service_type=cleaned["service_type"].code
    )
    proposals = [Proposal(p.centre, str(LEVEL_LABELS.get(p.level, p.level))) for p in route]
    own_ids = _own_centre_ids(user)
    if own_ids:
        own = list(
            Centre.objects.filter(pk__in=own_ids, filing_status=FilingStatus.APPROVED)
            .select_related("region")
            .order_by("path")
        )
        proposals = [Proposal(c, _("本中心"), own=True) for c in own] + [
            p for p in proposals if p.centre.pk not in own_ids
        ]
    seen: set[int] = set()
    unique = []
    for p in proposals:
        if p.centre.pk not in seen:
            seen.add(p.centre.pk)
            unique.append(p)
    return unique


def _route_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    bound = any(k in request.GET for k in ("service_type", "ip_type", "region"))
    initial = {"region": getattr(user, "region_id", None) or ""}
    form = RouteForm(request.GET if bound else None, initial=initial)
    proposals = None
    params = ""
    if bound and form.is_valid():
        proposals = _proposals(user, form.cleaned_data)
        params = urlencode(
            {
                "service_type": form.cleaned_data["service_type"].code,
                "ip_type": form.cleaned_data["ip_type"],
                "region": form.cleaned_data["region"],
            }
        )
    staff_mode = is_staff_member(user)
    return {"form": form, "proposals": proposals, "route_params": params, "bound": bound, "staff_mode": staff_mode}


@login_required
@require_GET
def intake_start(request: HttpRequest) -> HttpResponse:
    reason = _intake_refusal(request.user)
    if reason:
        return refused(request, reason, title=_("不能登记申请"))
    return render(request, "cases/intake_start.html", _route_context(request))


@login_required
@require_GET
def intake_route(request: HttpRequest) -> HttpResponse:
    """HTMX: the proposals for the current step-1 choices (the full page works the same without JavaScript)."""
    reason = _intake_refusal(request.user)
    if reason:
        return refused(request, reason, title=_("不能登记申请"))
    return render(request, "cases/_proposals.html", _route_context(request))


@login_required
@require_GET
def region_options(request: HttpRequest) -> HttpResponse:
    """HTMX: `<option>`s for the region code inputs' datalist, by code prefix or place name."""
    term = request.GET.get("q") or request.GET.get("region") or request.GET.get("applicant_region") or ""
    regions = region_search(q=term[:20], limit=20)
    return render(request, "cases/_region_options.html", {"regions": regions})


def _intake_initial(user: Any, route: dict[str, Any], staff_mode: bool) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "service_type": route["service_type"].code,
        "ip_type": route["ip_type"],
        "centre": route["centre"].code,
        "applicant_region": route["region"],
    }
    if not staff_mode:
        initial.update(
            {
                "applicant_name": user.organisation_name or user.display_name,
                "applicant_kind": user.applicant_kind,
                "applicant_credit_code": user.credit_code,
                "applicant_region": user.region_id or route["region"],
                "priority_group": user.priority_group,
            }
        )
    return initial


def _route_from(data: Any) -> dict[str, Any] | None:
    """Step-1 choices carried into step 2 (query string or hidden fields); None if incomplete or invalid."""
    form = RouteForm(
        {"service_type": data.get("service_type"), "ip_type": data.get("ip_type"), "region": data.get("region")}
    )
    centre = Centre.objects.filter(code=data.get("centre") or "", filing_status=FilingStatus.APPROVED).first()
    if not form.is_valid() or centre is None:
        return None
    return {**form.cleaned_data, "centre": centre}


def _case_input(user: Any, form: IntakeForm, formset: Any, staff_mode: bool) -> CaseInput:
    cd = form.cleaned_data
    rights = [
        RightInput(
            ip_type=f.cleaned_data["ip_type"],
            number=f.cleaned_data["number"],
            title=f.cleaned_data.get("title", ""),
            owner=f.cleaned_data.get("owner", ""),
            legal_status=f.cleaned_data.get("legal_status", ""),
            certificate=f.cleaned_data.get("certificate"),
        )
        for f in formset.forms
        if f.cleaned_data.get("number")
    ]
    common: dict[str, Any] = {
        "centre_code": cd["centre"].code,
        "service_type_code": cd["service_type"].code,
        "ip_type": cd["ip_type"],
        "title": cd["title"],
        "facts": cd["facts"],
        "request": cd["request"],
        "applicant_name": cd["applicant_name"],
        "applicant_kind": cd["applicant_kind"],
        "applicant_region_code": cd["applicant_region"],
        "applicant_credit_code": cd.get("applicant_credit_code", ""),
        "priority_group": cd.get("priority_group", ""),
        "respondent_name": cd.get("respondent_name", ""),
        "respondent_credit_code": cd.get("respondent_credit_code", ""),
        "respondent_address": cd.get("respondent_address", ""),
        "rights": rights,
        "evidence": cd.get("evidence") or [],
    }
    if staff_mode:
        return CaseInput(
            **common,
            channel=cd["channel"],
            applicant_id_number=cd.get("applicant_id_number", ""),
            applicant_phone=cd.get("applicant_phone", ""),
            applicant_email=cd.get("applicant_email", ""),
            is_major=bool(cd.get("is_major")),
        )
    # Online: the applicant applies for themselves; identity and contact data come from the account.
    return CaseInput(
        **common,
        channel=Channel.ONLINE,
        applicant_id_number=user.id_number or "",
        applicant_phone=user.phone or "",
        applicant_email=user.email or "",
    )


def _input_from_post(user: Any, data: Any, staff_mode: bool) -> CaseInput:
    """A lenient CaseInput from whatever the form holds now, for the live acceptance checks (nothing is saved)."""

    def text(name: str) -> str:
        return str(data.get(name, "") or "")[:20000]

    return CaseInput(
        centre_code=text("centre"),
        service_type_code=text("service_type"),
        ip_type=text("ip_type"),
        title=text("title"),
        facts=text("facts"),
        request=text("request"),
        applicant_name=text("applicant_name"),
        applicant_kind=text("applicant_kind"),
        applicant_region_code=text("applicant_region"),
        applicant_credit_code=text("applicant_credit_code"),
        applicant_id_number=text("applicant_id_number") if staff_mode else (user.id_number or ""),
        respondent_name=text("respondent_name"),
        respondent_credit_code=text("respondent_credit_code"),
        respondent_address=text("respondent_address"),
    )


def _evidence_count_from(data: Any) -> int:
    try:
        return max(0, min(int(data.get("evidence_count", "0")), 1000))
    except (TypeError, ValueError):
        return 0


@login_required
@require_http_methods(["GET", "POST"])
def intake_form(request: HttpRequest) -> HttpResponse:
    user = request.user
    reason = _intake_refusal(user)
    if reason:
        return refused(request, reason, title=_("不能登记申请"))
    staff_mode = is_staff_member(user)
    source = request.POST if request.method == "POST" else request.GET
    route = _route_from(
        {
            "service_type": source.get("service_type"),
            "ip_type": source.get("ip_type"),
            "region": source.get("region") or source.get("applicant_region"),
            "centre": source.get("centre"),
        }
    )
    if route is None:
        messages.warning(request, _("请先选择服务类型、知识产权类型、所在地区和援助机构。"))
        return redirect(reverse("cases:intake_start"))
    if staff_mode and route["centre"].pk not in _own_centre_ids(user):
        # Staff record calls and visits for their own centre; another centre's intake is that centre's to record.
        messages.warning(
            request,
            _("工作人员只能为本中心登记申请。%(centre)s的申请请由申请人自行提交，或转告该中心（电话 %(phone)s）。")
            % {"centre": route["centre"].name, "phone": route["centre"].phone or "12330"},
        )
        return redirect(reverse("cases:intake_start"))
    checks = None
    summary: list[tuple[str, str, str]] = []
    files_lost = False
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES, staff_mode=staff_mode)
        formset = right_formset(
            request.POST, request.FILES, default_ip_type=route["ip_type"], needs_right=form.needs_right
        )
        # Staff submit what they record (their drafts would sit in no queue); applicants may keep a draft.
        intent = "draft" if request.POST.get("intent") == "draft" and not staff_mode else "submit"
        if form.is_valid() and formset.is_valid():
            data = _case_input(user, form, formset, staff_mode)
            checks = acceptance_checks(data)
            blocking = [c for c in checks if c.status == "bad"]
            if intent == "submit" and blocking and not staff_mode:
                form.add_error(
                    None,
                    _("以下受理条件尚未满足，请修改后再提交，或先保存为草稿：%(items)s")
                    % {"items": "；".join(f"{c.label}：{c.detail}" for c in blocking)},
                )
            else:
                try:
                    case = services.case_create(actor=user, data=data, submit=intent == "submit")
                except ValidationError as exc:
                    apply_service_errors(exc, form, formset)
                except TransitionRefused as exc:
                    form.add_error(None, exc.reason)
                else:
                    if case.state == CaseState.DRAFT:
                        messages.success(
                            request,
                            _("已保存为草稿，案件编号 %(number)s。确认无误后请在本页提交。")
                            % {"number": case.tracking_number},
                        )
                    else:
                        messages.success(
                            request,
                            _("申请已提交，案件编号 %(number)s。%(centre)s将在受理期限内审查，请留意通知。")
                            % {"number": case.tracking_number, "centre": case.centre.name},
                        )
                    return redirect(reverse("cases:detail", args=[case.tracking_number]))
        files_lost = bool(request.FILES)
        summary = error_summary(form)
        for i, row in enumerate(formset.forms):
            summary += error_summary(row, prefix_label=_("权利 %(n)s · ") % {"n": i + 1})
        summary += [(_("权利信息"), str(m), "rights") for m in formset.non_form_errors()]
    else:
        form = IntakeForm(initial=_intake_initial(user, route, staff_mode), staff_mode=staff_mode)
        formset = right_formset(default_ip_type=route["ip_type"], needs_right=form.needs_right)
        checks = acceptance_checks(_input_from_post(user, {**form.initial}, staff_mode), evidence_count=0)
    change_url = (
        reverse("cases:intake_start")
        + "?"
        + urlencode(
            {"service_type": route["service_type"].code, "ip_type": route["ip_type"], "region": route["region"]}
        )
    )
    return render(
        request,
        "cases/intake_form.html",
        {
            "form": form,
            "formset": formset,
            "route": route,
            "staff_mode": staff_mode,
            "checks": checks,
            "error_summary": summary,
            "files_lost": files_lost,
            "change_url": change_url,
            "max_rights": MAX_RIGHTS,
            "ip_type_label": IPType(route["ip_type"]).label,
            # Rows 2-5 start folded; they open when the applicant filled one in (or it has an error).
            "rights_open": formset.is_bound and any(f.has_changed() for f in formset.forms[1:]),
        },
    )


@login_required
@require_POST
def intake_checks(request: HttpRequest) -> HttpResponse:
    """HTMX: the acceptance checks for the intake form as it stands (nothing is saved)."""
    user = request.user
    reason = _intake_refusal(user)
    if reason:
        return refused(request, reason, title=_("不能登记申请"))
    data = _input_from_post(user, request.POST, is_staff_member(user))
    checks = acceptance_checks(data, evidence_count=_evidence_count_from(request.POST))
    return render(request, "cases/_checks.html", {"checks": checks, "live": True})


# --- applicant pages -------------------------------------------------------------------------------------


@login_required
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    qs = with_next_due(case_list(user=request.user, filters=CaseFilters(queue="applications")))
    return render(request, "cases/my_cases.html", {"page": paginate(request, qs), "now": timezone.now()})


@login_required
@require_GET
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.GET if "tracking_number" in request.GET else None)
    if form.is_bound and form.is_valid():
        number = form.cleaned_data["tracking_number"]
        try:
            case = case_get(user=request.user, tracking_number=number)
        except Http404:
            # The same answer for "does not exist" and "not yours", so existence does not leak.
            form.add_error(
                "tracking_number", _("未找到案件 %(number)s，或您无权查看。请核对编号。") % {"number": number}
            )
        else:
            return redirect(reverse("cases:detail", args=[case.tracking_number]))
    return render(request, "cases/track.html", {"form": form})


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
        lambda c, u, d: services.case_task_assign(case=c, actor=u, user=d["user"], kind=d["kind"], task=d["task"]),
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
        "task_assign": _("指派专家或志愿者"),
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


def _thread(case: Case, user: Any, *, internal: bool, perms: dict[str, bool], form: Any = None) -> dict[str, Any]:
    items = [m for m in case_messages(case=case, include_internal=internal) if m.internal == internal]
    action = "note" if internal else "message"
    can_post = perms["note" if internal else "message"]
    if form is None and can_post:
        form = _new_form(action, case, user)
    return {"case": case, "items": items, "internal": internal, "form": form, "action": action, "can": perms}


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
    thread = _thread(case, user, internal=False, perms=perms)
    notes = _thread(case, user, internal=True, perms=perms) if staff_side else None
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


# --- staff workbench ---------------------------------------------------------------------------------------

QUEUE_LABELS = {
    "to_accept": gettext_lazy("待受理"),
    "mine": gettext_lazy("我承办的"),
    "due_soon": gettext_lazy("即将到期"),
    "overdue": gettext_lazy("已逾期"),
    "transferred_in": gettext_lazy("移送来的"),
    "centre": gettext_lazy("本中心全部"),
    "subtree": gettext_lazy("下级机构"),
    "tasks": gettext_lazy("我的任务"),
}


def _assign_centres(user: Any) -> set[int]:
    return centre_ids_with_role(user, Role.INTAKE_OFFICER, Role.DIRECTOR)


@login_required
@require_GET
def workbench(request: HttpRequest) -> HttpResponse:
    user = request.user
    queues = [q for q in available_queues(user) if q != "applications"]
    if not queues:
        if getattr(user, "is_applicant", False):
            return redirect(reverse("cases:my_cases"))
        return refused(
            request, _("工作台仅供援助机构工作人员、专家、志愿者和监督人员使用。"), title=_("无法打开工作台")
        )
    queue = request.GET.get("queue", "")
    if queue not in queues:
        queue = queues[0]
    bound = any(request.GET.get(k) for k in WorkbenchFilterForm.base_fields)
    form = WorkbenchFilterForm(request.GET if bound else None)
    cleaned: dict[str, Any] = {}
    if bound:
        # Invalid fields are left out of cleaned_data (and shown with their message); the valid ones still apply.
        form.is_valid()
        cleaned = form.cleaned_data
    service_type = cleaned.get("service_type")
    filters = CaseFilters(
        queue=queue,
        service_type=service_type.code if service_type else "",
        ip_type=cleaned.get("ip_type") or "",
        state=cleaned.get("state") or "",
        channel=cleaned.get("channel") or "",
        submitted_from=cleaned.get("submitted_from"),
        submitted_to=cleaned.get("submitted_to"),
        q=cleaned.get("q") or "",
        sort=cleaned.get("sort") or "newest",
    )
    page = paginate(request, with_next_due(case_list(user=user, filters=filters)))
    assign_centres = _assign_centres(user)
    handlers = list(case_handler_choices(centre_ids=assign_centres)) if assign_centres else []
    context = {
        "queues": [(q, QUEUE_LABELS[q]) for q in queues],
        "queue": queue,
        "form": form,
        "page": page,
        "now": timezone.now(),
        "handlers": handlers,
        "can_bulk_assign": bool(handlers),
        "next_url": request.get_full_path(),
    }
    if _is_htmx(request) and _htmx_target(request) == "case-table":
        return render(request, "cases/_workbench_table.html", context)
    return render(request, "cases/workbench.html", context)


@login_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign several cases to one handler; each assignment is its own transaction and is reported separately."""
    user = request.user
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("cases:workbench")
    assign_centres = _assign_centres(user)
    if not assign_centres:
        return refused(request, _("您的角色不能分派案件。"))
    form = BulkAssignForm(request.POST, handlers=case_handler_choices(centre_ids=assign_centres))
    if not form.is_valid():
        for name, errors in form.errors.items():
            for message in errors:
                messages.error(request, f"{_field_label(form, name)}：{message}")
        return redirect(next_url)
    handler = form.cleaned_data["handler"]
    done: list[str] = []
    failed: list[str] = []
    for number in form.cleaned_data["cases"]:
        try:
            case = case_get(user=user, tracking_number=number)
            services.case_assign(case=case, actor=user, handler=handler)
        except Http404:
            failed.append(_("%(number)s：找不到该案件或您无权查看") % {"number": number})
        except TransitionRefused as exc:
            failed.append(f"{number}：{exc.reason}")
        except ValidationError as exc:
            failed.append(f"{number}：{'；'.join(exc.messages)}")
        else:
            done.append(number)
    if done:
        messages.success(
            request,
            _("已将 %(n)s 件案件分派给 %(handler)s：%(numbers)s")
            % {"n": len(done), "handler": handler, "numbers": "、".join(done)},
        )
    if failed:
        messages.warning(request, _("%(n)s 件未能分派：%(items)s") % {"n": len(failed), "items": "；".join(failed)})
    return redirect(next_url)
