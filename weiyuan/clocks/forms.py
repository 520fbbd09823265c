"""The deadline calculator's form."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from weiyuan.clocks.rules import CHINA_TZ, RULES

MAX_AMOUNT = 3650


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
        min_value=0,
        max_value=MAX_AMOUNT,
        help_text=_("留空则使用规则的默认长度；单位随规则（工作日、日或小时）"),
        error_messages={
            "invalid": _("期限长度须为整数，例如 10。"),
            "min_value": _("期限长度不能为负数。"),
            "max_value": _("期限长度不能超过 %(limit_value)s。"),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["rule"]).choices = [
            (code, f"{r.label}（{code}）") for code, r in RULES.items()
        ]

    def clean_start(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["start"]
        # The form field already made a naive input aware in the current time zone; the rules count in China time.
        return value.astimezone(CHINA_TZ)
