from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weiyuan.core.choices import IPType
from weiyuan.search.models import Source
from weiyuan.search.query import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(label=_("查找"), required=False, strip=True)
    type = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *Source.choices])
    law = forms.CharField(label=_("法律"), required=False, max_length=200)
    ip_type = forms.ChoiceField(label=_("知识产权类型"), required=False, choices=[("", _("全部")), *IPType.choices])
    date_from = forms.DateField(
        label=_("发布日期自"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("日期格式应为 YYYY-MM-DD，例如 2020-01-01。")},
    )
    date_to = forms.DateField(
        label=_("发布日期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("日期格式应为 YYYY-MM-DD，例如 2026-12-31。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"maxlength": MAX_QUERY_LENGTH * 2, "placeholder": _("例如：商标被抢注 / 電商平台下架 / 专利法第六十五条")}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期早于开始日期，请调换或修改。"))
        return data
