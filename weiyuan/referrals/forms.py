"""Forms of referrals: sending from a case (organisations, cover letter, documents), the partner's decline, report
and outcome, the centre's withdrawal. The rules live in the services; these only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weiyuan.referrals.models import CONCLUDING_OUTCOMES, OutcomeKind
from weiyuan.referrals.services import COVER_LETTER_MAX, TEXT_MAX


class OrganisationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} · {obj.get_kind_display()}"


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.original_name


class SendForm(forms.Form):
    organisations = OrganisationChoiceField(
        label=_("合作单位"),
        queryset=None,
        required=False,  # the service names the missing choice
        widget=forms.CheckboxSelectMultiple,
        help_text=_("可同时移交多个合作单位，每个单位各成一件移交，分别签收和反馈。"),
    )
    cover_letter = forms.CharField(
        label=_("移交函"),
        max_length=COVER_LETTER_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("写明案情要点、请求合作单位办理的事项和联系人；合作单位只能看到移交函和所选文件。"),
    )
    documents = EvidenceChoiceField(
        label=_("随附文件"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("只选择合作单位办理所需的文件；未选择的文件合作单位看不到。"),
    )

    def __init__(self, *args: Any, organisations: Any, documents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["documents"].queryset = documents  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AcceptForm(forms.Form):
    note = forms.CharField(
        label=_("说明"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("进展情况"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    document = forms.FileField(label=_("附件"), required=False)


class OutcomeForm(forms.Form):
    outcome_kind = forms.ChoiceField(
        label=_("办理结果"),
        choices=[("", "---------")] + [(k.value, k.label) for k in OutcomeKind if k in CONCLUDING_OUTCOMES],
        required=False,
    )
    summary = forms.CharField(
        label=_("结果说明"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    outcome_date = forms.DateField(label=_("结果日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.FileField(
        label=_("结果文书"),
        required=False,
        help_text=_("调解协议、行政处罚决定和判决或裁定须上传文书。"),
    )
