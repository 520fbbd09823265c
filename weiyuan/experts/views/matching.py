"""The case's "匹配专家" page: the criteria (from the case, adjustable), the ranked candidates with their reasons,
the conflicted experts apart with their conflict, and the director's override of a conflict."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from weiyuan.access.expert_tasks import case_invite_decide
from weiyuan.access.experts import ExpertPermission, case_expert_decide
from weiyuan.cases.selectors import case_get
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import error_summary, refused
from weiyuan.experts import selectors, services
from weiyuan.experts.forms import CriteriaForm, OverrideForm
from weiyuan.experts.invitation_selectors import case_invitations
from weiyuan.experts.matching import case_parties, conflicts_of
from weiyuan.experts.models import ExpertConflictOverride, ExpertField, InvitationState, Language

P = ExpertPermission
PAGE_SIZE = 25


@login_required
@require_GET
def case_candidates(request: HttpRequest, tracking_number: str) -> HttpResponse:
    user = request.user
    case = case_get(user=user, tracking_number=tracking_number)
    decision = case_expert_decide(user, P.MATCH, case)
    if not decision:
        return refused(request, decision.reason, case=case, title=_("匹配专家"))
    form = CriteriaForm(request.GET if "given" in request.GET else None)
    criteria = form.criteria(case)
    result = selectors.expert_candidates(user=user, case=case, criteria=criteria)
    page = Paginator(result.ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    field_names = dict(ExpertField.objects.values_list("code", "name"))
    may_invite = bool(case_invite_decide(user, case))
    invitations = case_invitations(case=case) if may_invite else []
    open_invitations = {
        i.expert_id: i.get_state_display()
        for i in invitations
        if i.state in (InvitationState.PENDING, InvitationState.ACCEPTED)
    }
    if not form.is_bound:
        form = CriteriaForm(
            initial={
                "expertise": list(criteria.field_codes),
                "languages": list(criteria.languages),
                "region": criteria.region_code,
                "given": "1",
            }
        )
    return render(
        request,
        "experts/candidates.html",
        {
            "case": case,
            "form": form,
            "criteria": criteria,
            "criteria_fields": [field_names.get(c, c) for c in criteria.field_codes],
            "criteria_languages": [Language(c).label for c in criteria.languages if c in Language.values],
            "result": result,
            "page": page,
            "may_override": bool(case_expert_decide(user, P.CONFLICT_OVERRIDE, case)),
            "may_invite": may_invite,
            "invitations": invitations,
            "rows": [(c, open_invitations.get(c.expert.pk, "")) for c in page.object_list],
            "override_form": OverrideForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def conflict_override(request: HttpRequest, tracking_number: str, pk: int) -> HttpResponse:
    user = request.user
    case = case_get(user=user, tracking_number=tracking_number)
    decision = case_expert_decide(user, P.CONFLICT_OVERRIDE, case)
    if not decision:
        return refused(request, decision.reason, case=case, title=_("豁免利益冲突"))
    expert = selectors.expert_get(user=user, pk=pk)
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.expert_conflict_override(case=case, expert=expert, actor=user, reason=form.cleaned_data["reason"])
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, case=case, title=_("豁免利益冲突"))
        except ValidationError as exc:
            form.add_error("reason", exc.message_dict.get("reason", exc.messages))
        else:
            messages.success(
                request, _("已豁免 %(name)s 在本案中的利益冲突，理由已记入审计记录。") % {"name": expert.name}
            )
            return redirect("experts:case_candidates", tracking_number=case.tracking_number)
    return render(
        request,
        "experts/override.html",
        {
            "case": case,
            "expert": expert,
            "conflicts": conflicts_of(expert, case_parties(case)),
            "existing": ExpertConflictOverride.objects.filter(case=case, expert=expert).first(),
            "form": form,
            "error_summary": error_summary(form) if form.is_bound else [],
        },
    )
