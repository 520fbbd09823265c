"""The deadline calculator's form."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from weiyuan.clocks.rules import (
    AMOUNT_MAX,
    AMOUNT_MIN,
    CHINA_TZ,
    RULES,
    START_MAX,
    START_MIN,
    UNIT_LABELS,
    amount_max,
    start_in_range,
)
from weiyuan.core.punctuation import parenthesised


class DeadlineForm(forms.Form):
    rule = forms.ChoiceField(
        label=_("期限规则"),
        error_messages={
            "required": _("请选择期限规则。"),
            "invalid_choice": _("期限规则「%(value)s」不存在，请从列表中选择。"),
        },
    )
    start = forms.DateTimeField(
        label=_("起算时间"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("北京时间，例如 2026-02-13 10:00；只填日期时按当日 0 时计"),
        error_messages={
            "required": _("请填写起算时间。"),
            "invalid": _("起算时间格式不正确，请按 2026-02-13 10:00 的格式填写。"),
        },
    )
    amount = forms.IntegerField(
        label=_("期限长度（可选）"),
        required=False,
        min_value=AMOUNT_MIN,
        help_text=_("留空则使用规则的默认长度；单位随规则（工作日、日或小时）"),
        error_messages={
            "invalid": _("期限长度须为整数，例如 10。"),
            "min_value": _("期限长度至少为 1，不能为负数或 0。"),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["rule"]).choices = [
            (code, f"{r.label}{parenthesised(code)}") for code, r in RULES.items()
        ]

    def clean_start(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["start"]
        if not start_in_range(value):
            raise ValidationError(
                _("起算时间须在 %(min)s 至 %(max)s 之间（北京时间），请检查年份。")
                % {"min": START_MIN.isoformat(), "max": START_MAX.isoformat()}
            )
        # The form field already made a naive input aware in the current time zone; the rules count in China time.
        return value.astimezone(CHINA_TZ)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rule = RULES.get(cleaned.get("rule") or "")
        amount = cleaned.get("amount")
        # The longest length depends on the rule's unit (3650 days, 8760 hours).
        if amount is None:
            return cleaned
        if rule is not None and amount > amount_max(rule):
            self.add_error(
                "amount",
                _("期限长度：规则「%(rule)s」最多 %(max)s %(unit)s，请填写 1 到 %(max)s 之间的整数。")
                % {"rule": rule.label, "max": amount_max(rule), "unit": UNIT_LABELS[rule.unit]},
            )
        elif rule is None and amount > max(AMOUNT_MAX.values()):
            self.add_error("amount", _("期限长度不能超过 %(limit)s。") % {"limit": max(AMOUNT_MAX.values())})
        return cleaned
