"""Pages for an organisation's webhook endpoints and its delivery log. Thin: parse, call one selector or service,
render. Who may do what: `weiyuan.access.partners` (endpoints: the keeping centre's director; the log: the keeping
centre's staff and the organisation's own accounts; redelivery: the keeping centre's staff)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.partners import PartnerPermission, organisation_decide
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import apply_service_errors, error_summary, refused
from weiyuan.core.pagination import CappedPaginator
from weiyuan.partners import selectors
from weiyuan.partners.forms import EndpointForm
from weiyuan.webhooks import services
from weiyuan.webhooks.delivery import max_attempts, retry_wait_labels
from weiyuan.webhooks.models import DeliveryState
from weiyuan.webhooks.outbound import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER

P = PartnerPermission
PAGE_SIZE = 25
ENDPOINT_ACTIONS = ("activate", "deactivate", "rotate", "ping")


def _secret_page(request: HttpRequest, org: Any, endpoint: Any, secret: str) -> HttpResponse:
    # The secret is rendered in this response only (never redirected through a URL, not cached).
    response = render(
        request,
        "webhooks/secret.html",
        {
            "org": org,
            "endpoint": endpoint,
            "secret": secret,
            "signature_header": SIGNATURE_HEADER,
            "event_header": EVENT_HEADER,
            "delivery_header": DELIVERY_HEADER,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_form(request: HttpRequest, pk: int, endpoint_pk: int | None = None) -> HttpResponse:
    user = request.user
    org = selectors.organisation_get(user=user, pk=pk)
    endpoint = selectors.endpoint_get(user=user, organisation=org, pk=endpoint_pk) if endpoint_pk else None
    decision = organisation_decide(user, P.MANAGE_WEBHOOKS, org)
    if not decision:
        return refused(request, decision.reason, title=_("Webhook 接收地址"))
    form = EndpointForm(request.POST or None, initial=EndpointForm.initial_from(endpoint) if endpoint else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if endpoint is None:
                endpoint, secret = services.webhook_endpoint_create(
                    actor=user, organisation=org, url=d["url"], events=d["events"], description=d["description"]
                )
                return _secret_page(request, org, endpoint, secret)
            services.webhook_endpoint_update(
                actor=user, endpoint=endpoint, url=d["url"], events=d["events"], description=d["description"]
            )
        except TransitionRefused as exc:
            return refused(request, exc.reason, exc.status)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("接收地址已保存。"))
            return redirect("partners:detail", pk=org.pk)
    return render(
        request,
        "webhooks/endpoint_form.html",
        {
            "form": form,
            "org": org,
            "endpoint": endpoint,
            "error_summary": error_summary(form) if form.is_bound else [],
        },
    )


@login_required
@require_POST
def endpoint_action(request: HttpRequest, pk: int, endpoint_pk: int, action: str) -> HttpResponse:
    user = request.user
    org = selectors.organisation_get(user=user, pk=pk)
    endpoint = selectors.endpoint_get(user=user, organisation=org, pk=endpoint_pk)
    if action not in ENDPOINT_ACTIONS:
        raise Http404
    try:
        if action == "rotate":
            endpoint, secret = services.webhook_endpoint_rotate_secret(actor=user, endpoint=endpoint)
            return _secret_page(request, org, endpoint, secret)
        if action == "ping":
            services.webhook_endpoint_ping(actor=user, endpoint=endpoint)
            messages.success(request, _("已排队一条连通测试（ping），稍后在推送记录中查看结果。"))
        else:
            services.webhook_endpoint_set_active(actor=user, endpoint=endpoint, active=action == "activate")
            messages.success(request, _("接收地址已启用。") if action == "activate" else _("接收地址已停用。"))
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status)
    return redirect("partners:detail", pk=org.pk)


@login_required
@require_GET
def delivery_log(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = selectors.organisation_get(user=user, pk=pk)
    decision = organisation_decide(user, P.VIEW_INTERNALS, org)
    if not decision:
        return refused(request, decision.reason, title=_("推送记录"))
    state = request.GET.get("state", "")
    state = state if state in DeliveryState.values else ""
    page = CappedPaginator(selectors.deliveries_of(org, state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/deliveries.html",
        {
            "org": org,
            "page": page,
            "state": state,
            "states": DeliveryState.choices,
            "may_redeliver": bool(organisation_decide(user, P.REDELIVER, org)),
            "max_attempts": max_attempts(),
            "retry_waits": retry_wait_labels(),
        },
    )


@login_required
@require_POST
def delivery_redeliver(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    user = request.user
    org = selectors.organisation_get(user=user, pk=pk)
    delivery = selectors.delivery_get(user=user, organisation=org, pk=delivery_pk)
    try:
        services.webhook_delivery_redeliver(actor=user, delivery=delivery)
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status)
    messages.success(request, _("已重新排队推送。"))
    return redirect("partners:deliveries", pk=org.pk)
