"""Forms of the exhibitions pages: thin, the rules are in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weiyuan.cases.forms import MultipleFileField
from weiyuan.core.choices import IPType
from weiyuan.exhibitions.complaint_services import ComplaintInput
from weiyuan.exhibitions.models import DutyKind, MeasureKind
from weiyuan.exhibitions.services import EventInput

DATE = forms.DateInput(attrs={"type": "date"})


class EventForm(forms.Form):
    name = forms.CharField(label=_("展会名称"), max_length=200)
    venue = forms.CharField(label=_("举办地点"), max_length=200)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    organiser = forms.CharField(label=_("主办方"), max_length=200)
    defence_hours = forms.IntegerField(label=_("被投诉人答辩时限（小时）"), initial=24, min_value=1, max_value=168)
    phases = forms.CharField(
        label=_("展期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个：名称, 开始日期, 结束日期（如「第一期, 2026-10-15, 2026-10-19」）。"),
    )
    location = forms.CharField(label=_("工作站位置"), max_length=200, required=False)

    def __init__(self, *args: Any, centres: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"] = forms.ModelChoiceField(label=_("援助机构"), queryset=centres)

    def clean_phases(self) -> list[dict[str, str]]:
        phases = []
        for number, line in enumerate((self.cleaned_data.get("phases") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if len(parts) != 3:
                raise forms.ValidationError(_("第 %(n)s 行应为：名称, 开始日期, 结束日期。") % {"n": number})
            phases.append({"name": parts[0], "starts_on": parts[1], "ends_on": parts[2]})
        return phases

    def event_input(self) -> EventInput:
        d = self.cleaned_data
        return EventInput(
            name=d["name"],
            venue=d["venue"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            organiser=d["organiser"],
            defence_hours=d["defence_hours"],
            phases=tuple(d["phases"]),
        )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("参展商名录（CSV 或 Excel）"))
    valid_only = forms.BooleanField(label=_("只导入无误的行"), required=False)


class DutyForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=DATE)
    email = forms.EmailField(label=_("账户邮箱"))
    kind = forms.ChoiceField(label=_("类别"), choices=DutyKind.choices)


class ComplaintForm(forms.Form):
    complainant = forms.CharField(label=_("投诉人"), max_length=200)
    complainant_contact = forms.CharField(label=_("投诉人联系方式"), max_length=200, required=False)
    right_type = forms.ChoiceField(label=_("权利类型"), choices=IPType.choices)
    right_number = forms.CharField(label=_("权利编号"), max_length=60)
    right_title = forms.CharField(label=_("权利名称"), max_length=200, required=False)
    right_owner = forms.CharField(label=_("权利人"), max_length=200)
    right_valid_from = forms.DateField(label=_("权利有效期起"), widget=DATE)
    right_valid_until = forms.DateField(label=_("权利有效期至"), widget=DATE)
    certificate = forms.FileField(label=_("权利证书"))
    respondent = forms.CharField(label=_("被投诉人（展位号或名称）"), max_length=200)
    exhibits = forms.CharField(label=_("涉嫌侵权展品"), widget=forms.Textarea(attrs={"rows": 3}))
    accused_mark = forms.CharField(
        label=_("被投诉人使用的标识"),
        max_length=60,
        required=False,
        help_text=_("商标投诉：展品或宣传资料上使用的商标文字，将与注册商标比对近似程度。"),
    )
    statement = forms.CharField(label=_("投诉理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label=_("现场照片"), required=False)

    def complaint_input(self) -> ComplaintInput:
        d = self.cleaned_data
        return ComplaintInput(
            complainant=d["complainant"],
            complainant_contact=d["complainant_contact"],
            right_type=d["right_type"],
            right_number=d["right_number"],
            right_title=d["right_title"],
            right_owner=d["right_owner"],
            right_valid_from=d["right_valid_from"],
            right_valid_until=d["right_valid_until"],
            respondent=d["respondent"],
            exhibits=d["exhibits"],
            statement=d["statement"],
            accused_mark=d["accused_mark"],
        )


class DefendForm(forms.Form):
    defence = forms.CharField(label=_("答辩意见"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("答辩证据"), required=False)  # type: ignore[assignment]


class DecideForm(forms.Form):
    reason = forms.CharField(label=_("判定理由"), widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.MultipleChoiceField(
        label=_("措施"), choices=MeasureKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    exhibit = forms.CharField(label=_("涉及的展品"), max_length=200, required=False)


class ConfirmForm(forms.Form):
    photo = forms.FileField(label=_("措施落实后的现场照片"))
    signer = forms.CharField(label=_("签字人"), max_length=60)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 3}))
