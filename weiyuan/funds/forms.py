"""Forms of funds: the budget lines of a year, a spending entry, an entry's step, an invoice. They only parse; the
rules (and the messages naming each field) live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weiyuan.funds.models import Category
from weiyuan.funds.services import SpendingInput


class BudgetForm(forms.Form):
    """One amount per category; blank leaves that line as it is."""

    def __init__(self, *args: Any, initial_amounts: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for c in Category:
            self.fields[c.value] = forms.CharField(
                label=c.label,
                required=False,
                max_length=24,
                initial=(initial_amounts or {}).get(c.value),
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    def amounts(self) -> dict[str, Any]:
        return {c.value: self.cleaned_data.get(c.value, "") for c in Category}


class SpendingForm(forms.Form):
    # A plain field with a select: the service names an unknown category (a ChoiceField would word it itself).
    category = forms.CharField(
        label=_("类别"), required=False, widget=forms.Select(choices=[("", "—"), *Category.choices])
    )
    amount = forms.CharField(
        label=_("金额（元）"),
        required=False,
        max_length=24,
        help_text=_("最多两位小数，例如 3500.50。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    spent_on = forms.CharField(label=_("支出日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    payee = forms.CharField(label=_("收款方"), required=False, max_length=200)
    description = forms.CharField(label=_("用途说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    over_budget_reason = forms.CharField(
        label=_("超预算说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("本笔支出超出该类别剩余预算时必须填写。"),
    )

    def spending_input(self) -> SpendingInput:
        d = self.cleaned_data
        return SpendingInput(
            category=d["category"],
            amount=d["amount"],
            spent_on=d["spent_on"],
            payee=d["payee"],
            description=d["description"],
            over_budget_reason=d["over_budget_reason"],
        )


class ActionForm(forms.Form):
    text = forms.CharField(label=_("意见或原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("发票或凭证"), required=True)
