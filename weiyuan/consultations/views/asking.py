"""Asking a consultation (with similar published Q&A suggested while typing), and the lists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weiyuan.access.consultations import ask_refusal, has_consultation_queue
from weiyuan.access.policy import is_staff_member
from weiyuan.cases.selectors import attach_next_due, case_get
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.cases.views.common import error_summary, paginate, refused
from weiyuan.consultations import services
from weiyuan.consultations.forms import AskForm
from weiyuan.consultations.selectors import QUEUES, ask_centres, consultation_queue, my_consultations
from weiyuan.consultations.suggestions import similar_qa
from weiyuan.consultations.views.common import apply_errors
from weiyuan.core.punctuation import join_clauses


def _ask_input(form: AskForm) -> services.AskInput:
    cd = form.cleaned_data
    data = services.AskInput(
        centre_code=cd["centre"],
        ip_type=cd["ip_type"],
        topic=cd["topic"],
        question=cd["question"],
        applicant_region_code=cd["region"],
        attachments=cd.get("attachments") or [],
    )
    if form.staff_mode:
        data.channel = cd["channel"]
        data.applicant_name = cd["applicant_name"]
        data.applicant_kind = cd["applicant_kind"]
        data.applicant_phone = cd.get("applicant_phone", "")
        data.applicant_email = cd.get("applicant_email", "")
    return data


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    user = request.user
    reason = ask_refusal(user)
    if reason:
        return refused(request, reason, title=_("不能提交咨询"))
    staff_mode = is_staff_member(user)
    if request.method == "POST":
        form = AskForm(request.POST, request.FILES, staff_mode=staff_mode)
        if form.is_valid():
            try:
                consultation = services.consultation_ask(actor=user, data=_ask_input(form))
            except ValidationError as exc:
                apply_errors(exc, form)
            except TransitionRefused as exc:
                return refused(request, exc.reason, exc.status, title=_("不能提交咨询"))
            else:
                case = consultation.case
                messages.success(
                    request,
                    _("咨询已提交，编号 %(number)s。%(centre)s受理后将在答复期限内答复，请留意通知。")
                    % {"number": case.tracking_number, "centre": case.centre.display_name},
                )
                return redirect(reverse("consultations:detail", args=[case.tracking_number]))
        region, ip_type = request.POST.get("region", ""), request.POST.get("ip_type", "")
        selected, question = request.POST.get("centre", ""), request.POST.get("question", "")
    else:
        region = request.GET.get("region") or str(getattr(user, "region_id", None) or "")
        ip_type = request.GET.get("ip_type", "")
        form = AskForm(initial={"region": region, "ip_type": ip_type, "question": ""}, staff_mode=staff_mode)
        # The centre chosen at step 1 of the general application, when it sends a consultation here.
        selected, question = request.GET.get("centre", "")[:40], ""
    return render(
        request,
        "consultations/ask.html",
        {
            "form": form,
            "staff_mode": staff_mode,
            "centres": ask_centres(user=user, region_code=region[:6], ip_type=ip_type[:16]),
            "selected_centre": selected,
            "similar": similar_qa(question),
            "error_summary": error_summary(form) if form.is_bound else [],
            "files_lost": form.is_bound and bool(request.FILES),
        },
    )


@login_required
@require_GET
def ask_suggest(request: HttpRequest) -> HttpResponse:
    """HTMX: published Q&A similar to the question being typed (nothing for short text, never an error)."""
    return render(
        request, "consultations/_similar.html", {"similar": similar_qa(request.GET.get("question", "")[:4000])}
    )


@login_required
@require_GET
def ask_centres_options(request: HttpRequest) -> HttpResponse:
    """HTMX: the `<option>`s of the centre choice for the region and IP type chosen."""
    centres = ask_centres(
        user=request.user, region_code=request.GET.get("region", "")[:6], ip_type=request.GET.get("ip_type", "")[:16]
    )
    return render(request, "consultations/_centre_options.html", {"centres": centres, "selected_centre": ""})


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    page = paginate(request, my_consultations(user=request.user))
    attach_next_due([c.case for c in page.object_list])
    return render(request, "consultations/mine.html", {"page": page, "may_ask": not ask_refusal(request.user)})


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_consultation_queue(user):
        return refused(request, _("咨询工作台供援助机构的工作人员和志愿者使用。"), title=_("不能查看咨询工作台"))
    current = request.GET.get("queue", "open")
    if current not in QUEUES:
        current = "open"
    page = paginate(request, consultation_queue(user=user, queue=current))
    attach_next_due([c.case for c in page.object_list])
    return render(request, "consultations/queue.html", {"page": page, "queue": current, "queues": QUEUE_LABELS})


QUEUE_LABELS = [
    ("open", gettext_lazy("待答复")),
    ("to_approve", gettext_lazy("志愿者草稿待审核")),
    ("follow_ups", gettext_lazy("待答复的追问")),
    ("answered", gettext_lazy("已答复")),
    ("featured", gettext_lazy("优秀问答推荐")),
]


@login_required
@require_POST
def adopt(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """Take a consultation case recorded by the generic intake into the consultation flow (from the case page)."""
    case = case_get(user=request.user, tracking_number=tracking_number)
    try:
        services.consultation_adopt(case=case, actor=request.user, topic=request.POST.get("topic", ""))
    except TransitionRefused as exc:
        return refused(request, exc.reason, exc.status, case=case, title=_("不能按咨询办理"))
    except ValidationError as exc:
        messages.error(request, join_clauses(exc.messages))
        return redirect(reverse("cases:detail", args=[tracking_number]) + "#consultation")
    messages.success(request, _("已按咨询办理，可以撰写答复。"))
    return redirect(reverse("consultations:detail", args=[tracking_number]))
