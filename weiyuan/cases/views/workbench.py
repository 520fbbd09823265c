"""The staff workbench: queues, filters, search, pagination and bulk assignment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from weiyuan.access.policy import centre_ids_with_role, has_role
from weiyuan.cases import services
from weiyuan.cases.forms import (
    BulkAssignForm,
    WorkbenchFilterForm,
)
from weiyuan.cases.selectors import (
    CaseFilters,
    attach_next_due,
    available_queues,
    case_get,
    case_handler_choices,
    case_list,
)
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import (
    _field_label,
    _htmx_target,
    _is_htmx,
    paginate,
    refused,
)
from weiyuan.core.choices import Role
from weiyuan.core.punctuation import join_clauses, join_list, labelled

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
        if has_role(user, Role.EXPERT):
            return redirect(reverse("experts:tasks"))  # an expert's work is their tasks, not case lists
        return refused(request, _("工作台仅供援助机构工作人员、志愿者和监督人员使用。"), title=_("无法打开工作台"))
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
    page = paginate(request, case_list(user=user, filters=filters))
    attach_next_due(page.object_list)
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
                messages.error(request, labelled(_field_label(form, name), message))
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
            failed.append(labelled(number, exc.reason))
        except ValidationError as exc:
            failed.append(labelled(number, join_clauses(exc.messages)))
        else:
            done.append(number)
    if done:
        messages.success(
            request,
            _("已将 %(n)s 件案件分派给 %(handler)s：%(numbers)s")
            % {"n": len(done), "handler": handler, "numbers": join_list(done)},
        )
    if failed:
        messages.warning(request, _("%(n)s 件未能分派：%(items)s") % {"n": len(failed), "items": join_clauses(failed)})
    return redirect(next_url)
