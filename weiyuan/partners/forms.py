"""Forms of the organisations pages: they parse and check shapes; the rules are in `partners.services` and
`webhooks.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weiyuan.network.models import Centre, Region
from weiyuan.partners.models import Organisation, OrganisationKind, ServiceAgreement
from weiyuan.partners.services import AgreementInput, OrganisationInput
from weiyuan.webhooks.models import WebhookEndpoint, WebhookEvent


class RegionField(forms.CharField):
    """A region by its 6-digit administrative division code (GB/T 2260)."""

    default_error_messages = {"unknown": _("请填写 6 位行政区划代码，例如 310115（上海市浦东新区）。")}

    def clean(self, value: Any) -> Region | None:  # type: ignore[override]
        code = (super().clean(value) or "").strip()
        if not code:
            return None
        region = Region.objects.filter(code=code).first() if code.isdigit() and len(code) == 6 else None
        if region is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return region


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=160)
    name_en = forms.CharField(label=_("英文名称"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=OrganisationKind.choices)
    region = RegionField(label=_("行政区划代码"), max_length=6)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("联系邮箱"), required=False)
    website = forms.URLField(label=_("网站"), required=False, assume_scheme="https")
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, keepers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if keepers is not None:
            self.fields["keeper"] = forms.ModelChoiceField(label=_("维护机构"), queryset=keepers, empty_label=None)
            self.order_fields(["keeper"])

    @staticmethod
    def initial_from(org: Organisation) -> dict[str, Any]:
        return {
            "name": org.name,
            "name_en": org.name_en,
            "kind": org.kind,
            "region": org.region_id,
            "credit_code": org.credit_code,
            "address": org.address,
            "contact_name": org.contact_name,
            "contact_phone": org.contact_phone,
            "contact_email": org.contact_email,
            "website": org.website,
            "notes": org.notes,
        }

    def organisation_input(self) -> OrganisationInput:
        d = self.cleaned_data
        return OrganisationInput(
            name=d["name"],
            kind=d["kind"],
            region=d["region"],
            name_en=d.get("name_en") or "",
            credit_code=d.get("credit_code") or "",
            address=d.get("address") or "",
            contact_name=d.get("contact_name") or "",
            contact_phone=d.get("contact_phone") or "",
            contact_email=d.get("contact_email") or "",
            website=d.get("website") or "",
            notes=d.get("notes") or "",
        )


class AgreementForm(forms.Form):
    centre = forms.ModelChoiceField(label=_("签约机构"), queryset=Centre.objects.none(), empty_label=None)
    title = forms.CharField(label=_("协议名称"), max_length=160)
    scope = forms.CharField(label=_("合作范围"), widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("终止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("不填表示长期有效。"),
    )

    def __init__(self, *args: Any, centres: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres  # type: ignore[attr-defined]

    @staticmethod
    def initial_from(a: ServiceAgreement) -> dict[str, Any]:
        return {
            "centre": a.centre_id,
            "title": a.title,
            "scope": a.scope,
            "starts_on": a.starts_on,
            "ends_on": a.ends_on,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("终止日期不能早于生效日期。"))
        return data

    def agreement_input(self) -> AgreementInput:
        d = self.cleaned_data
        return AgreementInput(
            centre=d["centre"], title=d["title"], scope=d["scope"], starts_on=d["starts_on"], ends_on=d.get("ends_on")
        )


class MemberCreateForm(forms.Form):
    display_name = forms.CharField(label=_("姓名"), max_length=120)
    email = forms.EmailField(label=_("电子邮箱"), help_text=_("用于登录。"))
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)


class MemberLinkForm(forms.Form):
    email = forms.EmailField(label=_("已有账户的电子邮箱"))


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("接收地址"), max_length=500, help_text=_("https:// 开头的地址；我们向它 POST 签名的 JSON。")
    )
    events = forms.MultipleChoiceField(
        label=_("订阅事件"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[WebhookEvent.REFERRAL_CREATED],
    )
    description = forms.CharField(label=_("说明"), max_length=120, required=False)

    @staticmethod
    def initial_from(e: WebhookEndpoint) -> dict[str, Any]:
        return {"url": e.url, "events": e.events, "description": e.description}
