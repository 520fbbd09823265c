"""Pages of the organisations database 合作单位: the directory, an organisation's page, creating and editing it,
its service agreements and the accounts that act for it. Thin: parse, call one selector or service, render.
Webhook endpoints and the delivery log are in `webhook_views.py`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.partners import (
    PartnerPermission,
    database_decide,
    keeper_centre_ids,
    member_organisation_id,
    organisation_decide,
)
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary, refused
from weiyuan.core.pagination import CappedPaginator
from weiyuan.network.models import Centre, FilingStatus
from weiyuan.partners import selectors, services
from weiyuan.partners.forms import AgreementForm, MemberCreateForm, MemberLinkForm, OrganisationForm
from weiyuan.partners.models import OrganisationKind, OrganisationMember, ServiceAgreement

P = PartnerPermission
PAGE_SIZE = 25
RECENT_DELIVERIES = 10


def _staff_centres(user: Any, *also: int) -> Any:
    ids = keeper_centre_ids(user)
    qs = Centre.objects.exclude(filing_status=FilingStatus.REVOKED).order_by("path")
    if ids is None:
        return qs
    return qs.filter(pk__in={*ids, *also})


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    decision = database_decide(user, P.LIST)
    if not decision:
        # A partner account's way in is its own organisation.
        own = member_organisation_id(user)
        if own is not None:
            return redirect("partners:detail", pk=own)
        return refused(request, decision.reason, title=_("合作单位"))
    filters = selectors.OrganisationFilters.from_params(request.GET)
    page = CappedPaginator(selectors.organisation_list(user=user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "partners/list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": OrganisationKind.choices,
            "may_create": bool(database_decide(user, P.CREATE)),
        },
    )


@login_required
@require_GET
def own_organisation(request: HttpRequest) -> HttpResponse:
    """A partner account's own organisation (the nav link 本单位)."""
    own = member_organisation_id(request.user)
    if own is None:
        raise Http404
    return redirect("partners:detail", pk=own)


@login_required
@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = selectors.organisation_get(user=user, pk=pk)
    internals = bool(organisation_decide(user, P.VIEW_INTERNALS, org))
    context: dict[str, Any] = {
        "org": org,
        "agreements": selectors.agreements_of(org),
        "internals": internals,
        "may_edit": bool(organisation_decide(user, P.EDIT, org)),
        "may_manage_members": bool(organisation_decide(user, P.MANAGE_MEMBERS, org)),
        "may_manage_webhooks": bool(organisation_decide(user, P.MANAGE_WEBHOOKS, org)),
    }
    if internals:
        context["members"] = list(selectors.members_of(org))
        context["endpoints"] = list(selectors.endpoints_of(org))
        context["deliveries"] = list(selectors.deliveries_of(org)[:RECENT_DELIVERIES])
    return render(request, "partners/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    decision = database_decide(user, P.CREATE)
    if not decision:
        return refused(request, decision.reason, title=_("登记合作单位"))
    form = OrganisationForm(request.POST or None, keepers=_staff_centres(user))
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(
                actor=user, keeper=form.cleaned_data["keeper"], data=form.organisation_input()
            )
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("合作单位已登记。"))
            return redirect("partners:detail", pk=org.pk)
    return render(
        request,
        "partners/form.html",
        {"form": form, "org": None, "error_summary": error_summary(form) if form.is_bound else []},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = selectors.organisation_get(user=user, pk=pk)
    decision = organisation_decide(user, P.EDIT, org)
    if not decision:
        return refused(request, decision.reason, title=_("编辑合作单位"))
    form = OrganisationForm(request.POST or None, initial=OrganisationForm.initial_from(org))
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(actor=user, organisation=org, data=form.organisation_input())
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("合作单位信息已保存。"))
            return redirect("partners:detail", pk=org.pk)
    return render(
        request,
        "partners/form.html",
        {"form": form, "org": org, "error_summary": error_summary(form) if form.is_bound else []},
    )


@login_required
@require_POST
def organisation_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    org = selectors.organisation_get(user=user, pk=pk)
    if action not in ("activate", "deactivate"):
        raise Http404
    try:
        services.organisation_set_active(actor=user, organisation=org, active=action == "activate")
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status)
    messages.success(request, _("已恢复在用。") if action == "activate" else _("已停用该合作单位。"))
    return redirect("partners:detail", pk=org.pk)


# --- agreements ------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def agreement_form(request: HttpRequest, pk: int, agreement_pk: int | None = None) -> HttpResponse:
    user = request.user
    org = selectors.organisation_get(user=user, pk=pk)
    agreement = None
    if agreement_pk is not None:
        agreement = ServiceAgreement.objects.filter(pk=agreement_pk, organisation=org).first()
        if agreement is None:
            raise Http404
    decision = organisation_decide(user, P.EDIT, org)
    if not decision:
        return refused(request, decision.reason, title=_("合作协议"))
    extra = [org.keeper_id] + ([agreement.centre_id] if agreement else [])
    initial = AgreementForm.initial_from(agreement) if agreement else {"centre": org.keeper_id}
    form = AgreementForm(request.POST or None, centres=_staff_centres(user, *extra), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if agreement is None:
                services.agreement_create(actor=user, organisation=org, data=form.agreement_input())
            else:
                services.agreement_update(actor=user, agreement=agreement, data=form.agreement_input())
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("合作协议已保存。"))
            return redirect("partners:detail", pk=org.pk)
    return render(
        request,
        "partners/agreement_form.html",
        {
            "form": form,
            "org": org,
            "agreement": agreement,
            "error_summary": error_summary(form) if form.is_bound else [],
        },
    )


# --- accounts --------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Two forms on one page: a new account (its initial password shown once) or an existing account linked."""
    user = request.user
    org = selectors.organisation_get(user=user, pk=pk)
    decision = organisation_decide(user, P.MANAGE_MEMBERS, org)
    if not decision:
        return refused(request, decision.reason, title=_("添加账户"))
    mode = request.POST.get("mode") if request.method == "POST" else ""
    create_form = MemberCreateForm(request.POST if mode == "create" else None, prefix="new")
    link_form = MemberLinkForm(request.POST if mode == "link" else None, prefix="link")
    if mode == "create" and create_form.is_valid():
        d = create_form.cleaned_data
        try:
            member, password = services.member_create(
                actor=user, organisation=org, display_name=d["display_name"], email=d["email"], phone=d["phone"]
            )
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status)
        except ValidationError as exc:
            apply_service_errors(exc, create_form)
        else:
            # The initial password is rendered in this response only (never stored in clear, never redirected).
            response = render(
                request, "partners/member_created.html", {"org": org, "member": member, "password": password}
            )
            response["Cache-Control"] = "no-store"
            return response
    if mode == "link" and link_form.is_valid():
        try:
            services.member_link(actor=user, organisation=org, email=link_form.cleaned_data["email"])
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status)
        except ValidationError as exc:
            apply_service_errors(exc, link_form)
        else:
            messages.success(request, _("已关联该账户，它现在代表本单位。"))
            return redirect("partners:detail", pk=org.pk)
    summary = error_summary(create_form) if create_form.is_bound else []
    summary += error_summary(link_form) if link_form.is_bound else []
    return render(
        request,
        "partners/member_form.html",
        {"org": org, "create_form": create_form, "link_form": link_form, "error_summary": summary},
    )


@login_required
@require_POST
def member_status(request: HttpRequest, pk: int, member_pk: int, action: str) -> HttpResponse:
    user = request.user
    org = selectors.organisation_get(user=user, pk=pk)
    if not organisation_decide(user, P.VIEW_INTERNALS, org) or action not in ("activate", "deactivate"):
        raise Http404
    member = OrganisationMember.objects.select_related("user", "organisation").filter(pk=member_pk, organisation=org)
    row = member.first()
    if row is None:
        raise Http404
    try:
        services.member_set_active(actor=user, member=row, active=action == "activate")
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status)
    messages.success(
        request, _("账户已恢复。") if action == "activate" else _("账户已停用，其 API 令牌已撤销并已在各处退出登录。")
    )
    return redirect("partners:detail", pk=org.pk)
