"""Forms of the network pages: directory search, routing parameters, centre profile, filing actions."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from weiyuan.cases.models import ServiceType
from weiyuan.core.choices import IPType
from weiyuan.core.punctuation import join_list
from weiyuan.network.models import Centre, CentreKind, Region, WorkstationSite
from weiyuan.network.selectors import region_prefix, region_search
from weiyuan.network.services import FILING_TRANSITIONS

REGION_CODE_RE = re.compile(r"\d{6}")
# Landline with area code, mobile, hotline, optional extension (转 / ext).
CENTRE_PHONE_RE = re.compile(r"\+?[\d\- ()]{5,30}(\s*(转|ext\.?)\s*\d{1,6})?", re.IGNORECASE)


def service_type_choices(*, active_only: bool = True) -> list[tuple[str, str]]:
    """Service types in the current language (they are data, with a Chinese and an English name)."""
    qs = ServiceType.objects.all()
    if active_only:
        qs = qs.filter(active=True)
    english = (get_language() or "").startswith("en")
    return [
        (code, (name_en if english and name_en else name))
        for code, name, name_en in qs.values_list("code", "name", "name_en")
    ]


def resolve_region(value: str) -> Region:
    """A region from a 6-digit code or a name (exact names first, province before city before county)."""
    value = value.strip()
    if REGION_CODE_RE.fullmatch(value):
        region = Region.objects.filter(code=value).first()
        if region is None:
            raise ValidationError(
                _("行政区划代码「%(v)s」不存在，请填写 6 位行政区划代码（例如 310115）或地区名称。"),
                code="unknown_region",
                params={"v": value},
            )
        return region
    if value.isdigit():
        raise ValidationError(
            _("行政区划代码应为 6 位数字（例如 310115），您填写了 %(n)d 位。"), code="format", params={"n": len(value)}
        )
    matches = list(region_search(q=value, limit=50))
    exact = [r for r in matches if value in (r.name, r.full_name)]
    # Matches that all nest in the widest one (上海市 the province, 上海市 the city, 上海市浦东新区...) mean it.
    candidates = exact or matches
    if candidates and all(r.code.startswith(region_prefix(candidates[0].code)) for r in candidates):
        return candidates[0]
    if not matches:
        raise ValidationError(
            _("没有名为「%(v)s」的地区，请检查名称或改填 6 位行政区划代码。"),
            code="unknown_region",
            params={"v": value},
        )
    raise ValidationError(
        _("「%(v)s」对应多个地区（%(c)s），请从候选中选择或填写行政区划代码。"),
        code="ambiguous_region",
        params={"v": value, "c": join_list(f"{r.full_name} {r.code}" for r in matches[:5])},
    )


class DirectoryFilterForm(forms.Form):
    region = forms.CharField(
        label=_("地区"),
        required=False,
        max_length=60,
        help_text=_("6 位行政区划代码或地区名称，含下级地区"),
    )
    ip_type = forms.ChoiceField(label=_("知识产权类型"), required=False)
    service_type = forms.ChoiceField(label=_("服务类型"), required=False)
    kind = forms.ChoiceField(label=_("机构类型"), required=False)
    q = forms.CharField(label=_("关键词"), required=False, max_length=60, help_text=_("名称、地址或简介"))

    def __init__(self, *args: Any, service_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything: list[tuple[str, Any]] = [("", _("全部"))]
        cast(forms.ChoiceField, self.fields["ip_type"]).choices = [*anything, *IPType.choices]
        cast(forms.ChoiceField, self.fields["service_type"]).choices = [*anything, *service_types]
        cast(forms.ChoiceField, self.fields["kind"]).choices = [*anything, *CentreKind.choices]
        self.resolved_region: Region | None = None

    def clean_region(self) -> str:
        value: str = self.cleaned_data.get("region", "").strip()
        if value:
            self.resolved_region = resolve_region(value)
            return self.resolved_region.code
        return ""


class RouteForm(forms.Form):
    """The parameters of the routing partial: `region`, `ip_type`, `service_type` (names kept for other forms)."""

    region = forms.CharField(
        label=_("所在地区（region）"),
        max_length=6,
        error_messages={"required": _("请填写所在地区的 6 位行政区划代码（region）。")},
    )
    ip_type = forms.ChoiceField(label=_("知识产权类型（ip_type）"), required=False)
    service_type = forms.ChoiceField(label=_("服务类型（service_type）"), required=False)

    def __init__(self, *args: Any, service_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["ip_type"]).choices = [("", ""), *IPType.choices]
        cast(forms.ChoiceField, self.fields["service_type"]).choices = [("", ""), *service_types]
        self.fields["ip_type"].error_messages["invalid_choice"] = _(
            "知识产权类型（ip_type）「%(value)s」不在可选范围内，请从列表中选择。"
        )
        self.fields["service_type"].error_messages["invalid_choice"] = _(
            "服务类型（service_type）「%(value)s」不在可选范围内，请从列表中选择。"
        )
        self.resolved_region: Region | None = None

    def clean_region(self) -> str:
        value: str = self.cleaned_data["region"].strip()
        if not REGION_CODE_RE.fullmatch(value):
            raise ValidationError(
                _("所在地区（region）应为 6 位行政区划代码，例如 310115；「%(v)s」不是。"), params={"v": value}
            )
        self.resolved_region = Region.objects.filter(code=value).first()
        if self.resolved_region is None:
            raise ValidationError(
                _("所在地区（region）的行政区划代码「%(v)s」不存在，请核对。"),
                code="unknown_region",
                params={"v": value},
            )
        return value


class CentreProfileForm(forms.Form):
    """The public profile of a centre, edited by its director (through `centre_update_profile`)."""

    name = forms.CharField(label=_("名称"), max_length=120)
    name_en = forms.CharField(label=_("英文名称"), max_length=160, required=False)
    site = forms.ChoiceField(label=_("工作站所在地"), choices=WorkstationSite.choices, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    hours = forms.CharField(label=_("办公时间"), max_length=120, required=False, help_text=_("例如：工作日 9:00-17:00"))
    phone = forms.CharField(label=_("电话"), max_length=40, required=False, help_text=_("例如：021-12345678 或 12330"))
    description = forms.CharField(label=_("简介"), max_length=4000, required=False, widget=forms.Textarea)
    ip_types = forms.MultipleChoiceField(
        label=_("受理的知识产权类型"),
        choices=IPType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一种受理的知识产权类型。")},
    )
    service_types = forms.MultipleChoiceField(
        label=_("提供的服务类型"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一种提供的服务类型。")},
    )

    def __init__(self, *args: Any, service_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["service_types"]).choices = service_types

    @classmethod
    def initial_for(cls, centre: Centre) -> dict[str, Any]:
        return {
            "name": centre.name,
            "name_en": centre.name_en,
            "site": centre.site,
            "address": centre.address,
            "hours": centre.hours,
            "phone": centre.phone,
            "description": centre.description,
            "ip_types": list(centre.ip_types),
            "service_types": list(centre.service_types),
        }

    def clean_phone(self) -> str:
        value: str = self.cleaned_data.get("phone", "").strip()
        if value and not CENTRE_PHONE_RE.fullmatch(value):
            raise ValidationError(
                _("电话请填写带区号的固定电话、手机号码或 12330，可加分机号（例如 021-12345678 转 801）。")
            )
        return value


class FilingActionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("操作"),
        choices=[(code, t.label) for code, t in FILING_TRANSITIONS.items()],
        error_messages={
            "required": _("请选择备案操作。"),
            "invalid_choice": _("备案操作「%(value)s」不存在，请从页面上的按钮操作。"),
        },
    )
    text = forms.CharField(
        label=_("说明或理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("提交备案时填写备案说明；退回或撤销时必须写明理由"),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=300)
