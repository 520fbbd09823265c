"""Forms of the expert task page: sharing documents, personal data, deadline, ending, work entries and their review,
and the two ratings. The services check everything again; the forms only read the input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weiyuan.experts.task_services import COMMENT_MAX, DESCRIPTION_MAX, NOTE_MAX, REASON_MAX

SCORES = [(str(n), str(n)) for n in range(1, 6)]


class ShareForm(forms.Form):
    documents = forms.MultipleChoiceField(label=_("共享给专家的文件"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["documents"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = choices or []


class RevokeShareForm(forms.Form):
    share = forms.IntegerField(widget=forms.HiddenInput)


class PersonalDataForm(forms.Form):
    needed = forms.TypedChoiceField(
        label=_("申请人个人信息"),
        choices=[("1", _("本任务需要：向专家显示")), ("0", _("不需要：向专家遮蔽"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("向专家显示申请人个人信息时必须写明理由，记入审计记录。"),
    )


class DueDateForm(forms.Form):
    due_date = forms.DateField(
        label=_("完成期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空表示不设期限。"),
    )


class EndForm(forms.Form):
    note = forms.CharField(
        label=_("结束说明"), required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class WorkForm(forms.Form):
    work_date = forms.DateField(label=_("工作日期"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(
        label=_("工时（小时）"), max_digits=6, decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.25"})
    )
    description = forms.CharField(
        label=_("工作内容"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    fee = forms.DecimalField(
        label=_("费用（元）"),
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=_("留空则按专家资料中的小时费率计算；没有小时费率时按收费说明填写。"),
    )


class DecideWorkForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", _("核准")), ("reject", _("退回"))], widget=forms.HiddenInput)
    reason = forms.CharField(label=_("审核意见"), required=False, max_length=REASON_MAX)


class RatingForm(forms.Form):
    score = forms.ChoiceField(label=_("评分"), choices=SCORES, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("评价"), required=False, max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
