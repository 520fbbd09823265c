"""Staff pages of the knowledge base: the centre's items and the review queue, writing and editing items, and one
endpoint per workflow action (GET shows its confirmation or form, POST runs the service)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from weiyuan.access.knowledge import is_kb_staff, kb_author_centre_ids, kb_create_refusal, kb_reviewer_centre_ids
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary
from weiyuan.core.pagination import CappedPaginator
from weiyuan.knowledge import selectors, services
from weiyuan.knowledge.forms import ConfirmForm, ItemCreateForm, ItemForm, ReasonForm
from weiyuan.knowledge.models import ItemType, KnowledgeItem
from weiyuan.knowledge.workflow import TRANSITIONS_BY_ACTION, check_transition, state_label
from weiyuan.network.models import Centre

PAGE_SIZE = 25


def refused(request: HttpRequest, reason: str, status: int = 403, *, item: KnowledgeItem | None = None) -> HttpResponse:
    return render(request, "knowledge/refused.html", {"reason": reason, "item": item}, status=status)


# --- the staff list --------------------------------------------------------------------------------------------


@login_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not is_kb_staff(user):
        return refused(request, kb_create_refusal(user))
    view = request.GET.get("view", "all")
    if view not in selectors.STAFF_VIEWS:
        view = "all"
    item_type = request.GET.get("type", "")
    if item_type not in ItemType.values:
        item_type = ""
    qs = selectors.item_staff_list(user=user, view=view, item_type=item_type)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(item, state_label(item)) for item in page.object_list]
    return render(
        request,
        "knowledge/manage.html",
        {
            "page": page,
            "rows": rows,
            "view": view,
            "item_type": item_type,
            "types": ItemType.choices,
            "is_reviewer": bool(kb_reviewer_centre_ids(user)),
            "review_count": selectors.item_review_count(user=user),
            "may_write": bool(kb_author_centre_ids(user)),
        },
    )


# --- writing ---------------------------------------------------------------------------------------------------


def _preview_url() -> str:
    return reverse("knowledge:citation_check")


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    refusal = kb_create_refusal(user)
    if refusal:
        return refused(request, refusal)
    item_type = request.POST.get("item_type") or request.GET.get("type", "")
    if item_type not in ItemType.values:
        return render(request, "knowledge/item_type_choice.html", {"types": ItemType.choices})
    centres = Centre.objects.filter(pk__in=kb_author_centre_ids(user)).order_by("path")
    form = ItemCreateForm(request.POST or None, item_type=item_type, preview_url=_preview_url(), centres=centres)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(
                actor=user, centre=form.cleaned_data["centre"], item_type=item_type, content=form.content()
            )
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("草稿已保存。检查无误后请提交审核。"))
            return redirect("knowledge:item", pk=item.pk)
    return render(
        request,
        "knowledge/item_form.html",
        {
            "form": form,
            "item": None,
            "item_type": item_type,
            "type_label": ItemType(item_type).label,
            "error_summary": error_summary(form) if form.is_bound else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.item_get(user=user, pk=pk)
    try:
        check_transition(item, "edit", user)
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, item=item)
    base = item.draft_version or item.published_version
    assert base is not None
    form = ItemForm(
        request.POST or None, item_type=item.item_type, preview_url=_preview_url(), initial=ItemForm.initial_from(base)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.item_edit(item=item, actor=user, content=form.content())
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, item=item)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            if item.is_public:
                messages.success(request, _("修订草稿已保存；已发布的版本在新版本审核通过前继续公开。"))
            else:
                messages.success(request, _("草稿已保存。"))
            return redirect("knowledge:item", pk=item.pk)
    return render(
        request,
        "knowledge/item_form.html",
        {
            "form": form,
            "item": item,
            "base": base,
            "item_type": item.item_type,
            "type_label": item.get_item_type_display(),
            "state_label": state_label(item),
            "error_summary": error_summary(form) if form.is_bound else [],
        },
    )


@login_required
@require_GET
def citation_check(request: HttpRequest) -> HttpResponse:
    """HTMX: the articles a citation field names, or what is wrong with it, while the author types."""
    if not kb_author_centre_ids(request.user):
        return refused(request, kb_create_refusal(request.user))
    text = request.GET.get("citations", "")[:4000]
    try:
        articles = selectors.articles_for_citations(text)
    except ValidationError as exc:
        return render(request, "knowledge/_citation_preview.html", {"errors": exc.messages, "cited": []})
    cited = [(selectors.citation(a), selectors.article_url(a), a.text) for a in articles]
    return render(request, "knowledge/_citation_preview.html", {"errors": [], "cited": cited})


# --- workflow actions ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionSpec:
    form_class: type[forms.Form]
    run: Callable[[KnowledgeItem, Any, dict[str, Any]], Any]
    success: Any  # a lazy translation
    reason_label: Any = None


ACTIONS: dict[str, ActionSpec] = {
    "submit": ActionSpec(
        ConfirmForm,
        lambda i, u, d: services.item_submit(item=i, actor=u),
        gettext_lazy("已提交审核，作者机构的负责人或知识库编辑将收到通知。"),
    ),
    "approve": ActionSpec(
        ConfirmForm,
        lambda i, u, d: services.item_approve(item=i, actor=u),
        gettext_lazy("已审核通过并公开发布。"),
    ),
    "return": ActionSpec(
        ReasonForm,
        lambda i, u, d: services.item_return(item=i, actor=u, reason=d["reason"]),
        gettext_lazy("已退回作者修改。"),
        gettext_lazy("退回理由"),
    ),
    "discard": ActionSpec(
        ConfirmForm,
        lambda i, u, d: services.item_discard(item=i, actor=u),
        gettext_lazy("已放弃修订草稿，已发布的版本保持不变。"),
    ),
    "withdraw": ActionSpec(
        ReasonForm,
        lambda i, u, d: services.item_withdraw(item=i, actor=u, reason=d["reason"]),
        gettext_lazy("条目已撤回，不再公开，也不再出现在检索结果中。"),
        gettext_lazy("撤回理由"),
    ),
    "republish": ActionSpec(
        ConfirmForm,
        lambda i, u, d: services.item_republish(item=i, actor=u),
        gettext_lazy("条目已重新发布。"),
    ),
}


def _action_form(action: str, data: Any = None) -> forms.Form:
    spec = ACTIONS[action]
    form = spec.form_class(data, auto_id=f"id_{action}_%s")
    if spec.reason_label and "reason" in form.fields:
        form.fields["reason"].label = spec.reason_label
    return form


@login_required
@require_http_methods(["GET", "POST"])
def item_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("unknown action")
    user = request.user
    item = selectors.item_get(user=user, pk=pk)
    try:
        check_transition(item, action, user)
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, item=item)
    spec = ACTIONS[action]
    form = _action_form(action, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            spec.run(item, user, form.cleaned_data)
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status, item=item)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, str(spec.success))
            return redirect("knowledge:item", pk=item.pk)
    transition = TRANSITIONS_BY_ACTION[action]
    version = item.draft_version or item.published_version
    return render(
        request,
        "knowledge/item_action.html",
        {
            "item": item,
            "version": version,
            "action": action,
            "transition": transition,
            "form": form,
            "state_label": state_label(item),
            "danger": transition.style == "danger",
            "error_summary": error_summary(form) if form.is_bound else [],
        },
    )
