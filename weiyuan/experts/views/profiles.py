"""Pages of the expert database: the list with filters, a profile, creating and editing (the expert's own edit
too), deactivating, the Excel import with its report, the template and the export."""

from __future__ import annotations

import io
import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.experts import (
    ExpertPermission,
    database_decide,
    expert_decide,
    keeper_centre_ids,
)
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary, refused
from weiyuan.core.pagination import CappedPaginator
from weiyuan.experts import selectors, services
from weiyuan.experts.exporting import XLSX_CONTENT_TYPE, expert_export, write_template
from weiyuan.experts.forms import ExpertForm, ImportForm, OwnProfileForm, StatusForm
from weiyuan.experts.importing import expert_import
from weiyuan.experts.models import Availability, Expert, ExpertField, Language, Qualification
from weiyuan.experts.services import availability_label
from weiyuan.network.models import Centre, FilingStatus

P = ExpertPermission
PAGE_SIZE = 25


def _apply_errors(exc: ValidationError, form: Any) -> None:
    """The services name the fields of expertise "fields"; the forms call them "expertise" (a form's `fields` is
    its own attribute)."""
    if hasattr(exc, "error_dict") and "fields" in exc.error_dict:
        exc.error_dict["expertise"] = exc.error_dict.pop("fields")
    apply_service_errors(exc, form)


def _keeper_centres(user: Any) -> Any:
    keepers = keeper_centre_ids(user)
    qs = Centre.objects.exclude(filing_status=FilingStatus.REVOKED).order_by("path")
    return qs if keepers is None else qs.filter(pk__in=keepers)


@login_required
@require_GET
def expert_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    decision = database_decide(user, P.LIST)
    if not decision:
        # An expert's way into the database is their own profile.
        own = Expert.objects.restrict(user).values_list("pk", flat=True).first()
        if own is not None:
            return redirect("experts:detail", pk=own)
        return refused(request, decision.reason, title=_("专家库"))
    filters, errors = selectors.parse_filters(request.GET)
    page = CappedPaginator(selectors.expert_list(user=user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "experts/list.html",
        {
            "page": page,
            "rows": [(e, availability_label(e)) for e in page.object_list],
            "filters": filters,
            "filter_errors": errors,
            "all_fields": ExpertField.objects.order_by("kind", "position", "code"),
            "languages": Language.choices,
            "qualifications": Qualification.choices,
            "availabilities": Availability.choices,
            "may_create": bool(database_decide(user, P.CREATE)),
            "may_import": bool(database_decide(user, P.IMPORT)),
            "may_export": bool(database_decide(user, P.EXPORT)),
        },
    )


@login_required
@require_GET
def expert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    expert = selectors.expert_get(user=user, pk=pk)
    return render(
        request,
        "experts/detail.html",
        {
            "expert": expert,
            "availability": availability_label(expert),
            "qualifications": [Qualification(q).label for q in expert.qualifications if q in Qualification.values],
            "languages": [Language(c).label for c in expert.languages if c in Language.values],
            "may_edit": bool(expert_decide(user, P.EDIT, expert)) or bool(expert_decide(user, P.EDIT_OWN, expert)),
            "may_deactivate": bool(expert_decide(user, P.DEACTIVATE, expert)),
            "status_form": StatusForm(initial={"version": expert.version}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def expert_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    decision = database_decide(user, P.CREATE)
    if not decision:
        return refused(request, decision.reason, title=_("新增专家"))
    form = ExpertForm(request.POST or None, centres=_keeper_centres(user), initial={"availability": "available"})
    if request.method == "POST" and form.is_valid():
        try:
            expert = services.expert_create(actor=user, centre=form.cleaned_data["centre"], data=form.expert_input())
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status)
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("专家已加入专家库。"))
            return redirect("experts:detail", pk=expert.pk)
    return render(
        request,
        "experts/form.html",
        {"form": form, "expert": None, "own": False, "error_summary": error_summary(form) if form.is_bound else []},
    )


@login_required
@require_http_methods(["GET", "POST"])
def expert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    expert = selectors.expert_get(user=user, pk=pk)
    full = bool(expert_decide(user, P.EDIT, expert))
    if not full:
        decision = expert_decide(user, P.EDIT_OWN, expert)
        if not decision:
            return refused(request, expert_decide(user, P.EDIT, expert).reason, title=_("编辑专家资料"))
    form: Any
    if full:
        form = ExpertForm(request.POST or None, initial=ExpertForm.initial_from(expert))
    else:
        form = OwnProfileForm(
            request.POST or None,
            initial={
                "availability": expert.availability,
                "busy_until": expert.busy_until,
                "expertise": [f.code for f in expert.fields.all()],
                "languages": expert.languages,
                "version": expert.version,
            },
        )
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            if full:
                services.expert_update(expert=expert, actor=user, data=form.expert_input(), expected_version=version)
            else:
                d = form.cleaned_data
                services.expert_update_own(
                    expert=expert,
                    actor=user,
                    availability=d["availability"],
                    busy_until=d.get("busy_until"),
                    field_codes=[f.code for f in d.get("expertise") or []],
                    languages=d.get("languages") or [],
                    expected_version=version,
                )
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, title=_("编辑专家资料"))
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("专家资料已保存。"))
            return redirect("experts:detail", pk=expert.pk)
    return render(
        request,
        "experts/form.html",
        {
            "form": form,
            "expert": expert,
            "own": not full,
            "error_summary": error_summary(form) if form.is_bound else [],
        },
    )


@login_required
@require_POST
def expert_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    expert = selectors.expert_get(user=user, pk=pk)
    form = StatusForm(request.POST)
    form.is_valid()
    version = form.cleaned_data.get("version")
    try:
        if action == "deactivate":
            services.expert_deactivate(
                expert=expert, actor=user, reason=form.cleaned_data.get("reason", ""), expected_version=version
            )
            messages.success(request, _("专家已停用，不再出现在匹配结果中。"))
        elif action == "reactivate":
            services.expert_reactivate(expert=expert, actor=user, expected_version=version)
            messages.success(request, _("专家已恢复在库。"))
        else:
            return refused(request, _("未知操作。"), 400)
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, title=_("停用专家"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("experts:detail", pk=expert.pk)


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    decision = database_decide(user, P.IMPORT)
    if not decision:
        return refused(request, decision.reason, title=_("导入专家"))
    form = ImportForm(request.POST or None, request.FILES or None, centres=_keeper_centres(user))
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = expert_import(
                actor=user,
                centre=form.cleaned_data["centre"],
                fileobj=upload,
                valid_only=form.cleaned_data["valid_only"],
            )
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, title=_("导入专家"))
        if report.saved:
            messages.success(
                request,
                _("导入完成：新增 %(created)s 位，更新 %(updated)s 位，跳过 %(skipped)s 行。")
                % {"created": report.created, "updated": report.updated, "skipped": report.rows_with_errors},
            )
    return render(
        request,
        "experts/import.html",
        {"form": form, "report": report, "error_summary": error_summary(form) if form.is_bound else []},
        status=200,
    )


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponseBase:
    decision = database_decide(request.user, P.IMPORT)
    if not decision:
        return refused(request, decision.reason, title=_("导入专家"))
    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename="专家导入模板.xlsx", content_type=XLSX_CONTENT_TYPE)


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    decision = database_decide(user, P.EXPORT)
    if not decision:
        return refused(request, decision.reason, title=_("导出专家"))
    filters, _errors = selectors.parse_filters(request.GET)
    # Written to a temporary file (openpyxl's write-only mode streams rows into it), then streamed to the client.
    spool = tempfile.TemporaryFile()
    expert_export(actor=user, filters=filters, fileobj=spool)
    spool.seek(0)
    name = f"专家库-{timezone.localdate():%Y%m%d}.xlsx"
    response = FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response
