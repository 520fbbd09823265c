"""Forms of evaluation: a scheme, an indicator, a self score, a reviewer's score, an evidence file, a step. They
only parse; the rules (and the messages naming each field) live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weiyuan.evaluation.formulas import KPI_KEYS
from weiyuan.evaluation.models import IndicatorKind
from weiyuan.evaluation.services import IndicatorInput

DECIMAL = forms.TextInput(attrs={"inputmode": "decimal"})


class SchemeForm(forms.Form):
    year = forms.CharField(
        label=_("年度"), required=False, max_length=8, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    title = forms.CharField(label=_("名称"), required=False, max_length=200)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class IndicatorForm(forms.Form):
    code = forms.CharField(label=_("指标代码"), required=False, max_length=64)
    name = forms.CharField(label=_("指标名称"), required=False, max_length=200)
    name_en = forms.CharField(label=_("英文名称"), required=False, max_length=200)
    # A plain field with a select: the service names an unknown kind.
    kind = forms.CharField(
        label=_("类型"), required=False, widget=forms.Select(choices=[("", "—"), *IndicatorKind.choices])
    )
    weight = forms.CharField(label=_("权重"), required=False, max_length=16, widget=DECIMAL)
    max_score = forms.CharField(label=_("满分"), required=False, max_length=16, widget=DECIMAL)
    formula = forms.CharField(
        label=_("计算公式"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "mono"}),
    )
    guidance = forms.CharField(label=_("评分说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    position = forms.CharField(
        label=_("排序"), required=False, max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["formula"].help_text = _(
            "公式计算类指标填写，结果即该指标得分（限定在 0 至满分之间）。"
            "可用的名称：%(names)s、max_score；函数：min、max、abs、round。"
        ) % {"names": ", ".join(KPI_KEYS)}

    def indicator_input(self) -> IndicatorInput:
        d = self.cleaned_data
        return IndicatorInput(
            code=d["code"],
            name=d["name"],
            name_en=d["name_en"],
            kind=d["kind"],
            weight=d["weight"],
            max_score=d["max_score"],
            formula=d["formula"],
            guidance=d["guidance"],
            position=d["position"],
        )


class SelfForm(forms.Form):
    self_score = forms.CharField(label=_("自评分"), required=False, max_length=16, widget=DECIMAL)
    self_explanation = forms.CharField(label=_("自评说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    score = forms.CharField(label=_("评分"), required=False, max_length=16, widget=DECIMAL)
    review_comment = forms.CharField(label=_("评分意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FileForm(forms.Form):
    file = forms.FileField(label=_("佐证文件"), required=True)


class ActionForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
