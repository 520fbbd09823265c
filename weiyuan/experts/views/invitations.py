"""Expert invitations: staff invite a candidate from the case's matching page and may withdraw; the invited expert
sees their invitations, signs the confidentiality undertaking, then accepts or declines."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.expert_tasks import (
    InvitationPermission,
    case_invite_decide,
    has_invitation_queue,
    invitation_decide,
)
from weiyuan.cases.selectors import case_get
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary, paginate, refused
from weiyuan.experts import invitations as services
from weiyuan.experts import selectors
from weiyuan.experts.invitation_flow import allowed_invitation_actions
from weiyuan.experts.invitation_forms import InviteForm, ReasonForm, UndertakingForm
from weiyuan.experts.invitation_selectors import invitation_get, invitation_queue
from weiyuan.experts.matching import case_parties, conflicts_of
from weiyuan.experts.models import ExpertConflictOverride, ExpertInvitation, InvitationState

P = InvitationPermission


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, tracking_number: str, pk: int) -> HttpResponse:
    user = request.user
    case = case_get(user=user, tracking_number=tracking_number)
    decision = case_invite_decide(user, case)
    if not decision:
        return refused(request, decision.reason, case=case, title=_("邀请专家"))
    expert = selectors.expert_get(user=user, pk=pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                case=case,
                expert=expert,
                actor=user,
                task=form.cleaned_data["task"],
                response_days=form.cleaned_data["response_days"],
            )
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, case=case, title=_("邀请专家"))
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("已向 %(name)s 发出邀请。") % {"name": expert.name})
            return redirect("experts:case_candidates", tracking_number=case.tracking_number)
    conflicts = conflicts_of(expert, case_parties(case))
    return render(
        request,
        "experts/invite.html",
        {
            "case": case,
            "expert": expert,
            "conflicts": conflicts,
            "overridden": bool(conflicts) and ExpertConflictOverride.objects.filter(case=case, expert=expert).exists(),
            "form": form,
            "error_summary": error_summary(form) if form.is_bound else [],
        },
    )


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_invitation_queue(user):
        return refused(request, _("专家邀请仅供具有专家角色的账户查看。"), title=_("专家邀请"))
    page = paginate(request, invitation_queue(user=user))
    return render(request, "experts/invitations.html", {"page": page})


def _detail(request: HttpRequest, invitation: ExpertInvitation, *, status: int = 200, **extra: object) -> HttpResponse:
    user = request.user
    invitee = bool(invitation_decide(user, P.UNDERTAKE, invitation))
    pending = invitation.state == InvitationState.PENDING
    text = None
    undertaking = getattr(invitation, "undertaking", None)
    if invitee and pending and undertaking is None:
        text = services.current_undertaking_text()
    context = {
        "invitation": invitation,
        "case": invitation.case,
        "undertaking": undertaking,
        "undertaking_text": text,
        "undertaking_form": UndertakingForm(initial={"version": text.version}) if text else None,
        "actions": {t.action for t in allowed_invitation_actions(invitation, user)},
        "may_decline": invitee and pending,
        "may_withdraw": pending and bool(invitation_decide(user, P.WITHDRAW, invitation)),
        "reason_form": ReasonForm(),
    }
    context.update(extra)
    return render(request, "experts/invitation.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, invitation_get(user=request.user, pk=pk))


@login_required
@require_POST
def undertake(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = invitation_get(user=request.user, pk=pk)
    decision = invitation_decide(request.user, P.UNDERTAKE, invitation)
    if not decision:
        return refused(request, decision.reason, title=_("保密承诺"))
    form = UndertakingForm(request.POST)
    if not form.is_valid():
        return _detail(request, invitation, undertaking_errors=error_summary(form), status=400)
    try:
        services.invitation_undertake(invitation=invitation, actor=request.user, version=form.cleaned_data["version"])
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, title=_("保密承诺"))
    messages.success(request, _("已签署保密承诺，现在可以接受邀请。"))
    return redirect("experts:invitation", pk=invitation.pk)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    invitation = invitation_get(user=request.user, pk=pk)
    user = request.user
    form = ReasonForm(request.POST)
    try:
        if action == "accept":
            services.invitation_accept(invitation=invitation, actor=user)
            messages.success(request, _("已接受邀请，任务已开启。"))
        elif action in ("decline", "withdraw"):
            service = services.invitation_decline if action == "decline" else services.invitation_withdraw
            service(invitation=invitation, actor=user, reason=form.data.get("reason", ""))
            messages.success(request, _("已谢绝邀请。") if action == "decline" else _("已撤回邀请。"))
        else:
            return refused(request, _("未知操作：%(action)s") % {"action": action}, 400)
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, title=pgettext("one invitation", "专家邀请"))
    except ValidationError as exc:
        apply_service_errors(exc, form)
        return _detail(request, invitation, reason_form=form, reason_errors=error_summary(form), status=400)
    return redirect("experts:invitation", pk=invitation.pk)
