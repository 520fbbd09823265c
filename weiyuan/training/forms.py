from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weiyuan.training.models import EventKind

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=160)
    kind = forms.ChoiceField(label=_("类型"), choices=EventKind.choices)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    online_url = forms.URLField(label=_("线上链接"), max_length=300, required=False)
    capacity = forms.IntegerField(label=_("名额"))
    hours = forms.CharField(label=_("学时"), max_length=10)
    public = forms.BooleanField(label=_("面向申请人公开"), required=False)
    description = forms.CharField(label=_("简介"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    materials = forms.CharField(
        label=_("培训资料"),
        required=False,
        help_text=_("已发布知识库条目的编号，多个用逗号分隔。"),
    )

    def clean_materials(self) -> list[int]:
        raw = self.cleaned_data.get("materials") or ""
        parts = [p for p in re.split(r"[\s,，、]+", raw) if p]
        if any(not p.isdigit() for p in parts):
            raise forms.ValidationError(_("请填写知识库条目的编号（数字），多个用逗号分隔。"))
        return [int(p) for p in parts]


class AttendanceForm(forms.Form):
    hours = forms.CharField(label=_("学时"), max_length=10, required=False)

    def attendee_ids(self, data: Any) -> list[int]:
        return [int(v) for v in data.getlist("attendees") if str(v).isdigit()]
