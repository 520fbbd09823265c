"""Forms of feedback: the survey, recording a return visit, opening a case from a new need, filing a complaint and
the complaint's steps. They only parse; the rules (and the messages naming each field) live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weiyuan.feedback.models import SCORE_MAX, SCORE_MIN, ApplicantOutcome, ComplaintKind, ContactChannel
from weiyuan.feedback.services.complaints import SUBJECT_MAX, TEXT_MAX
from weiyuan.feedback.services.surveys import COMMENT_MAX

SCORES = [(str(n), str(n)) for n in range(SCORE_MAX, SCORE_MIN - 1, -1)]
YES_NO = [("yes", _("是")), ("no", _("否"))]


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class SurveyForm(forms.Form):
    overall = forms.ChoiceField(
        label=_("总体满意度"),
        choices=SCORES,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("5 分为非常满意，1 分为非常不满意。"),
    )
    speed = forms.ChoiceField(label=_("办理速度"), choices=SCORES, required=False, widget=forms.RadioSelect)
    professionalism = forms.ChoiceField(label=_("专业水平"), choices=SCORES, required=False, widget=forms.RadioSelect)
    usefulness = forms.ChoiceField(label=_("帮助程度"), choices=SCORES, required=False, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("意见和建议"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReturnVisitForm(forms.Form):
    reached = forms.ChoiceField(label=_("是否联系上申请人"), choices=YES_NO, required=False, widget=forms.RadioSelect)
    channel = forms.ChoiceField(label=_("回访方式"), choices=[("", "—"), *ContactChannel.choices], required=False)
    dispute_resolved = forms.ChoiceField(
        label=_("纠纷是否已解决"), choices=YES_NO, required=False, widget=forms.RadioSelect
    )
    applicant_outcome = forms.ChoiceField(
        label=_("申请人反映的结果"), choices=[("", "—"), *ApplicantOutcome.choices], required=False
    )
    loss_avoided_yuan = forms.CharField(
        label=_("估计避免损失（元）"),
        required=False,
        max_length=20,
        help_text=_("按申请人所述估计，不清楚时留空。"),
    )
    new_needs = forms.CharField(
        label=_("新的需求"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("申请人提出的新的维权需求；记录后可据此登记新案件。"),
    )
    notes = forms.CharField(
        label=_("回访记录"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "reached": yes_no(d["reached"]),
            "channel": d["channel"],
            "dispute_resolved": yes_no(d["dispute_resolved"]),
            "applicant_outcome": d["applicant_outcome"],
            "loss_avoided_yuan": d["loss_avoided_yuan"].strip() or None,
            "new_needs": d["new_needs"],
            "notes": d["notes"],
        }


class OpenCaseForm(forms.Form):
    service_type = forms.ChoiceField(label=_("服务类型"), choices=())

    def __init__(self, *args: Any, service_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_type"].choices = service_types  # type: ignore[attr-defined]
        self.fields["service_type"].initial = "consultation"


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=ComplaintKind.choices, widget=forms.RadioSelect, required=False)
    subject = forms.CharField(label=_("标题"), max_length=SUBJECT_MAX, required=False)
    body = forms.CharField(
        label=_("具体内容"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请写明时间、经过和您的要求。意见或投诉将提交该机构的上级机构，由其负责人在期限内答复。"),
    )


class ComplaintActionForm(forms.Form):
    text = forms.CharField(
        label=_("说明"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
