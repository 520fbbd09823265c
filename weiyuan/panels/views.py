"""Pages of major-dispute work: the criteria and the major mark (on a case), the panel, its members, meetings,
views, the solution, the sign-off and the signed PDF, and the list of one's panels. Thin: parse, call one service
or selector, render; every permission comes from weiyuan/access/panels.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.panels import (
    MajorPermission,
    PanelPermission,
    case_major_decide,
    has_panel_list,
    panel_decide,
)
from weiyuan.cases.selectors import case_get
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary, paginate, refused
from weiyuan.evidence.views import content_disposition
from weiyuan.experts.matching import criteria_for_case, rank_candidates
from weiyuan.experts.models import Expert
from weiyuan.panels import designation as major
from weiyuan.panels import selectors, services
from weiyuan.panels.criteria import abroad_hint
from weiyuan.panels.flow import (
    GUARD_LABELS,
    TRANSITIONS,
    allowed_panel_actions,
    check_activity,
    check_panel_transition,
    open_activities,
)
from weiyuan.panels.forms import (
    MajorForm,
    MeetingForm,
    MeetingRecordForm,
    MemberAddForm,
    PanelCreateForm,
    ReasonForm,
    SolutionForm,
    ViewForm,
)
from weiyuan.panels.models import DesignationState, MeetingState, Panel, PanelState

M = MajorPermission
P = PanelPermission
CANDIDATES_SHOWN = 8
NEXT_STEP: dict[str, str] = {PanelState.FORMING: "convene", PanelState.SOLUTION_DRAFTED: "sign"}


# --- on the case: criteria, mark, panel ------------------------------------------------------------------------


def _major_page(request: HttpRequest, case: Any, form: MajorForm, evaluation: Any = None, status: int = 200) -> Any:
    user = request.user
    return render(
        request,
        "panels/major.html",
        {
            "case": case,
            "form": form,
            "evaluation": evaluation,
            "criteria": major.active_criteria(),
            "designations": selectors.designations(case=case),
            "open_designation": major.open_designation(case),
            "may_mark": bool(case_major_decide(user, M.MARK, case)),
            "may_confirm": bool(case_major_decide(user, M.CONFIRM, case)),
            "reason_form": ReasonForm(),
            "error_summary": error_summary(form) if form.is_bound else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def major_page(request: HttpRequest, tracking_number: str) -> HttpResponse:
    user = request.user
    case = case_get(user=user, tracking_number=tracking_number)
    decision = case_major_decide(user, M.EVALUATE, case)
    if not decision:
        return refused(request, decision.reason, case=case, title=_("重大案件认定"))
    if request.method == "GET":
        hint = abroad_hint(case.service_type.code, case.priority_group)
        return _major_page(request, case, MajorForm(initial={"party_abroad": hint}))
    decision = case_major_decide(user, M.MARK, case)
    if not decision:
        return refused(request, decision.reason, case=case, title=_("重大案件认定"))
    form = MajorForm(request.POST)
    if not form.is_valid():
        return _major_page(request, case, form, status=400)
    cd = form.cleaned_data
    try:
        facts = major.case_facts(
            case=case,
            amount=cd["amount"],
            party_abroad=cd["party_abroad"],
            abroad_note=cd["abroad_note"],
            industry_impact=cd["industry_impact"],
            industry_impact_reason=cd["industry_impact_reason"],
        )
        evaluation = major.major_evaluate(facts=facts)
        if "mark" not in request.POST:
            return _major_page(request, case, form, evaluation)
        designation = major.major_mark(case=case, actor=user, facts=facts, reason=cd["reason"])
    except ValidationError as exc:
        apply_service_errors(exc, form)
        return _major_page(request, case, form, status=400)
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, case=case, title=_("重大案件认定"))
    if designation.state == DesignationState.CONFIRMED:
        messages.success(request, _("已确认本案为重大案件。"))
    else:
        messages.success(request, _("已标记为重大案件，待中心负责人确认。"))
    return redirect("panels:major", tracking_number=case.tracking_number)


@login_required
@require_POST
def major_act(request: HttpRequest, tracking_number: str, action: str) -> HttpResponse:
    user = request.user
    case = case_get(user=user, tracking_number=tracking_number)
    title = _("重大案件认定")
    try:
        if action == "confirm":
            designation = major.open_designation(case)
            decision = case_major_decide(user, M.CONFIRM, case)
            if not decision:
                return refused(request, decision.reason, case=case, title=title)
            if designation is None:
                raise TransitionRefused(_("本案没有待确认的重大案件标记。"))
            major.major_confirm(designation=designation, actor=user)
            messages.success(request, _("已确认本案为重大案件。"))
        elif action == "unmark":
            major.major_unmark(case=case, actor=user, reason=request.POST.get("reason", ""))
            messages.success(request, _("已取消重大案件标记。"))
        else:
            return refused(request, _("未知操作：%(action)s") % {"action": action}, 400, case=case, title=title)
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, case=case, title=title)
    except ValidationError as exc:
        return refused(request, " ".join(exc.messages), 400, case=case, title=title)
    return redirect("panels:major", tracking_number=case.tracking_number)


@login_required
@require_POST
def panel_create(request: HttpRequest, tracking_number: str) -> HttpResponse:
    user = request.user
    case = case_get(user=user, tracking_number=tracking_number)
    decision = case_major_decide(user, M.PANEL_CREATE, case)
    if not decision:
        return refused(request, decision.reason, case=case, title=_("组建专家组"))
    form = PanelCreateForm(request.POST)
    task = form.data.get("task", "")
    try:
        panel = services.panel_create(case=case, actor=user, task=task)
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, case=case, title=_("组建专家组"))
    except ValidationError as exc:
        return refused(request, " ".join(exc.messages), 400, case=case, title=_("组建专家组"))
    messages.success(request, _("已创建专家组，请选定至少三名专家并指定组长。"))
    return redirect("panels:detail", pk=panel.pk)


# --- lists and the panel ---------------------------------------------------------------------------------------


@login_required
@require_GET
def panel_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_panel_list(user):
        return refused(request, _("专家组列表仅供援助机构的工作人员和专家查看。"), title=_("专家组"))
    page = paginate(request, selectors.panel_list(user=user))
    return render(request, "panels/list.html", {"page": page})


def _candidates(panel: Panel, seated: set[int]) -> dict[str, Any]:
    result = rank_candidates(case=panel.case, criteria=criteria_for_case(panel.case))
    ranked = [c for c in result.ranked if c.expert.pk not in seated][:CANDIDATES_SHOWN]
    excluded = [c for c in result.excluded if c.expert.pk not in seated][:CANDIDATES_SHOWN]
    return {"ranked": ranked, "excluded": excluded}


def _detail(request: HttpRequest, panel: Panel, *, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    members = selectors.panel_members(panel)
    activities = open_activities(panel, user)
    actions = allowed_panel_actions(panel, user)
    own = next((m for m in members if m.user_id == user.pk), None)
    # The guards of the next step forward (convene, sign), each met or not, for the staff and the chair.
    checks_for = next((t for t in TRANSITIONS if t.action == NEXT_STEP.get(panel.state)), None)
    sign_checks = []
    if checks_for is not None and panel_decide(user, P.MEETING, panel):
        sign_checks = [(GUARD_LABELS[g.__name__], g(panel, user)) for g in checks_for.guards]
    context = {
        "panel": panel,
        "case": panel.case,
        "members": members,
        "own_member": own,
        "meetings": selectors.panel_meetings(panel),
        "actions": [t for t in actions if t.action not in ("hold_meeting", "draft", "sign")],
        "action_names": {t.action for t in actions},
        "activities": activities,
        "sign_checks": sign_checks,
        "checks_for": checks_for,
        "may_download": bool(panel.pdf) and bool(panel_decide(user, P.DOWNLOAD, panel)),
        "may_case": bool(case_major_decide(user, M.EVALUATE, panel.case)),
        "member_form": extra.pop("member_form", None) or MemberAddForm(),
        "reason_form": ReasonForm(),
        "candidates": _candidates(panel, {m.expert_id for m in members}) if "members" in activities else None,
        "may_override": bool(panel_decide(user, P.CONFLICT_OVERRIDE, panel)),
    }
    context.update(extra)
    return render(request, "panels/detail.html", context, status=status)


@login_required
@require_GET
def panel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.panel_get(user=request.user, pk=pk))


def _refused(request: HttpRequest, exc: TransitionRefused, title: str) -> HttpResponse:
    if exc.status == 404:
        raise Http404("panel not found")
    return refused(request, exc.reason, exc.status, title=title)


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    panel = selectors.panel_get(user=user, pk=pk)
    title = _("调整专家组成员")
    try:
        check_activity(panel, "members", user)
    except TransitionRefused as exc:
        return _refused(request, exc, title)
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        return _detail(request, panel, member_form=form, member_errors=error_summary(form), status=400)
    expert = Expert.objects_unscoped.filter(pk=form.cleaned_data["expert"]).first()
    try:
        if expert is None:
            raise ValidationError(
                {"expert": _("专家库中没有编号为 %(n)s 的专家。") % {"n": form.cleaned_data["expert"]}}
            )
        services.panel_member_add(
            panel=panel,
            actor=user,
            expert=expert,
            chair=form.cleaned_data["chair"],
            override_reason=form.cleaned_data["override_reason"],
        )
    except TransitionRefused as exc:
        return _refused(request, exc, title)
    except ValidationError as exc:
        apply_service_errors(exc, form)
        return _detail(request, panel, member_form=form, member_errors=error_summary(form), status=400)
    messages.success(request, _("已将 %(name)s 加入专家组。") % {"name": expert.name})
    return redirect("panels:detail", pk=panel.pk)


@login_required
@require_POST
def member_act(request: HttpRequest, pk: int, member_pk: int, action: str) -> HttpResponse:
    user = request.user
    panel = selectors.panel_get(user=user, pk=pk)
    member = selectors.member_get(panel=panel, pk=member_pk)
    try:
        if action == "remove":
            services.panel_member_remove(member=member, actor=user)
            messages.success(request, _("已将 %(name)s 移出专家组。") % {"name": member.expert.name})
        elif action == "chair":
            services.panel_chair_set(member=member, actor=user)
            messages.success(request, _("已指定 %(name)s 担任组长。") % {"name": member.expert.name})
        else:
            return refused(request, _("未知操作：%(action)s") % {"action": action}, 400)
    except TransitionRefused as exc:
        return _refused(request, exc, _("调整专家组成员"))
    return redirect("panels:detail", pk=panel.pk)


@login_required
@require_POST
def panel_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    panel = selectors.panel_get(user=user, pk=pk)
    title = _("专家组")
    try:
        if action == "convene":
            services.panel_convene(panel=panel, actor=user)
            messages.success(request, _("专家组已组成，已通知有账户的成员。"))
        elif action in ("cancel", "dissolve"):
            services.panel_close(panel=panel, actor=user, action=action, reason=request.POST.get("reason", ""))
            messages.success(request, _("专家组已结束。"))
        else:
            return refused(request, _("未知操作：%(action)s") % {"action": action}, 400)
    except TransitionRefused as exc:
        return _refused(request, exc, title)
    except ValidationError as exc:
        form = ReasonForm(request.POST)
        apply_service_errors(exc, form)
        return _detail(request, panel, reason_errors=error_summary(form), status=400)
    return redirect("panels:detail", pk=panel.pk)


# --- meetings, views, solution ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    panel = selectors.panel_get(user=user, pk=pk)
    title = _("安排会商")
    try:
        check_activity(panel, "schedule", user)
    except TransitionRefused as exc:
        return _refused(request, exc, title)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.meeting_schedule(
                panel=panel,
                actor=user,
                scheduled_at=cd["scheduled_at"],
                place=cd["place"],
                online_link=cd["online_link"],
                agenda=cd["agenda"],
            )
        except TransitionRefused as exc:
            return _refused(request, exc, title)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("已安排会商，并通知有账户的成员。"))
            return redirect("panels:detail", pk=panel.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "panels/meeting_form.html",
        {"panel": panel, "form": form, "error_summary": error_summary(form) if form.is_bound else []},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_page(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    user = request.user
    panel = selectors.panel_get(user=user, pk=pk)
    meeting = selectors.meeting_get(panel=panel, pk=meeting_pk)
    members = selectors.panel_members(panel)
    try:
        check_panel_transition(panel, "hold_meeting", user)
        may_record = meeting.state != MeetingState.CANCELLED
    except TransitionRefused as exc:
        may_record = False
        if request.method == "POST":
            return _refused(request, exc, _("记录会商"))
    attendance = {a.member_id: a for a in meeting.attendance.all()}
    initial: dict[str, Any] = {"minutes": meeting.minutes}
    initial.update({f"attendance_{m}": a.status for m, a in attendance.items()})
    form = MeetingRecordForm(request.POST or None, initial=initial, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_record(
                meeting=meeting, actor=user, attendance=form.attendance(), minutes=form.cleaned_data["minutes"]
            )
        except TransitionRefused as exc:
            return _refused(request, exc, _("记录会商"))
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("已记录会商的出席情况和会议纪要。"))
            return redirect("panels:meeting", pk=panel.pk, meeting_pk=meeting.pk)
    return render(
        request,
        "panels/meeting.html",
        {
            "panel": panel,
            "meeting": meeting,
            "rows": [(m, attendance.get(m.pk)) for m in members],
            "form": form if may_record else None,
            "error_summary": error_summary(form) if form.is_bound else [],
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def view_page(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = request.user
    panel = selectors.panel_get(user=user, pk=pk)
    member = selectors.member_get(panel=panel, pk=member_pk)
    own = member.user_id is not None and member.user_id == user.pk
    title = _("专家意见")
    try:
        check_activity(panel, "view_own" if own else "view_record", user)
    except TransitionRefused as exc:
        if request.method == "POST" or exc.status == 404:
            return _refused(request, exc, title)
        may_write = False
    else:
        may_write = True
    existing = getattr(member, "view", None)
    form = ViewForm(request.POST or None, initial={"text": existing.text if existing else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.view_write(member=member, actor=user, text=form.cleaned_data["text"])
        except TransitionRefused as exc:
            return _refused(request, exc, title)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("已保存专家意见。"))
            return redirect("panels:detail", pk=panel.pk)
    return render(
        request,
        "panels/view.html",
        {
            "panel": panel,
            "member": member,
            "own": own,
            "existing": existing,
            "form": form if may_write else None,
            "error_summary": error_summary(form) if form.is_bound else [],
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def solution_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    panel = selectors.panel_get(user=user, pk=pk)
    title = _("解决方案")
    try:
        check_panel_transition(panel, "draft", user)
    except TransitionRefused as exc:
        if request.method == "POST":
            return _refused(request, exc, title)
        may_draft = False
    else:
        may_draft = True
    initial = {name: getattr(panel, name) for name in SolutionForm.base_fields}
    form = SolutionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.solution_draft(
                panel=panel,
                actor=user,
                facts=form.cleaned_data["solution_facts"],
                issues=form.cleaned_data["solution_issues"],
                solution=form.cleaned_data["solution_text"],
                recommendations=form.cleaned_data["solution_recommendations"],
            )
        except TransitionRefused as exc:
            return _refused(request, exc, title)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("已保存解决方案草稿。"))
            return redirect("panels:detail", pk=panel.pk)
    return render(
        request,
        "panels/solution.html",
        {
            "panel": panel,
            "form": form if may_draft else None,
            "error_summary": error_summary(form) if form.is_bound else [],
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    panel = selectors.panel_get(user=user, pk=pk)
    try:
        services.solution_sign(panel=panel, actor=user)
    except TransitionRefused as exc:
        return _refused(request, exc, _("签发解决方案"))
    messages.success(request, _("解决方案已签发，PDF 已生成。"))
    return redirect("panels:detail", pk=panel.pk)


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request.user
    panel = selectors.panel_get_for_download(user=user, pk=pk)
    decision = panel_decide(user, P.DOWNLOAD, panel)
    if not decision:
        if not panel_decide(user, P.VIEW, panel):
            raise Http404("panel not found")
        return refused(request, decision.reason, 409 if not panel.pdf else 403, title=_("下载解决方案"))
    services.solution_record_download(panel=panel, user=user)
    response = FileResponse(panel.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{panel.number}.pdf")
    response["Content-Length"] = str(panel.pdf_size or panel.pdf.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
