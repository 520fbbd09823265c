"""Network pages: the public directory, a centre's page (profile, children, filing), the filing queue of the parent
level, the region autocomplete and the routing partial used by the intake form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.policy import can_manage_centre
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import IPType
from weiyuan.network.forms import (
    CentreProfileForm,
    DirectoryFilterForm,
    FilingActionForm,
    RouteForm,
    service_type_choices,
)
from weiyuan.network.models import Centre, FilingStatus
from weiyuan.network.selectors import (
    FILING_QUEUE_STATUSES,
    centre_children,
    centre_directory,
    centre_get,
    centre_route,
    filing_history,
    filing_history_visible,
    filing_queue,
    filing_queue_allowed,
    filings_by_id,
    region_search,
)
from weiyuan.network.services import centre_update_profile, filing_allowed_actions, filing_transition

PAGE_SIZE = 25

ROUTE_LEVEL_LABELS = {
    "county": gettext_lazy("区县级"),
    "city": gettext_lazy("地市级"),
    "province": gettext_lazy("省级"),
    "national": gettext_lazy("国家级"),
}


def _page(request: HttpRequest, items: Any, param: str = "page") -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get(param))


def _labels(centre: Centre, service_names: dict[str, str]) -> dict[str, list[str]]:
    ip_names = dict(IPType.choices)
    return {
        "ip_types": [str(ip_names.get(c, c)) for c in centre.ip_types],
        "service_types": [service_names.get(c, c) for c in centre.service_types],
    }


def refused(request: HttpRequest, reason: str, status: int, back: str = "") -> HttpResponse:
    """An action the user may not take (403), in the wrong state (409) or unknown (400), with its reason."""
    return render(request, "network/refused.html", {"reason": reason, "back": back}, status=status)


def _safe_next(request: HttpRequest, value: str, default: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=False):
        return value
    return default


# --- the public directory --------------------------------------------------------------------------------------


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    services = service_type_choices()
    service_names = dict(services)
    form = DirectoryFilterForm(request.GET or None, service_types=services)
    centres: Any = Centre.objects.none()
    if not request.GET:
        centres = centre_directory()
    elif form.is_valid():
        data = form.cleaned_data
        centres = centre_directory(
            region_code=data["region"],
            ip_type=data["ip_type"],
            service_type=data["service_type"],
            kind=data["kind"],
            q=data["q"],
        )
    page = _page(request, centres)
    rows = [{"centre": c, **_labels(c, service_names)} for c in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "network/directory.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "region": form.resolved_region,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
def regions(request: HttpRequest) -> HttpResponse:
    """Autocomplete options (a <datalist> body) for region inputs: by code prefix or by name."""
    q = request.GET.get("region") or request.GET.get("q") or ""
    return render(request, "network/_region_options.html", {"regions": region_search(q=q[:60], limit=20)})


# --- routing ----------------------------------------------------------------------------------------------------


@require_GET
def route(request: HttpRequest) -> HttpResponse:
    """Proposals for region + IP type + service type, nearest level first, as radio buttons named `centre`.

    Always answers 200 with a partial so HTMX swaps the message in; `data-route-status` tells callers the outcome.
    """
    form = RouteForm(request.GET, service_types=service_type_choices())
    proposals: list[dict[str, Any]] = []
    status = "invalid"
    if form.is_valid():
        data = form.cleaned_data
        found = centre_route(region_code=data["region"], ip_type=data["ip_type"], service_type=data["service_type"])
        proposals = [{"centre": p.centre, "level": p.level, "level_label": ROUTE_LEVEL_LABELS[p.level]} for p in found]
        status = "ok" if proposals else "none"
    return render(
        request,
        "network/_route.html",
        {"form": form, "proposals": proposals, "status": status, "region": form.resolved_region},
    )


# --- a centre's page --------------------------------------------------------------------------------------------


def _centre_context(
    request: HttpRequest,
    centre: Centre,
    *,
    profile_form: CentreProfileForm | None = None,
    filing_form: FilingActionForm | None = None,
) -> dict[str, Any]:
    user = request.user
    services = service_type_choices(active_only=False)
    service_names = dict(services)
    may_edit = can_manage_centre(user, centre) or bool(getattr(user, "is_superuser", False))
    if may_edit and profile_form is None:
        profile_form = CentreProfileForm(
            initial=CentreProfileForm.initial_for(centre), service_types=service_type_choices()
        )
    history_page = _page(request, filing_history(user=user, centre=centre), "fpage")
    return {
        "centre": centre,
        "labels": _labels(centre, service_names),
        "children": centre_children(centre=centre)[:200],
        "may_edit": may_edit,
        "profile_form": profile_form if may_edit else None,
        "filing_actions": filing_allowed_actions(actor=user, centre=centre),
        "filing_form": filing_form or FilingActionForm(),
        "show_history": filing_history_visible(user, centre),
        "history": history_page,
        "latest_filing": centre.filings.order_by("-id").first() if filing_history_visible(user, centre) else None,
    }


@require_GET
def centre_detail(request: HttpRequest, code: str) -> HttpResponse:
    centre = centre_get(user=request.user, code=code)
    return render(request, "network/centre_detail.html", _centre_context(request, centre))


@login_required
@require_http_methods(["GET", "POST"])
def centre_edit(request: HttpRequest, code: str) -> HttpResponse:
    centre = centre_get(user=request.user, code=code)
    back = reverse("network:centre", args=[centre.code])
    if not (can_manage_centre(request.user, centre) or request.user.is_superuser):
        return refused(request, _("只有本机构负责人可以修改机构信息。"), 403, back)
    if request.method == "GET":
        return redirect(f"{back}#profile")
    form = CentreProfileForm(request.POST, service_types=service_type_choices())
    if form.is_valid():
        try:
            centre_update_profile(actor=request.user, centre=centre, **form.cleaned_data)
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, back)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("机构信息已保存。"))
            return redirect(back)
    centre.refresh_from_db()
    return render(
        request, "network/centre_detail.html", _centre_context(request, centre, profile_form=form), status=400
    )


def _add_errors(form: Any, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = rename.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- filing -----------------------------------------------------------------------------------------------------


@login_required
@require_POST
def filing_action(request: HttpRequest, code: str) -> HttpResponse:
    centre = centre_get(user=request.user, code=code)
    back = reverse("network:centre", args=[centre.code])
    form = FilingActionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            filing_transition(actor=request.user, centre=centre, action=data["action"], text=data["text"])
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, back)
        except ValidationError as exc:
            _add_errors(form, exc, rename={"reason": "text"})
        else:
            centre.refresh_from_db()
            messages.success(
                request,
                _("「%(c)s」的备案状态已变为「%(s)s」。")
                % {"c": centre.display_name, "s": centre.get_filing_status_display()},
            )
            return redirect(_safe_next(request, data.get("next", ""), back))
    return render(
        request,
        "network/filing_action.html",
        {"centre": centre, "form": form, "back": back},
        status=400,
    )


@login_required
@require_GET
def filings(request: HttpRequest) -> HttpResponse:
    """The parent level's queue: child centres' filings by status (submitted first), each with its allowed actions."""
    if not filing_queue_allowed(request.user):
        return refused(request, _("备案由上级机构负责人审核；您不是任何机构的负责人。"), 403)
    status = request.GET.get("status", FilingStatus.SUBMITTED)
    if status not in FILING_QUEUE_STATUSES:
        status = FilingStatus.SUBMITTED
    page = _page(request, filing_queue(user=request.user, status=status))
    latest = filings_by_id([c.latest_filing_id for c in page.object_list])
    rows = [
        {
            "centre": c,
            "filing": latest.get(c.latest_filing_id),
            "actions": filing_allowed_actions(actor=request.user, centre=c),
        }
        for c in page.object_list
    ]
    tabs = [(s, FilingStatus(s).label) for s in FILING_QUEUE_STATUSES]
    return render(
        request,
        "network/filings.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "tabs": tabs,
            "here": request.get_full_path(),
            "form": FilingActionForm(),
        },
    )
