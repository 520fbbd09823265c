"""Referral pages: sending from a case, the partner's inbox and the cases it referred in, the centre's list
(overdue first) and statistics, one referral with its actions, and the audited download of its documents."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.policy import can_see_centre
from weiyuan.access.referrals import (
    ReferralPermission,
    case_referral_decide,
    has_referral_list,
    is_partner_account,
    referral_decide,
)
from weiyuan.audit.services import audit_record
from weiyuan.cases.selectors import case_get
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary, paginate, refused
from weiyuan.evidence.services import evidence_record_download
from weiyuan.evidence.views import file_response
from weiyuan.network.models import Centre
from weiyuan.referrals import selectors, services
from weiyuan.referrals.flow import allowed_referral_actions
from weiyuan.referrals.forms import AcceptForm, OutcomeForm, ReasonForm, ReportForm, SendForm
from weiyuan.referrals.models import Referral, ReferralState

P = ReferralPermission


@login_required
@require_http_methods(["GET", "POST"])
def send(request: HttpRequest, tracking_number: str) -> HttpResponse:
    user = request.user
    case = case_get(user=user, tracking_number=tracking_number)
    decision = case_referral_decide(user, P.CREATE, case)
    if not decision:
        return refused(request, decision.reason, case=case, title=_("移交合作单位"))
    form = SendForm(
        request.POST or None,
        organisations=selectors.organisation_choices(),
        documents=selectors.case_shareable_documents(case=case),
    )
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.referral_send(
                case=case,
                actor=user,
                organisations=form.cleaned_data["organisations"],
                cover_letter=form.cleaned_data["cover_letter"],
                documents=form.cleaned_data["documents"],
            )
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, case=case, title=_("移交合作单位"))
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("已移交 %(n)s 个合作单位。") % {"n": len(sent)})
            return redirect("cases:detail", tracking_number=case.tracking_number)
    return render(
        request,
        "referrals/send.html",
        {"case": case, "form": form, "error_summary": error_summary(form) if form.is_bound else []},
        status=400 if form.is_bound and form.errors else 200,
    )


def _filters_context(request: HttpRequest) -> tuple[selectors.ReferralFilters, dict[str, Any]]:
    filters = selectors.parse_filters(request.GET)
    return filters, {
        "filters": filters,
        "states": ReferralState.choices,
        "filter_errors": list(filters.errors.values()),
    }


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not is_partner_account(user):
        return refused(request, _("移交收件箱仅供代表合作单位的账户使用。"), title=_("移交收件箱"))
    filters, context = _filters_context(request)
    page = paginate(request, selectors.referral_list(user=user, filters=filters))
    return render(request, "referrals/inbox.html", {**context, "page": page})


@login_required
@require_GET
def inbound(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not is_partner_account(user):
        return refused(request, _("仅供代表合作单位的账户使用。"), title=_("我方移交的案件"))
    page = paginate(request, selectors.inbound_list(user=user))
    return render(request, "referrals/inbound.html", {"page": page})


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_referral_list(user):
        return refused(request, _("移交列表仅供援助机构工作人员和监督人员查看。"), title=_("移交"))
    filters, context = _filters_context(request)
    page = paginate(request, selectors.referral_list(user=user, filters=filters))
    return render(request, "referrals/list.html", {**context, "page": page, "kinds": _kinds()})


def _kinds() -> list[tuple[str, str]]:
    from weiyuan.partners.models import OrganisationKind

    return [(code, str(label)) for code, label in OrganisationKind.choices]


@login_required
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_referral_list(user):
        return refused(request, _("移交统计仅供援助机构工作人员和监督人员查看。"), title=_("移交统计"))
    centre = None
    code = (request.GET.get("centre") or "").strip()
    if code:
        centre = Centre.objects.filter(code=code).first()
        if centre is not None and not can_see_centre(user, centre):
            centre = None
    result = selectors.referral_stats(user=user, centre=centre)
    return render(request, "referrals/stats.html", {"stats": result, "centre": centre})


def _detail(request: HttpRequest, referral: Referral, *, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    actions = {t.action for t in allowed_referral_actions(referral, user)}
    context: dict[str, Any] = {
        "referral": referral,
        "case": referral.case,
        "documents": selectors.referral_documents(referral=referral),
        "updates": selectors.referral_updates(referral=referral),
        "actions": actions,
        "reason_action": "decline" if "decline" in actions else "withdraw",
        "may_download": bool(referral_decide(user, P.DOWNLOAD, referral)),
        "partner_side": bool(referral_decide(user, P.ACKNOWLEDGE, referral)),
        "accept_form": AcceptForm(),
        "reason_form": ReasonForm(),
        "report_form": ReportForm(),
        "outcome_form": OutcomeForm(),
    }
    context.update(extra)
    return render(request, "referrals/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.referral_get(user=request.user, pk=pk))


FORMS = {
    "accept": ("accept_form", AcceptForm),
    "decline": ("reason_form", ReasonForm),
    "withdraw": ("reason_form", ReasonForm),
    "report": ("report_form", ReportForm),
    "conclude": ("outcome_form", OutcomeForm),
}
DONE = {
    "acknowledge": _("已签收。"),
    "accept": _("已受理。"),
    "decline": _("已回复不予受理。"),
    "report": _("进展已报告。"),
    "conclude": _("办理结果已报告。"),
    "withdraw": _("已撤回移交。"),
}


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    referral = selectors.referral_get(user=user, pk=pk)
    if action not in DONE:
        return refused(request, _("未知操作：%(action)s") % {"action": action}, 400)
    name, form_class = FORMS.get(action, ("", None))
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        return _detail(request, referral, status=400, **{name: form, f"{name}_errors": error_summary(form)})
    data = form.cleaned_data if form is not None else {}
    try:
        if action == "acknowledge":
            services.referral_acknowledge(referral=referral, actor=user)
        elif action == "accept":
            services.referral_accept(referral=referral, actor=user, note=data["note"])
        elif action == "decline":
            services.referral_decline(referral=referral, actor=user, reason=data["reason"])
        elif action == "withdraw":
            services.referral_withdraw(referral=referral, actor=user, reason=data["reason"])
        elif action == "report":
            services.referral_report(referral=referral, actor=user, text=data["text"], document=data["document"])
        else:
            services.referral_conclude(
                referral=referral,
                actor=user,
                outcome_kind=data["outcome_kind"],
                summary=data["summary"],
                outcome_date=data["outcome_date"],
                document=data["document"],
            )
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, title=_("移交"))
    except ValidationError as exc:
        assert form is not None
        apply_service_errors(exc, form)
        return _detail(request, referral, status=400, **{name: form, f"{name}_errors": error_summary(form)})
    messages.success(request, str(DONE[action]))
    return redirect("referrals:detail", pk=referral.pk)


def record_download(*, referral: Referral, evidence: Any, user: Any) -> None:
    """Every download is audited twice over: the evidence's own download event and the referral's."""
    evidence_record_download(evidence=evidence, user=user)
    audit_record(
        actor=user,
        action="referral.document_download",
        obj=referral,
        centre_id=referral.case.centre_id,
        case_id=referral.case_id,
        after={"evidence_id": evidence.pk, "sha256": evidence.sha256},
    )


@login_required
@require_GET
def document(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponseBase:
    user = request.user
    referral = selectors.referral_get(user=user, pk=pk)
    decision = referral_decide(user, P.DOWNLOAD, referral)
    if not decision:
        return refused(request, decision.reason, title=_("不能下载该文件"))
    evidence = selectors.referral_document_get(referral=referral, evidence_id=evidence_id)
    record_download(referral=referral, evidence=evidence, user=user)
    return file_response(evidence)
