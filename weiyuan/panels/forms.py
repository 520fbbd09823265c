"""Forms of major-dispute work: the criteria's inputs, reasons, the panel, members, meetings, views, the solution."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weiyuan.panels.models import Attendance
from weiyuan.panels.services import REASON_MAX, TASK_MAX, TEXT_MAX

TEXTAREA = {"rows": 4}


class MajorForm(forms.Form):
    amount = forms.CharField(
        label=_("争议金额（元）"),
        required=False,
        max_length=24,
        help_text=_("案件未记录争议金额，请按申请材料填写；不清楚可留空。"),
    )
    party_abroad = forms.BooleanField(label=_("有当事人在境外"), required=False)
    abroad_note = forms.CharField(label=_("境外当事人说明"), required=False, max_length=REASON_MAX)
    industry_impact = forms.BooleanField(label=_("对产业有重大影响"), required=False)
    industry_impact_reason = forms.CharField(
        label=_("产业影响的理由"), required=False, max_length=REASON_MAX, widget=forms.Textarea(attrs=TEXTAREA)
    )
    reason = forms.CharField(
        label=_("认定理由"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("标记为重大案件时必填。"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class PanelCreateForm(forms.Form):
    task = forms.CharField(
        label=_("会商议题"),
        max_length=TASK_MAX,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("写明请专家组研究的问题，例如维权路径、证据、和解或诉讼的可行性。"),
    )


class MemberAddForm(forms.Form):
    expert = forms.IntegerField(
        label=_("专家编号"), min_value=1, help_text=_("专家库中的编号，或从下方候选专家中选择。")
    )
    chair = forms.BooleanField(label=_("担任组长"), required=False)
    override_reason = forms.CharField(
        label=_("利益冲突豁免理由"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("仅在专家与当事人有利益冲突时由中心负责人填写。"),
    )


class MeetingForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("会商时间"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("地点"), required=False, max_length=200)
    online_link = forms.URLField(label=_("线上会议链接"), required=False, max_length=500, assume_scheme="https")
    agenda = forms.CharField(
        label=_("议程"), required=False, max_length=TASK_MAX, widget=forms.Textarea(attrs=TEXTAREA)
    )


class MeetingRecordForm(forms.Form):
    """Attendance of every member (one field each, `attendance_<member pk>`) and the minutes."""

    minutes = forms.CharField(
        label=_("会议纪要"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 10})
    )

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for m in members:
            self.fields[f"attendance_{m.pk}"] = forms.ChoiceField(
                label=m.expert.name,
                choices=[("", "—"), *Attendance.choices],
                required=False,
            )

    def attendance(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data.get(f"attendance_{m.pk}") or "" for m in self.members}


class ViewForm(forms.Form):
    text = forms.CharField(
        label=_("专家意见"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 10})
    )


class SolutionForm(forms.Form):
    solution_facts = forms.CharField(
        label=_("基本事实"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    solution_issues = forms.CharField(
        label=_("争议焦点"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    solution_text = forms.CharField(
        label=_("解决方案"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 10})
    )
    solution_recommendations = forms.CharField(
        label=_("工作建议"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
