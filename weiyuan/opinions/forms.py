"""Forms of the opinion pages: they parse input; the services validate the rules and name the field at fault."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weiyuan.opinions.models import (
    FEATURE_MAX,
    TEXT_MAX,
    Comparison,
    DesignComparison,
    DifferenceWeight,
    OpinionKind,
    TrademarkComparison,
)

DIFFERENCE_ROWS = 6
AREA = {"rows": 3}


class OpinionCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("意见类型"), choices=OpinionKind.choices)
    title = forms.CharField(label=_("标题"), max_length=160)
    accused_object = forms.CharField(
        label=_("被诉侵权产品或标识"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs=AREA),
        help_text=_("写明被诉产品的名称、型号和来源（如公证购买、展会取证）。"),
    )
    right_id = forms.TypedChoiceField(label=_("涉及的权利"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, rights: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["right_id"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (r.pk, f"{r.number} {r.title}".strip()) for r in rights or []
        ]


class OpinionEditForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=160)
    accused_object = forms.CharField(
        label=_("被诉侵权产品或标识"), max_length=TEXT_MAX, widget=forms.Textarea(attrs=AREA)
    )
    basis = forms.CharField(
        label=_("判定依据（引用的法律条文）"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=AREA),
        help_text=_("每行一部法律及其条文，如「专利法 第十一条、第六十四条」；引用现行版本的条文。"),
    )
    prior_art_notes = forms.CharField(
        label=_("现有技术（现有设计）抗辩"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs=AREA)
    )
    design_around_notes = forms.CharField(
        label=_("规避设计"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs=AREA)
    )
    conclusion = forms.CharField(
        label=_("结论意见"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs=AREA),
        help_text=_("对判定结论的补充说明和维权建议。"),
    )


class ClaimsImportForm(forms.Form):
    claims_text = forms.CharField(
        label=_("权利要求书"),
        max_length=TEXT_MAX * 10,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "粘贴权利要求书全文，按「1.」「2.」编号分项，每项按分号（无分号时按逗号）分解为技术特征，之后可逐项修改。"
        ),
    )
    replace = forms.BooleanField(label=_("替换现有的权利要求"), required=False)


class ClaimForm(forms.Form):
    text = forms.CharField(label=_("权利要求"), max_length=TEXT_MAX, widget=forms.Textarea(attrs=AREA))
    independent = forms.BooleanField(label=_("独立权利要求"), required=False)
    resplit = forms.BooleanField(label=_("按修改后的文字重新分解技术特征"), required=False)


class FeatureAddForm(forms.Form):
    text = forms.CharField(label=_("技术特征"), max_length=FEATURE_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class FeatureForm(forms.Form):
    text = forms.CharField(label=_("技术特征"), max_length=FEATURE_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    accused_text = forms.CharField(
        label=_("被诉产品对应特征"), required=False, max_length=FEATURE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    comparison = forms.ChoiceField(label=_("比对结果"), choices=Comparison.choices, required=False)
    means = forms.CharField(label=_("手段"), required=False, max_length=FEATURE_MAX)
    function = forms.CharField(label=_("功能"), required=False, max_length=FEATURE_MAX)
    effect = forms.CharField(label=_("效果"), required=False, max_length=FEATURE_MAX)


class DesignForm(forms.ModelForm):
    class Meta:
        model = DesignComparison
        fields = ["patent_product", "accused_product", "product_kind", "design_features", "impression", "reasoning"]
        widgets = {"design_features": forms.Textarea(attrs=AREA), "reasoning": forms.Textarea(attrs=AREA)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, DIFFERENCE_ROWS + 1):
            self.fields[f"difference_{i}"] = forms.CharField(
                label=_("区别 %(n)s") % {"n": i}, required=False, max_length=FEATURE_MAX
            )
            self.fields[f"weight_{i}"] = forms.ChoiceField(
                label=_("影响程度 %(n)s") % {"n": i},
                required=False,
                choices=[("", "—"), *DifferenceWeight.choices],
            )

    def differences(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [(data.get(f"difference_{i}", ""), data.get(f"weight_{i}", "")) for i in range(1, DIFFERENCE_ROWS + 1)]

    def comparison_data(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class TrademarkForm(forms.ModelForm):
    class Meta:
        model = TrademarkComparison
        fields = [
            "registered_mark",
            "accused_mark",
            "mark_similarity",
            "mark_reasoning",
            "registered_goods",
            "registered_class",
            "registered_group",
            "accused_goods",
            "accused_class",
            "accused_group",
            "goods_similarity",
            "goods_reasoning",
            "confusion",
            "confusion_reasoning",
        ]
        widgets = {
            name: forms.Textarea(attrs=AREA)
            for name in (
                "mark_reasoning",
                "registered_goods",
                "accused_goods",
                "goods_reasoning",
                "confusion_reasoning",
            )
        }

    def comparison_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("退回意见"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs=AREA)
    )
