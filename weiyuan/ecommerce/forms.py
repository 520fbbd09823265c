"""Forms of the e-commerce pages. The rules live in the services (and the completeness check); these only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weiyuan.cases.forms import MultipleFileField
from weiyuan.core.choices import IPType
from weiyuan.ecommerce.models import ComplaintKind, DocumentKind, Measure, OwnerKind, WrongBasis
from weiyuan.ecommerce.services import NoticeInput

DATE = forms.DateInput(attrs={"type": "date"})


class PlatformChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class NoticeForm(forms.Form):
    centre: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("援助机构"), queryset=None, required=False)
    platform = PlatformChoiceField(label=_("电子商务平台"), queryset=None, required=False)
    case = forms.CharField(
        label=_("关联案件编号"),
        max_length=24,
        required=False,
        help_text=_("可选：您作为申请人的援助案件编号（同一权利人）。"),
    )
    right_type = forms.ChoiceField(label=_("权利类型"), choices=IPType.choices)
    right_number = forms.CharField(label=_("权利编号"), max_length=60, required=False)
    right_title = forms.CharField(label=_("权利名称"), max_length=200, required=False)
    right_owner = forms.CharField(label=_("权利人"), max_length=160, required=False)
    right_owner_kind = forms.ChoiceField(
        label=_("权利人类型"),
        choices=[("", _("请选择")), *OwnerKind.choices],  # no default: a person's name must not go public by one
        help_text=_("权利人为自然人的，公示时不显示其姓名。"),
    )
    right_valid_from = forms.DateField(label=_("权利有效期起"), required=False, widget=DATE)
    right_valid_until = forms.DateField(label=_("权利有效期至"), required=False, widget=DATE)
    statement = forms.CharField(
        label=_("侵权事实说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("说明涉嫌侵权的商品和被侵犯的权利；平台和平台内经营者会看到这段说明。"),
    )

    def __init__(self, *args: Any, centres: Any, platforms: Any, with_centre: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres  # type: ignore[attr-defined]
        self.fields["platform"].queryset = platforms  # type: ignore[attr-defined]
        if not with_centre:
            del self.fields["centre"]
            del self.fields["case"]

    def notice_input(self) -> NoticeInput:
        d = self.cleaned_data
        return NoticeInput(
            right_type=d["right_type"],
            right_number=d["right_number"],
            right_title=d["right_title"],
            right_owner=d["right_owner"],
            right_owner_kind=d["right_owner_kind"],
            right_valid_from=d["right_valid_from"],
            right_valid_until=d["right_valid_until"],
            statement=d["statement"],
        )


class ListingsForm(forms.Form):
    text = forms.CharField(
        label=_("粘贴链接"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "https://item.example.com/123\t店铺\t商品标题"}),
        help_text=_("每行一条：链接、店铺、商品标题，用制表符（从表格复制）或逗号分隔。每份通知最多 300 条。"),
    )
    file = forms.FileField(
        label=_("或导入文件"),
        required=False,
        help_text=_("CSV（UTF-8）或 Excel（.xlsx），列依次为 链接、店铺、商品标题；第一行可为表头。"),
    )


class DocumentsForm(forms.Form):
    kind = forms.ChoiceField(label=_("文件类别"), choices=DocumentKind.choices)
    files = MultipleFileField(label=_("文件"), required=False)  # type: ignore[assignment]


class MeasuresForm(forms.Form):
    measures = forms.MultipleChoiceField(
        label=_("措施"), choices=Measure.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class ManyMeasuresForm(MeasuresForm):
    positions = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_positions(self) -> list[int]:
        raw = self.data.getlist("positions") if hasattr(self.data, "getlist") else []
        return [int(p) for p in raw if str(p).isdigit()]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CounterNoticeForm(forms.Form):
    text = forms.CharField(label=_("声明内容"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("不存在侵权行为的初步证据"),
        required=False,
        help_text=_("《电子商务法》第四十三条：声明应当包括不存在侵权行为的初步证据。"),
    )


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(label=_("投诉或起诉"), choices=ComplaintKind.choices)
    body = forms.CharField(label=_("受理机关"), max_length=160, required=False)
    document = forms.FileField(label=_("凭证"), required=False)


class WrongNoticeForm(forms.Form):
    basis = forms.ChoiceField(label=_("认定依据"), choices=WrongBasis.choices)
    explanation = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    malicious = forms.BooleanField(label=_("恶意发出错误通知"), required=False)
    document = forms.FileField(label=_("文书"), required=False)


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "take_measures": MeasuresForm,
    "reject": RejectForm,
    "counter_notice": CounterNoticeForm,
    "complain": ComplaintForm,
}
