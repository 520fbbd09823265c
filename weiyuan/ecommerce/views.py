"""E-commerce pages: the rights holder's and the centre's notices (draft, listings pasted or imported, files, the
completeness check, sending), the platform's inbox, one notice with its listings, one listing with its clock and
actions, and the audited download of files. The public notice of Art. 44: `public_views.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.ecommerce import (
    EcommercePermission,
    has_notice_list,
    has_platform_inbox,
    notice_create_refusal,
    notice_decide,
)
from weiyuan.cases.models import Case
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary, paginate, refused
from weiyuan.ecommerce import listing_services, selectors, services
from weiyuan.ecommerce import listings as listing_rows
from weiyuan.ecommerce.checks import notice_problems
from weiyuan.ecommerce.flow import TRANSITIONS_BY_ACTION, allowed_listing_actions
from weiyuan.ecommerce.forms import (
    ACTION_FORMS,
    DocumentsForm,
    ListingsForm,
    ManyMeasuresForm,
    NoticeForm,
    WrongNoticeForm,
)
from weiyuan.ecommerce.models import Listing, ListingState, Notice, NoticeState
from weiyuan.evidence.views import file_response
from weiyuan.network.models import Centre, FilingStatus
from weiyuan.partners.models import Organisation, OrganisationKind

P = EcommercePermission
TITLE = gettext_lazy("电商侵权通知")


def _platforms() -> Any:
    return Organisation.objects.filter(kind=OrganisationKind.ECOMMERCE_PLATFORM, active=True).order_by("name")


def _centres() -> Any:
    return Centre.objects.filter(filing_status=FilingStatus.APPROVED).order_by("path")


def _own_case(user: Any, number: str) -> Case | None:
    """The case named by its tracking number, if the user may see it (the service checks it is the user's own)."""
    number = (number or "").strip()
    if not number:
        return None
    case = Case.objects.restrict(user).filter(tracking_number=number).first()
    if case is None:
        raise ValidationError({"case": _("找不到编号为「%(number)s」的案件。") % {"number": number}})
    return case


def _refusal(request: HttpRequest, exc: TransitionRefused) -> HttpResponse:
    return refused(request, exc.reason, exc.status, title=str(TITLE))


def _denied(request: HttpRequest, notice: Notice, permission: EcommercePermission) -> HttpResponse | None:
    """The refusal page (403 with the reason) when the user sees the notice but may not do this; else None.
    Checked before the input, so someone who may not act learns that first."""
    decision = notice_decide(request.user, permission, notice)
    return None if decision else refused(request, decision.reason, title=str(TITLE))


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if has_platform_inbox(user):
        return redirect("ecommerce:inbox")
    if not has_notice_list(user):
        return refused(request, _("电商侵权通知列表仅供权利人、援助机构工作人员和监督人员查看。"), title=str(TITLE))
    filters = selectors.NoticeFilters.from_params(request.GET)
    page = paginate(request, selectors.notice_list(user=user, filters=filters))
    return render(
        request,
        "ecommerce/list.html",
        {"page": page, "filters": filters, "may_create": not notice_create_refusal(user)},
    )


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_platform_inbox(user):
        return refused(request, _("通知收件箱仅供代表电子商务平台的账户使用。"), title=_("通知收件箱"))
    filters = selectors.NoticeFilters.from_params(request.GET)
    page = paginate(request, selectors.platform_inbox(user=user, filters=filters))
    return render(request, "ecommerce/inbox.html", {"page": page, "filters": filters})


@login_required
@require_http_methods(["GET", "POST"])
def notice_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    refusal = notice_create_refusal(user)
    if refusal:
        return refused(request, refusal, title=str(TITLE))
    form = NoticeForm(request.POST or None, centres=_centres(), platforms=_platforms())
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_create(
                actor=user,
                centre=form.cleaned_data["centre"],
                platform=form.cleaned_data["platform"],
                data=form.notice_input(),
                case=_own_case(user, form.cleaned_data["case"]),
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("通知草稿已保存：请添加链接、权利证书和侵权初步证据，然后发送。"))
            return redirect("ecommerce:detail", pk=notice.pk)
    return render(
        request,
        "ecommerce/form.html",
        {"form": form, "error_summary": error_summary(form) if form.is_bound else [], "notice": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    notice = selectors.notice_get(user=user, pk=pk)
    denied = _denied(request, notice, P.EDIT)
    if denied:
        return denied
    if notice.state != NoticeState.DRAFT:
        return refused(request, _("通知已发送，不能再修改；如需补充，请另发一份通知。"), 409, title=str(TITLE))
    initial = {f: getattr(notice, f) for f in NoticeForm.base_fields if f not in ("centre", "case")}
    form = NoticeForm(
        request.POST or None, initial=initial, centres=_centres(), platforms=_platforms(), with_centre=False
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_update(
                notice=notice, actor=user, data=form.notice_input(), platform=form.cleaned_data["platform"]
            )
        except TransitionRefused as exc:
            return _refusal(request, exc)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("通知已保存。"))
            return redirect("ecommerce:detail", pk=notice.pk)
    return render(
        request,
        "ecommerce/form.html",
        {"form": form, "error_summary": error_summary(form) if form.is_bound else [], "notice": notice},
        status=400 if form.is_bound and form.errors else 200,
    )


def _detail(request: HttpRequest, notice: Notice, *, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    state = request.GET.get("state", "")
    page = paginate(request, selectors.notice_listings(notice=notice, state=state))
    now = timezone.now()
    rows = []
    for listing in page.object_list:
        listing.notice = notice  # one notice for every row's access check: no query per row
        rows.append((listing, {t.action for t in allowed_listing_actions(listing, user, now=now)}))
    draft = notice.state == NoticeState.DRAFT
    may_edit = draft and bool(notice_decide(user, P.EDIT, notice))
    context: dict[str, Any] = {
        "notice": notice,
        "page": page,
        "rows": rows,
        "state": state,
        "states": ListingState.choices,
        "documents": selectors.notice_documents(notice=notice),
        "may_edit": may_edit,
        "may_send": draft and bool(notice_decide(user, P.SEND, notice)),
        "may_download": bool(notice_decide(user, P.DOWNLOAD, notice)),
        "may_handle": not draft and bool(notice_decide(user, P.HANDLE, notice)),
        "may_record_wrong": not draft and bool(notice_decide(user, P.RECORD_WRONG, notice)),
        "problems": notice_problems(notice) if may_edit else [],
        "wrong_records": list(notice.wrong_records.all()) if not draft else [],
        "listings_form": ListingsForm(),
        "documents_form": DocumentsForm(),
        "measures_form": ManyMeasuresForm(),
        "wrong_form": WrongNoticeForm(),
    }
    context.update(extra)
    return render(request, "ecommerce/detail.html", context, status=status)


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.notice_get(user=request.user, pk=pk))


def _form_error(request: HttpRequest, notice: Notice, name: str, form: Any, exc: ValidationError) -> HttpResponse:
    apply_service_errors(exc, form)
    if not form.errors:  # an error the form has no field for (e.g. per row of the listings)
        form.add_error(None, exc.messages)
    return _detail(request, notice, status=400, **{name: form, f"{name}_errors": error_summary(form)})


def _notice_post(
    request: HttpRequest,
    pk: int,
    permission: EcommercePermission,
    act: Callable[[Notice, Any, dict[str, Any]], str],
    *,
    form: Any = None,
    form_name: str = "",
    strict: bool = False,
) -> HttpResponse:
    """One action on a notice from its page: access (404 unseen, 403 refused), the form (`strict`: its own errors
    answer 400 before the service runs; otherwise the service names the fields), the service call `act`, which
    returns the success message, then back to the notice."""
    user = request.user
    notice = selectors.notice_get(user=user, pk=pk)
    denied = _denied(request, notice, permission)
    if denied:
        return denied
    data: dict[str, Any] = {}
    if form is not None:
        if not form.is_valid() and strict:
            return _detail(request, notice, status=400, **{form_name: form, f"{form_name}_errors": error_summary(form)})
        data = form.cleaned_data
    try:
        message = act(notice, user, data)
    except TransitionRefused as exc:
        return _refusal(request, exc)
    except ValidationError as exc:
        if form is None:
            raise
        return _form_error(request, notice, form_name, form, exc)
    messages.success(request, message)
    return redirect("ecommerce:detail", pk=notice.pk)


def _add_listings(notice: Notice, user: Any, data: dict[str, Any]) -> str:
    upload = data.get("file")
    if upload is not None:
        parsed = listing_rows.parse_upload(upload.name or "", upload.read())
    else:
        parsed = listing_rows.parse_text(data.get("text", ""))
    added = services.notice_listings_add(notice=notice, actor=user, parsed=parsed)
    return _("已添加 %(n)s 条链接。") % {"n": len(added)}


@login_required
@require_POST
def listings_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = ListingsForm(request.POST, request.FILES)
    return _notice_post(request, pk, P.EDIT, _add_listings, form=form, form_name="listings_form")


def _add_documents(notice: Notice, user: Any, data: dict[str, Any]) -> str:
    services.notice_documents_add(notice=notice, actor=user, kind=data["kind"], uploads=data["files"])
    return _("文件已上传。")


@login_required
@require_POST
def documents_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = DocumentsForm(request.POST, request.FILES)
    return _notice_post(request, pk, P.EDIT, _add_documents, form=form, form_name="documents_form", strict=True)


def _send(notice: Notice, user: Any, data: dict[str, Any]) -> str:
    services.notice_send(notice=notice, actor=user)
    return _("通知已发送至%(platform)s。") % {"platform": notice.platform.display_name}


@login_required
@require_POST
def notice_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _notice_post(request, pk, P.SEND, _send)


def _measures(notice: Notice, user: Any, data: dict[str, Any]) -> str:
    done = listing_services.measures_record_many(
        notice=notice, actor=user, positions=data.get("positions") or [], measures=data.get("measures") or []
    )
    return _("已对 %(n)s 条链接采取措施。") % {"n": len(done)}


@login_required
@require_POST
def measures_many(request: HttpRequest, pk: int) -> HttpResponse:
    form = ManyMeasuresForm(request.POST)
    return _notice_post(request, pk, P.HANDLE, _measures, form=form, form_name="measures_form")


def _wrong(notice: Notice, user: Any, data: dict[str, Any]) -> str:
    services.wrong_notice_record(notice=notice, actor=user, **data)
    return _("已登记错误通知。")


@login_required
@require_POST
def wrong_notice(request: HttpRequest, pk: int) -> HttpResponse:
    form = WrongNoticeForm(request.POST, request.FILES)
    return _notice_post(request, pk, P.RECORD_WRONG, _wrong, form=form, form_name="wrong_form", strict=True)


@login_required
@require_GET
def notice_file(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponseBase:
    user = request.user
    notice = selectors.notice_get(user=user, pk=pk)
    decision = notice_decide(user, P.DOWNLOAD, notice)
    if not decision:
        return refused(request, decision.reason, title=_("不能下载该文件"))
    evidence = selectors.notice_file_get(notice=notice, evidence_id=evidence_id)
    services.notice_file_download_record(notice=notice, evidence=evidence, user=user)
    return file_response(evidence)


# --- one listing ----------------------------------------------------------------------------------------------


def _listing_page(request: HttpRequest, listing: Listing, *, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    notice = listing.notice
    actions = {t.action for t in allowed_listing_actions(listing, user)}
    may_download = bool(notice_decide(user, P.DOWNLOAD, notice))
    context: dict[str, Any] = {
        "listing": listing,
        "notice": notice,
        "steps": selectors.listing_steps(listing=listing),
        "counter_documents": selectors.counter_notice_documents(listing=listing) if may_download else [],
        "may_download": may_download,
        "actions": actions,
        "now": timezone.now(),
    }
    for action, form_class in ACTION_FORMS.items():
        context.setdefault(f"{action}_form", form_class())
    context.update(extra)
    return render(request, "ecommerce/listing.html", context, status=status)


@login_required
@require_GET
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _listing_page(request, selectors.listing_get(user=request.user, pk=pk))


DONE = {
    "take_measures": gettext_lazy("措施已登记，权利人会收到通知。"),
    "reject": gettext_lazy("已登记不采取措施及理由。"),
    "counter_notice": gettext_lazy("声明已转送权利人，十五日等待期开始计算。"),
    "complain": gettext_lazy("已登记投诉或起诉，等待期停止计算，措施继续保持。"),
    "restore": gettext_lazy("已终止措施。"),
    "confirm_restoration": gettext_lazy("已确认终止措施。"),
}


@login_required
@require_POST
def listing_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    listing = selectors.listing_get(user=user, pk=pk)
    if action not in DONE:
        return refused(request, _("未知操作：%(action)s") % {"action": action}, 400)
    denied = _denied(request, listing.notice, TRANSITIONS_BY_ACTION[action].permission)
    if denied:
        return denied
    form_class = ACTION_FORMS.get(action)
    form = form_class(request.POST, request.FILES) if form_class else None
    name = f"{action}_form"
    if form is not None and not form.is_valid():
        return _listing_page(request, listing, status=400, **{name: form, f"{name}_errors": error_summary(form)})
    data = form.cleaned_data if form is not None else {}
    try:
        listing_services.listing_act(listing=listing, actor=user, action=action, **data)
    except TransitionRefused as exc:
        return _refusal(request, exc)
    except ValidationError as exc:
        assert form is not None
        apply_service_errors(exc, form)
        return _listing_page(request, listing, status=400, **{name: form, f"{name}_errors": error_summary(form)})
    messages.success(request, str(DONE[action]))
    return redirect("ecommerce:listing", pk=listing.pk)
