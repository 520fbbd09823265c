"""Intake (step 1: service, IP type, region and centre; step 2: the guided form) and the applicant lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.policy import (
    centre_ids_with_role,
    intake_refusal,
    is_staff_member,
)
from weiyuan.cases import services
from weiyuan.cases.forms import (
    MAX_RIGHTS,
    IntakeForm,
    RouteForm,
    TrackForm,
    right_formset,
)
from weiyuan.cases.models import CONSULTATION_SERVICE, CaseState
from weiyuan.cases.selectors import (
    CaseFilters,
    acceptance_checks,
    attach_next_due,
    case_get,
    case_list,
)
from weiyuan.cases.services import CaseInput, RightInput
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import (
    apply_service_errors,
    error_summary,
    paginate,
    refused,
)
from weiyuan.core.choices import Channel, IPType, Role
from weiyuan.core.punctuation import join_clauses, labelled
from weiyuan.network.models import Centre, FilingStatus
from weiyuan.network.selectors import RouteProposal, centre_route, region_search

# --- intake --------------------------------------------------------------------------------------------------


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
    # A consultation continues on its own form (/consultations/new/), not the general application form.
    consultation = proposals is not None and form.cleaned_data["service_type"].code == CONSULTATION_SERVICE
    return {
        "form": form,
        "proposals": proposals,
        "route_params": params,
        "bound": bound,
        "staff_mode": staff_mode,
        "consultation": consultation,
    }


def _route_page(request: HttpRequest, template: str) -> HttpResponse:
    reason = intake_refusal(request.user)
    if reason:
        return refused(request, reason, title=_("不能登记申请"))
    return render(request, template, _route_context(request))


@login_required
@require_GET
def intake_start(request: HttpRequest) -> HttpResponse:
    return _route_page(request, "cases/intake_start.html")


@login_required
@require_GET
def intake_route(request: HttpRequest) -> HttpResponse:
    """HTMX: the proposals for the current step-1 choices (the full page works the same without JavaScript)."""
    return _route_page(request, "cases/_proposals.html")


@login_required
@require_GET
def region_options(request: HttpRequest) -> HttpResponse:
    """HTMX: `<option>`s for the region code inputs' datalist, by code prefix or place name."""
    term = request.GET.get("q") or request.GET.get("region") or request.GET.get("applicant_region") or ""
    regions = region_search(q=term[:20], limit=20)
    return render(request, "cases/_region_options.html", {"regions": regions})


def consultation_ask_url(route: dict[str, Any]) -> str:
    """The consultation form with the step-1 choices carried over (region, IP type, centre)."""
    params = {"region": route["region"], "ip_type": route["ip_type"], "centre": route["centre"].code}
    return reverse("consultations:ask") + "?" + urlencode(params)


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
    code = (data.get("centre") or "").replace("\x00", "")  # PostgreSQL cannot look up a NUL character
    centre = Centre.objects.filter(code=code, filing_status=FilingStatus.APPROVED).first()
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
        "industry": cd.get("industry", ""),
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
        # NUL removed: the checks look codes up, and PostgreSQL cannot compare with a NUL character.
        return str(data.get(name, "") or "")[:20000].replace("\x00", "")

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
    reason = intake_refusal(user)
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
    if route["service_type"].code == CONSULTATION_SERVICE:
        # A consultation has its own form: topic and question, with similar published Q&A shown while typing.
        messages.info(request, _("咨询指导请填写咨询表单：写下您的问题，系统会同时列出相似的已发布问答。"))
        return redirect(consultation_ask_url(route))
    if staff_mode and route["centre"].pk not in _own_centre_ids(user):
        # Staff record calls and visits for their own centre; another centre's intake is that centre's to record.
        messages.warning(
            request,
            _("工作人员只能为本中心登记申请。%(centre)s的申请请由申请人自行提交，或转告该中心（电话 %(phone)s）。")
            % {"centre": route["centre"].display_name, "phone": route["centre"].phone or "12330"},
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
                    % {"items": join_clauses(labelled(c.label, c.detail) for c in blocking)},
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
                            % {"number": case.tracking_number, "centre": case.centre.display_name},
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
    reason = intake_refusal(user)
    if reason:
        return refused(request, reason, title=_("不能登记申请"))
    data = _input_from_post(user, request.POST, is_staff_member(user))
    checks = acceptance_checks(data, evidence_count=_evidence_count_from(request.POST))
    return render(request, "cases/_checks.html", {"checks": checks, "live": True})


# --- applicant pages -------------------------------------------------------------------------------------


@login_required
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    page = paginate(request, case_list(user=request.user, filters=CaseFilters(queue="applications")))
    attach_next_due(page.object_list)
    return render(request, "cases/my_cases.html", {"page": page, "now": timezone.now()})


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
